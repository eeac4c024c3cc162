"""Production settings pass Django's deployment checks; pages carry a strict CSP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests.conftest import Cast

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-that-is-long-and-random-7f3a9c1e5b2d8f4a6c0e",
    "ALLOWED_HOSTS": "actionlab.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://actionlab.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "STATIC_MANIFEST",
            "SECURE_SSL_REDIRECT",
            "ALLOWED_HOSTS",
            # The suite installs the development tools; a deployment does not.
            "DEVTOOLS",
            # Set for the browser tests' event loop; never part of a deployment.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_leaves_the_development_tools_out() -> None:
    apps = "from django.conf import settings; print(*settings.INSTALLED_APPS)"
    result = manage("shell", "-c", apps, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "dashboards" in result.stdout.split()
    assert "devtools" not in result.stdout.split()
    result = manage("seed_demo", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "Unknown command: 'seed_demo'" in result.stderr


def test_debug_or_devtools_installs_the_development_tools() -> None:
    for extra in ({"DEBUG": "1"}, {"DEVTOOLS": "1"}):
        result = manage("help", "seed_demo", env=PRODUCTION_ENV | extra)
        assert result.returncode == 0, f"{extra}: {result.stdout + result.stderr}"
        assert "--if-empty" in result.stdout, extra


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = PRODUCTION_ENV | {"SECRET_KEY": ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_refuses_the_console_email_backend() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "EMAIL_HOST"}
    result = manage("check", "--deploy", "--fail-level", "ERROR", env=env)
    assert result.returncode != 0
    assert "development-only email backend" in result.stderr


def test_every_page_has_a_csp_with_a_nonce_and_no_unsafe_inline(cast: Cast) -> None:
    client = cast.client_for("participant")
    for url in (reverse("home"), reverse("teams:detail", args=[cast.team.pk])):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        nonce = re.search(r"'nonce-([^']+)'", policy)
        assert nonce, policy
        # htmx is served from our own static files and carries this response's nonce.
        scripts = re.findall(r"<script[^>]*>", response.content.decode())
        assert scripts
        assert all(f'nonce="{nonce.group(1)}"' in tag for tag in scripts), scripts
        assert all('src="/static/' in tag for tag in scripts), scripts


def test_anonymous_login_page_has_security_headers(db: None) -> None:
    response = Client().get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_yes_no_setting_with_a_typo_stops_the_start_and_names_the_variable() -> None:
    env = PRODUCTION_ENV | {"MFA_REQUIRED_FOR_STAFF": "required"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "MFA_REQUIRED_FOR_STAFF='required' is not a yes/no value" in result.stderr


def test_yes_no_settings_accept_the_usual_words_in_any_case() -> None:
    from config.settings import env_bool

    words = {"1": True, "TRUE": True, "Yes": True, "on": True}
    words |= {"0": False, "false": False, "NO": False, " off ": False}
    for word, expected in words.items():
        os.environ["ACTIONLAB_TEST_FLAG"] = word
        try:
            assert env_bool("ACTIONLAB_TEST_FLAG", not expected) is expected, word
        finally:
            del os.environ["ACTIONLAB_TEST_FLAG"]
    assert env_bool("ACTIONLAB_TEST_FLAG", True) is True  # unset keeps the default


def test_reading_the_settings_makes_no_folder_and_starting_django_does(tmp_path: Path) -> None:
    static, queue = tmp_path / "static", tmp_path / "queue"
    script = (
        "import importlib, sys, django; from pathlib import Path; "
        "importlib.import_module('config.settings'); "
        f"made = [Path({str(static)!r}).exists(), Path({str(queue)!r}).exists()]; "
        "django.setup(); "
        f"made += [Path({str(static)!r}).is_dir(), Path({str(queue)!r}, 'out').is_dir()]; "
        "print(made)"
    )
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "STATIC_ROOT": str(static),
        "CELERY_QUEUE_DIR": str(queue),
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "[False, False, True, True]", done.stderr


def test_every_task_is_named_app_dot_action_and_beat_keys_follow_the_names(db: None) -> None:
    from django.conf import settings

    from config.celery import app
    from core import tasks

    app.loader.import_default_modules()
    old_names = {
        "core.tasks.heartbeat": tasks.heartbeat,
        "core.tasks.purge_security_events": tasks.purge_security_events,
        "core.tasks.ping": tasks.ping,
    }
    ours = {name for name in app.tasks if not name.startswith("celery.")} - set(old_names)
    assert ours and all(re.fullmatch(r"[a-z]+\.[a-z_]+", name) for name in ours), ours
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert key == entry["task"].replace(".", "-").replace("_", "-")
        assert entry["task"] in ours
    # A message queued under an old name before an upgrade still finds its task.
    assert old_names.keys() <= set(app.tasks)
    assert app.tasks["core.tasks.ping"].apply(args=["old"]).get() == "pong:old"
