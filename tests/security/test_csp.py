"""Content-Security-Policy: every page, as every role, carries a policy that allows no
inline script or style and no eval, and the pages are written so that the policy breaks
nothing (no inline handler, no style attribute, every script ours and with the nonce).

The pages are found the way a person finds them: from home, following every link, as each
role, in a program where every kind of object exists.
"""

from __future__ import annotations

import re
import time
from collections import deque
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils.csp import CSP

from programs.models import Role
from programs.services import do_invite, invitation_token
from tests import factories as f
from tests.conftest import Cast
from tests.security.inert_html import inline_code
from tests.security.test_hostile_input import NOW, build_world

ROLES = ("program_admin", "coach", "sponsor", "participant")
# Links that leave the pages: downloads, and Django's own admin (for site staff only).
NOT_PAGES = re.compile(r"\.(csv|ics|zip)$|/export/?$|^/admin/|^/static/")
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'")


def policy(response: HttpResponse) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        if words := part.split():
            directives[words[0]] = words[1:]
    return directives


def policy_problems(response: HttpResponse) -> list[str]:
    """What is wrong with the response's policy, and with the page under it."""
    directives = policy(response)
    if not directives:
        return ["no Content-Security-Policy header"]
    problems = [
        f"{name} allows {source}"
        for name, sources in directives.items()
        for source in sources
        if source in UNSAFE
    ]
    for name in ("default-src", "script-src", "style-src", "object-src", "base-uri"):
        if name not in directives:
            problems.append(f"no {name}")
    if "*" in directives.get("script-src", []) or "data:" in directives.get("script-src", []):
        problems.append("script-src allows any source")
    if response["Content-Type"].startswith("text/html"):
        nonce = next(
            (s[len("'nonce-") : -1] for s in directives.get("script-src", []) if "nonce-" in s),
            None,
        )
        html = response.content.decode()
        problems += [str(finding) for finding in inline_code(html, nonce=nonce)]
    return problems


def links(html: str) -> list[str]:
    return re.findall(r'<a\s[^>]*href="([^"#]*)', html)


def pattern(path: str) -> str:
    """One visit per kind of page: ids and tokens become placeholders."""
    parts = urlsplit(path)
    shape = re.sub(r"/\d+", "/N", parts.path)
    shape = re.sub(r"/[A-Za-z0-9_:-]{20,}", "/TOKEN", shape)
    return shape + ("?" + re.sub(r"=[^&]*", "=", parts.query) if parts.query else "")


def crawl(client: Client, start: str = "/") -> dict[str, HttpResponse]:
    """Every page reachable by following links from `start`, one of each kind."""
    seen: set[str] = set()
    pages: dict[str, HttpResponse] = {}
    queue = deque([start])
    while queue:
        path = queue.popleft()
        shape = pattern(path)
        if shape in seen or NOT_PAGES.search(urlsplit(path).path):
            continue
        seen.add(shape)
        response = client.get(path)
        pages[path] = response
        if response.status_code in (301, 302):
            queue.append(response["Location"])
        elif response["Content-Type"].startswith("text/html"):
            for href in links(response.content.decode()):
                href = href.replace("&amp;", "&")
                if href.startswith("/"):
                    queue.append(href)
    return pages


def test_the_policy_in_settings_allows_no_inline_code_and_no_eval() -> None:
    for name, sources in settings.SECURE_CSP.items():
        for source in sources:
            assert source not in UNSAFE, (name, source)
    assert settings.SECURE_CSP["script-src"] == [CSP.SELF, CSP.NONCE]
    assert settings.SECURE_CSP["style-src"] == [CSP.SELF]
    assert settings.SECURE_CSP["object-src"] == [CSP.NONE]
    assert settings.SECURE_CSP["frame-ancestors"] == [CSP.NONE]
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE


@pytest.mark.parametrize("who", ROLES)
def test_every_page_a_role_reaches_has_a_strict_policy_and_nothing_it_would_block(
    cast: Cast, who: str
) -> None:
    with time_machine.travel(NOW, tick=False):
        build_world(cast, "Plain words.")
        pages = crawl(cast.client_for(who))
    html_pages = [p for p, r in pages.items() if r["Content-Type"].startswith("text/html")]
    assert len(html_pages) >= 10, sorted(pages)
    errors = {path: r.status_code for path, r in pages.items() if r.status_code >= 500}
    assert not errors, errors
    problems = {path: found for path, r in pages.items() if (found := policy_problems(r))}
    assert not problems, problems
    print(f"\n{who}: {len(pages)} responses checked")


def test_pages_for_people_not_signed_in_and_error_pages_have_the_policy(cast: Cast) -> None:
    anonymous = Client()
    invitation = do_invite(
        program=cast.program,
        email="new.person@example.org",
        role=Role.COACH,
        cohort=None,
        by=cast.program_admin,
    )
    urls = [
        reverse("account_login"),
        reverse("account_reset_password"),
        reverse("account_request_login_code"),
        reverse("programs:invitation", args=[invitation_token(invitation)]),
        "/no-such-page/",
    ]
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert not policy_problems(response), (url, policy_problems(response))
    signed_in = cast.client_for("participant")
    for name in ("account_email", "account_change_password", "mfa_index"):
        response = signed_in.get(reverse(name))
        assert response.status_code == 200, (name, response.status_code)
        assert not policy_problems(response), (name, policy_problems(response))
    forbidden = cast.client_for("participant").get(reverse("teams:people", args=[cast.program.pk]))
    assert forbidden.status_code == 403
    assert not policy_problems(forbidden)


def test_allauths_scripts_run_under_the_policy_with_the_nonce(db: None) -> None:
    """allauth's own templates load their scripts without a nonce, which the policy blocks
    (removing an email address would lose its confirmation); ours add it."""
    person = f.UserFactory()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    client = Client()
    client.post(reverse("account_login"), {"login": person.email, "password": f.PASSWORD})
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert client.post(reverse("mfa_activate_totp"), {"code": code}).status_code == 302
    for name, script in (
        ("account_email", "/static/account/js/account.js"),
        ("mfa_view_recovery_codes", "/static/mfa/js/recovery_codes.js"),
    ):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        assert not policy_problems(response), (name, policy_problems(response))
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce, name
        assert f'<script src="{script}" nonce="{nonce.group(1)}">' in response.content.decode()
