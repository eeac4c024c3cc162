"""gunicorn's access log without what people type and without secrets.

An access log is kept for weeks and read by whoever runs the servers. The query string
carries what a person searched for in their journal; some paths carry a secret that opens
something without signing in (a calendar feed, an invitation, an unsubscribe link, a
password reset). So the log keeps the method, the path with every such secret replaced by
`[token]` and without its query string, the status, the size, the time taken and the
browser; the Referer is reduced the same way. `bin/web` runs gunicorn with this logger.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

REDACTED = "[token]"

# Paths whose next segment (or, for the calendar feed, file name) is a secret.
_SECRET_AFTER = re.compile(
    r"""(?P<prefix>
        /programs/invitations/
      | /organisations/invitations/
      | /accountability-partners/
      | /reminders/unsubscribe/[^/]+/
      | /reminders/partner-notes/unsubscribe/
      | /accounts/confirm-email/
      | /accounts/password/reset/key/
      | /calendar/
      | /unsubscribe/
    )(?P<secret>[^/?#\s"']+?)(?P<suffix>\.ics)?(?=[/?#\s"']|$)""",
    re.VERBOSE,
)
# Any other segment that looks like a generated secret: long, letters and digits mixed.
_SECRET_LOOKING = re.compile(
    r"(?<=/)(?=[^/\s]*\d)(?=[^/\s]*[A-Za-z])[A-Za-z0-9_\-:.=]{24,}(?=[/?#\s\"']|$)"
)
# Headers and environ entries that carry paths, URLs or credentials.
_REQUEST_LINE_ATOMS = ("{raw_uri}e", "{request_uri}e")
_PATH_ATOMS = ("U", "{path_info}e")
_URL_ATOMS = ("f", "{referer}i", "{http_referer}e", "{location}o")
_DROPPED_ATOMS = (
    "q",
    "{query_string}e",
    "{cookie}i",
    "{http_cookie}e",
    "{authorization}i",
    "{http_authorization}e",
    "{x-healthz-token}i",
    "{http_x_healthz_token}e",
)


def redact_path(path: str) -> str:
    """The path without its query string or fragment, with every secret it carries
    replaced by [token]."""
    return redact_text(path.split("?", 1)[0].split("#", 1)[0])


def redact_text(text: str) -> str:
    """Secrets in paths anywhere in a log message (Django logs "Not Found: <path>" for an
    expired invitation) replaced by [token]."""
    text = _SECRET_AFTER.sub(
        lambda m: m.group("prefix") + REDACTED + (m.group("suffix") or ""), text
    )
    return _SECRET_LOOKING.sub(REDACTED, text)


def redact_url(url: str) -> str:
    """A full URL (a Referer, a redirect's Location) reduced like a path; the site part
    stays so that the log still says where a visitor came from."""
    if not url or url == "-":
        return url
    parts = urlsplit(url)
    site = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return site + redact_path(parts.path)


# The request line in a message of Django's development server ("GET /path?q=… HTTP/1.1").
_REQUEST_LINE_QUERY = re.compile(r'("[A-Z]+ [^\s?"]*)\?[^\s"]*')


class RedactSecretsFilter(logging.Filter):
    """For the application's log handlers (config/settings.py LOGGING): every message leaves
    with its path secrets replaced, and the development server's request lines (`make
    run`) without their query strings, as gunicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if record.name == "django.server":
            redacted = _REQUEST_LINE_QUERY.sub(r"\1", redacted)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


class RedactingLogger(Logger):
    """gunicorn's logger, with the access-log atoms reduced as the module says."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        atoms["r"] = "{} {} {}".format(
            environ.get("REQUEST_METHOD", "-"),
            redact_path(environ.get("RAW_URI") or environ.get("PATH_INFO", "")),
            environ.get("SERVER_PROTOCOL", "-"),
        )
        for key in _REQUEST_LINE_ATOMS + _PATH_ATOMS:
            if key in atoms:
                atoms[key] = redact_path(str(atoms[key]))
        for key in _URL_ATOMS:
            if key in atoms:
                atoms[key] = redact_url(str(atoms[key]))
        for key in _DROPPED_ATOMS:
            if key in atoms:
                atoms[key] = "-"
        return atoms
