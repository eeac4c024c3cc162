"""A real OpenID Connect provider for the single sign-on tests (oidc_provider/: Django
with django-oauth-toolkit, its own process and port), an organisation of ActionLab whose
single sign-on uses it, and Chromium to sign people in through it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# The shared Chromium and axe fixtures.

ROOT = Path(__file__).resolve().parents[2]
ORG_PK = 7001
PASSWORD = "provider-password"
CLIENT_SECRET = "actionlab-client-secret-0123456789"
DOMAIN = "north.example"

# The provider's people. Groups: "mfa" → amr ["pwd", "mfa"]; "unverified" →
# email_verified false.
PROVIDER_USERS = [
    {"email": f"nadia@{DOMAIN}", "first_name": "Nadia", "last_name": "Okafor"},
    {"email": f"coach@{DOMAIN}", "first_name": "Colm", "last_name": "Byrne", "groups": ["mfa"]},
    {"email": f"padmin@{DOMAIN}", "first_name": "Priya", "last_name": "Nair"},
    {"email": f"newcomer@{DOMAIN}", "first_name": "Nico", "last_name": "Amani"},
    {
        "email": f"unverified@{DOMAIN}",
        "first_name": "Uma",
        "last_name": "Vance",
        "groups": ["unverified"],
    },
    {"email": f"leaver@{DOMAIN}", "first_name": "Lee", "last_name": "Aver"},
    {"email": "outsider@elsewhere.example", "first_name": "Otto", "last_name": "Side"},
    # Disabled at the provider: it signs her in nowhere.
    {"email": f"gone@{DOMAIN}", "first_name": "Gwen", "last_name": "One", "active": False},
]
# "consent" asks the person to allow ActionLab first (they may refuse).
CLIENTS = ["actionlab", "wrong-audience", "expired", "consent"]


@dataclass
class Provider:
    base: str
    issuer: str
    process: subprocess.Popen[bytes]
    # The provider's RSA signing key (PEM): a test signs a logout token with it, as the
    # provider would.
    key_path: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def oidc_provider(
    live_server: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Provider]:
    """The provider, started once for the session. Its clients accept ActionLab's
    callback for the test organisation (org-7001) on the live server."""
    data = tmp_path_factory.mktemp("oidc-provider")
    callback = f"{live_server.url}/accounts/oidc/org-{ORG_PK}/login/callback/"  # type: ignore[attr-defined]
    spec = {
        "users": [{"password": PASSWORD, **user} for user in PROVIDER_USERS],
        "clients": [
            {
                "name": name,
                "client_id": name,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [callback],
                "skip_authorization": name != "consent",
            }
            for name in CLIENTS
        ],
    }
    (data / "spec.json").write_text(json.dumps(spec))
    port = _free_port()
    log = (data / "provider.log").open("wb")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.sso.oidc_provider.serve",
            str(data),
            str(port),
            str(data / "spec.json"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(
                f"{base}/o/.well-known/openid-configuration", timeout=2
            ) as r:
                issuer = json.load(r)["issuer"]
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    "The test OpenID Connect provider did not start:\n"
                    + (data / "provider.log").read_text()
                ) from None
            time.sleep(0.2)
    yield Provider(base=base, issuer=issuer, process=process, key_path=data / "key.pem")
    process.terminate()
    process.wait(timeout=10)
    log.close()


def sign_in_through_provider(
    chromium: object, base: str, email: str, *, context: object | None = None
) -> object:
    """Type the address under "Continue with your organisation", sign in at the provider;
    returns the page where ActionLab landed."""
    ctx = context or chromium.new_context()  # type: ignore[attr-defined]
    page = ctx.new_page()  # type: ignore[attr-defined]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_sso_email", email)
    page.click("#sso-continue")
    try:
        page.wait_for_selector("#provider-sign-in", timeout=15_000)
    except Exception as error:
        raise AssertionError(
            f"The provider's sign-in page did not open: at {page.url}\n{page.content()[:3000]}"
        ) from error
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("#provider-sign-in")
    page.wait_for_load_state("load")
    return page
