"""`make bench`: the HTTP benchmark on the scale dataset with production settings.

1. Creates the bench database if it is missing (PostgreSQL, `BENCH_DATABASE_URL`), runs
   `bin/release` (migrations, collectstatic with the manifest) and seeds the scale dataset
   (`manage.py seed_scale --if-empty`, with the development tools installed for that
   command only) when the database holds no program yet.
2. Starts `bin/web` (gunicorn, 2 sync workers) on loopback with production settings:
   DEBUG off, a SECRET_KEY made for this run, ALLOWED_HOSTS=127.0.0.1, no HTTPS redirect
   (plain HTTP on loopback), persistent database connections (or psycopg's pool with
   BENCH_DATABASE_POOL=1), Redis db 12 as the cache when it answers, and two-factor
   authentication not required of staff (`MFA_REQUIRED_FOR_STAFF=0`): the bench accounts
   sign in with a password only.
3. Signs in through the sign-in form as a participant, a coach, a sponsor and a program
   admin, and checks that each page answers 200 to its reader. Each of the four has a
   home of its own at the same address (dashboards/homes.py): each is measured.
4. Measures each page with wrk (16 connections, 10 s by default, after a short warm-up),
   beginning with the floor: the smallest signed-in page, through the same middleware.
   It also counts each page's SQL queries and times one request in this process, as a
   repeat visit and with the page's kept parts made again (core/page_cache.py).
   Before that, with the same gunicorn command, workers and wrk settings, it measures
   Django with nothing in it (devtools/bench_plain.py: one view, no middleware, no
   database), which it serves alone on another port: how fast the floor could be.
5. Prints a table (req/s, p50, p99, ratio to the floor) against the targets: each page at
   least a quarter of the floor's throughput, p99 at most 150 ms; plain Django's row
   above the floor, the floor's ratio to it, and the load average at the run's start and
   end. Writes the same as JSON to var/bench/results.json; gunicorn's logs are
   var/bench/gunicorn.log and var/bench/gunicorn-plain.log.

Nothing here is imported by the application, and `make test` does not run it.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/actionlab_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
FLOOR_RATIO_TARGET = 0.25
P99_TARGET_MS = 150.0


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str
    duration: int
    warmup: int
    connections: int
    threads: int
    workers: int
    port: int
    pool: bool
    reseed: bool
    seed_args: list[str]
    only: list[str]
    strict: bool

    @classmethod
    def from_env(cls) -> Config:
        return cls(
            database_url=os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
            duration=env_int("BENCH_DURATION", 10),
            warmup=env_int("BENCH_WARMUP", 2),
            connections=env_int("BENCH_CONNECTIONS", 16),
            threads=env_int("BENCH_THREADS", 2),
            workers=env_int("BENCH_WORKERS", 2),
            port=env_int("BENCH_PORT", 0),
            pool=env_flag("BENCH_DATABASE_POOL", False),
            reseed=env_flag("BENCH_RESEED", False),
            seed_args=os.environ.get("BENCH_SEED_ARGS", "").split(),
            only=[p.strip() for p in os.environ.get("BENCH_PAGES", "").split(",") if p.strip()],
            strict=env_flag("BENCH_STRICT", False),
        )


# -- the pages -------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    slug: str
    label: str
    role: str  # who reads it: a key of the logins


def pages() -> list[Page]:
    return [
        Page("floor", "floor: signed-in minimal page", "participant"),
        Page("home", "participant home", "participant"),
        Page("checkin", "this week's check-in", "participant"),
        Page("journal", "journal", "participant"),
        Page("project", "project page", "participant"),
        Page("notifications", "notification centre", "participant"),
        Page("coach-home", "coach home", "coach"),
        Page("coach", "coach dashboard", "coach"),
        Page("sponsor-home", "sponsor home", "sponsor"),
        Page("sponsor", "sponsor dashboard", "sponsor"),
        Page("admin-home", "admin home", "admin"),
        Page("analytics", "program analytics", "admin"),
    ]


# Django itself, with no middleware and no database (devtools/bench_plain.py), served by a
# gunicorn of its own: how fast the floor could be.
PLAIN = Page("plain", "Django, no middleware", "")
PLAIN_APP = "devtools.bench_plain:application"


def choose_pages(only: list[str]) -> list[Page]:
    """The floor and the pages BENCH_PAGES names (all of them when it names none)."""
    every = pages()
    unknown = sorted(set(only) - {p.slug for p in every})
    if unknown:
        raise SystemExit(
            f"BENCH_PAGES names no such page: {', '.join(unknown)}. The pages: "
            + ", ".join(p.slug for p in every if p.slug != "floor")
        )
    return [p for p in every if not only or p.slug in only or p.slug == "floor"]


def page_urls(program_id: int, project_id: int) -> dict[str, str]:
    from django.urls import reverse

    return {
        "floor": reverse("session_probe"),
        "home": reverse("home"),
        "checkin": reverse("reflections:checkin", args=[program_id]),
        "journal": reverse("reflections:journal", args=[program_id]),
        "project": reverse("projects:detail", args=[project_id]),
        "notifications": reverse("notifications:centre"),
        # One address, a different home for each role (dashboards/homes.py).
        "coach-home": reverse("home"),
        "coach": reverse("dashboards:coach_dashboard", args=[program_id]),
        "sponsor-home": reverse("home"),
        "sponsor": reverse("projects:sponsor_dashboard"),
        "admin-home": reverse("home"),
        "analytics": reverse("dashboards:analytics", args=[program_id]),
    }


# -- wrk -------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers plus socket errors


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"Not a wrk duration: {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """The numbers of `wrk --latency` output that the table shows."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50(?:\.000)?%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99(?:\.000)?%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"Unexpected wrk output:\n{output}")
    errors = 0
    if non_2xx := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(non_2xx.group(1))
    if sockets := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        # A sync worker closes each connection after answering; wrk may count the close
        # as a read error, which is not a failed request. Connect errors and timeouts are.
        errors += int(sockets.group(1)) + int(sockets.group(4))
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=to_ms(p50.group(1)),
        p99_ms=to_ms(p99.group(1)),
        requests=int(total.group(1)),
        errors=errors,
    )


def run_wrk(url: str, cookie: str, *, seconds: int, connections: int, threads: int) -> str:
    command = [
        "wrk",
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=30s",
        "--latency",
        *(["--header", f"Cookie: {cookie}"] if cookie else []),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    return done.stdout


# -- HTTP by hand (no cookie jar: the cookies are Secure, the loopback is plain HTTP) -----


def request(
    port: int, method: str, path: str, *, cookie: str = "", body: str = ""
) -> tuple[int, dict[str, list[str]], str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, path, body=body or None, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        found: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return response.status, found, text
    finally:
        conn.close()


def cookies_set(headers: dict[str, list[str]]) -> dict[str, str]:
    jar = {}
    for line in headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def sign_in(port: int, email: str, password: str, session_cookie: str) -> str:
    """Sign in through the sign-in form; returns the Cookie header of the session."""
    status, headers, text = request(port, "GET", "/accounts/login/")
    if status != 200:
        raise RuntimeError(f"The sign-in page answered {status}.")
    jar = cookies_set(headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    if not token or "csrftoken" not in jar:
        raise RuntimeError("The sign-in page carries no CSRF token.")
    body = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": html.unescape(token[1])}
    )
    status, headers, text = request(
        port, "POST", "/accounts/login/", cookie=f"csrftoken={jar['csrftoken']}", body=body
    )
    jar.update(cookies_set(headers))
    if status not in (301, 302, 303) or session_cookie not in jar:
        raise RuntimeError(
            f"Signing in as {email} did not succeed (HTTP {status}, "
            f"to {headers.get('location', ['-'])[0]})."
        )
    cookie = f"{session_cookie}={jar[session_cookie]}"
    status, _, text = request(port, "GET", "/healthz/session", cookie=cookie)
    if status != 200:
        raise RuntimeError(
            f"Signed in as {email}, but the session is refused (HTTP {status}); "
            "does the account need two-factor authentication?"
        )
    return cookie


# -- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def say(text: str) -> None:
    print(text, flush=True)


def run_step(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603


def redis_answers(url: str) -> bool:
    if not url:
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:  # any failure means: run without it
        return False


def ensure_database(url: str, *, reseed: bool) -> None:
    """Create the bench database when it is missing (dropped first with BENCH_RESEED)."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in {"postgres", "postgresql", "pgsql"} or not name:
        raise SystemExit(f"BENCH_DATABASE_URL must name a PostgreSQL database, not {url!r}.")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL does not answer at {parts.hostname}:{parts.port or 5432} ({error}).\n"
            "Start it (for example: pg_ctlcluster 17 main start) or point "
            "BENCH_DATABASE_URL at one."
        ) from None
    with conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reseed:
            say(f"Dropping database {name} (BENCH_RESEED).")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            say(f"Creating database {name}.")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def server_env(config: Config, port: int, use_redis: bool) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "EMAIL_HOST",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "DJANGO_SETTINGS_MODULE",
            # gunicorn serves what production serves: without the development tools.
            "DEVTOOLS",
        }
    }
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no redirect to HTTPS and no HSTS. The session and
            # CSRF cookies stay Secure; the benchmark sends them back by hand.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_HSTS_SECONDS": "0",
            # Staff sign in with a password only here; production asks them for a second
            # factor (MFA_REQUIRED_FOR_STAFF is on by default when DEBUG is off).
            "MFA_REQUIRED_FOR_STAFF": "0",
            "DATABASE_URL": config.database_url,
            "DATABASE_POOL": "1" if config.pool else "0",
            "CONN_MAX_AGE": "600",
            "STATIC_MANIFEST": "1",
            "STATIC_ROOT": str(OUT / "static"),
            "CELERY_QUEUE_DIR": str(OUT / "celery"),
            "LOG_LEVEL": "WARNING",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(config.workers),
            "PYTHONUNBUFFERED": "1",
        }
    )
    if use_redis:
        env["REDIS_URL"] = config.redis_url
    venv_bin = ROOT / ".venv" / "bin"
    if venv_bin.is_dir():
        env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


def plain_command(port: int, workers: int) -> list[str]:
    """bin/web's gunicorn command, serving devtools/bench_plain.py instead of the site."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        PLAIN_APP,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--logger-class",
        "core.access_log.RedactingLogger",
        "--graceful-timeout",
        "30",
    ]


def wait_until_serving(
    port: int, server: subprocess.Popen[bytes], log: Path, probe: str = "/healthz/session"
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            status, _, _ = request(port, "GET", probe)
        except OSError:
            time.sleep(0.3)
            continue
        if status in (200, 302):
            return
        raise SystemExit(f"gunicorn answers {status} at start:\n{log.read_text()[-3000:]}")
    raise SystemExit(f"gunicorn did not answer within a minute:\n{log.read_text()[-3000:]}")


def drain(port: int, probe: str = "/healthz/session") -> None:
    """Wait until the workers have answered what wrk left queued when it stopped (its
    connections are gone, but gunicorn still serves each request it had accepted), so
    that one page's backlog does not count against the next."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        started = time.monotonic()
        request(port, "GET", probe)
        if time.monotonic() - started < 0.25:
            return
    raise SystemExit("gunicorn is still busy ten minutes after wrk stopped.")


def stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# -- in-process look-ups: the dataset's ids, query counts, one request's time ----------


def setup_django(env: dict[str, str]) -> None:
    for key in ("REDIS_URL", "DATABASE_POOL"):
        os.environ.pop(key, None)
    os.environ.update({k: v for k, v in env.items() if k != "PATH"})
    # This process reads the database while gunicorn serves: no pool of its own.
    os.environ["DATABASE_POOL"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def dataset() -> tuple[int, int, dict[str, str]]:
    """The scale program, participant 1's project and the bench accounts by role."""
    from devtools.scale import ORGANIZATION, PROGRAM, bench_logins
    from programs.models import Program
    from projects.models import Project

    program = Program.objects.filter(name=PROGRAM, organization__name=ORGANIZATION).first()
    if program is None:
        raise SystemExit(
            "The bench database holds no scale program (it held another program, so "
            "seed_scale --if-empty left it alone). Run again with BENCH_RESEED=1."
        )
    emails = dict(
        zip(
            ("admin", "coach", "sponsor", "participant"),
            (e for _, e in bench_logins()),
            strict=True,
        )
    )
    project = Project.objects.get(
        team__cohort__program=program, team__members__user__email=emails["participant"]
    )
    return program.pk, project.pk, emails


@dataclass
class Profile:
    queries: int
    ms: float
    status: int
    kilobytes: float
    # The same request with the page's kept parts made again (core/page_cache.py), as at
    # the first visit after a write.
    made_queries: int = 0
    made_ms: float = 0.0


def profile(path: str, cookie: str, runs: int = 5) -> Profile:
    """One request in this process: its SQL queries, and the median time of a few."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.page_cache import renew_stamp

    name, _, value = cookie.partition("=")
    client = Client(raise_request_exception=True)
    client.cookies[name] = value
    client.get(path, SERVER_NAME="127.0.0.1")  # warm: templates, URL resolver
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, SERVER_NAME="127.0.0.1")
    # Read now: the next request empties the connection's query log.
    queries = len(captured.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(path, SERVER_NAME="127.0.0.1")
        times.append((time.perf_counter() - started) * 1000)
    made_times = []
    for _ in range(runs):
        renew_stamp()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(path, SERVER_NAME="127.0.0.1")
            made_times.append((time.perf_counter() - started) * 1000)
    return Profile(
        queries=queries,
        ms=statistics.median(times),
        status=response.status_code,
        kilobytes=len(response.content) / 1024,
        made_queries=len(captured.captured_queries),
        made_ms=statistics.median(made_times),
    )


# -- the run ---------------------------------------------------------------------------


@dataclass
class Row:
    page: Page
    path: str
    wrk: WrkResult | None = None
    profile: Profile | None = None
    problem: str = ""
    verdicts: list[str] = field(default_factory=list)


def fmt_ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


LoadAverage = tuple[float, float, float]


def fmt_load(load: LoadAverage) -> str:
    return " ".join(f"{value:.2f}" for value in load)


def table_lines(
    rows: list[Row], *, plain: Row | None, load: tuple[LoadAverage, LoadAverage]
) -> list[str]:
    """The table: plain Django first, then the floor and the pages, each page's ratio
    against the floor; under it, the floor against plain Django and the load average at
    the run's start and end, which every figure should be quoted with."""
    floor = next((row.wrk for row in rows if row.page.slug == "floor"), None)
    floor_rps = floor.requests_per_second if floor else None
    headers = [
        "page",
        "as",
        "req/s",
        "p50",
        "p99",
        "× floor",
        "1 req",
        "queries",
        "made",
        "made q",
        "targets",
    ]
    table = []
    for row in [plain, *rows] if plain else rows:
        role = row.page.role or "-"
        if row.wrk is None:
            table.append([row.page.label, role, *["-"] * 8, row.problem])
            continue
        ratio = row.wrk.requests_per_second / floor_rps if floor_rps else 0.0
        targets = ", ".join(row.verdicts) or ("met" if row is not plain else "(reference)")
        table.append(
            [
                row.page.label,
                role,
                f"{row.wrk.requests_per_second:.1f}",
                fmt_ms(row.wrk.p50_ms),
                fmt_ms(row.wrk.p99_ms),
                f"{ratio:.2f}",
                fmt_ms(row.profile.ms) if row.profile else "-",
                str(row.profile.queries) if row.profile else "-",
                fmt_ms(row.profile.made_ms) if row.profile else "-",
                str(row.profile.made_queries) if row.profile else "-",
                targets,
            ]
        )
    widths = [max(len(str(line[i])) for line in [headers, *table]) for i in range(len(headers))]
    numeric = {2, 3, 4, 5, 6, 7, 8, 9}

    def line(cells: list[str]) -> str:
        return "  ".join(
            str(cell).rjust(widths[i]) if i in numeric else str(cell).ljust(widths[i])
            for i, cell in enumerate(cells)
        ).rstrip()

    lines = [line(headers), "  ".join("-" * width for width in widths)]
    lines += [line(cells) for cells in table]
    if plain is not None:
        to_plain = floor_to_plain(floor_rps, plain)
        if to_plain is not None and plain.wrk is not None:
            lines.append(
                f"floor = {to_plain:.2f}× plain Django ({floor_rps:.1f} against "
                f"{plain.wrk.requests_per_second:.1f} req/s)"
            )
        else:
            lines.append("floor against plain Django: not measured")
    start, end = load
    lines.append(
        f"load average (1, 5, 15 min): {fmt_load(start)} at the start, {fmt_load(end)} at the end"
    )
    return lines


def floor_to_plain(floor_rps: float | None, plain: Row | None) -> float | None:
    if not floor_rps or plain is None or plain.wrk is None or not plain.wrk.requests_per_second:
        return None
    return floor_rps / plain.wrk.requests_per_second


def measure(config: Config, port: int, path: str, cookie: str, probe: str) -> WrkResult:
    """wrk on one page after its warm-up, each followed by the server's catching up."""
    url = f"http://127.0.0.1:{port}{path}"
    if config.warmup:
        run_wrk(
            url,
            cookie,
            seconds=config.warmup,
            connections=config.connections,
            threads=config.threads,
        )
        drain(port, probe)
    output = run_wrk(
        url,
        cookie,
        seconds=config.duration,
        connections=config.connections,
        threads=config.threads,
    )
    drain(port, probe)
    return parse_wrk(output)


def measure_plain(config: Config, env: dict[str, str]) -> Row:
    """Plain Django's row, measured before the site's gunicorn starts: one gunicorn at a
    time, as each would run in production."""
    plain = Row(page=PLAIN, path="/")
    port = free_port()
    log = OUT / "gunicorn-plain.log"
    say(
        f"Starting plain Django ({PLAIN_APP}, {config.workers} sync workers) on "
        f"127.0.0.1:{port}; log in {log.relative_to(ROOT)}."
    )
    with log.open("wb") as log_file:
        server = subprocess.Popen(  # noqa: S603
            plain_command(port, config.workers),
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(port, server, log, probe=plain.path)
        status, _, _ = request(port, "GET", plain.path)
        if status != 200:
            plain.problem = f"answers HTTP {status}"
            return plain
        say(f"Measuring {plain.page.label} ({plain.path} of {PLAIN_APP})…")
        plain.wrk = measure(config, port, plain.path, "", probe=plain.path)
    finally:
        stop(server)
    return plain


def row_json(row: Row) -> dict[str, object]:
    return {
        "page": row.page.slug,
        "label": row.page.label,
        "role": row.page.role,
        "path": row.path,
        "wrk": asdict(row.wrk) if row.wrk else None,
        "profile": asdict(row.profile) if row.profile else None,
        "problem": row.problem,
        "verdicts": row.verdicts,
    }


def main() -> int:
    config = Config.from_env()
    chosen = choose_pages(config.only)  # a mistyped BENCH_PAGES stops the run here
    OUT.mkdir(parents=True, exist_ok=True)
    cores = os.cpu_count() or 1
    load = os.getloadavg()
    say(
        f"ActionLab HTTP benchmark: {cores} cores, load average {load[0]:.2f} {load[1]:.2f} "
        f"{load[2]:.2f} at start (a busy machine lowers every number)."
    )
    port = config.port or free_port()
    use_redis = redis_answers(config.redis_url)
    if config.redis_url and not use_redis:
        say(f"Redis does not answer at {config.redis_url}: the cache is local memory.")
    env = server_env(config, port, use_redis)

    ensure_database(config.database_url, reseed=config.reseed)
    say("Migrating and collecting static files (bin/release)…")
    run_step(["bin/release"], env | {"LOG_LEVEL": "WARNING"})
    say("Seeding the scale dataset if the database holds no program (seed_scale)…")
    run_step(
        [str(Path(sys.executable)), "manage.py", "seed_scale", "--if-empty", *config.seed_args],
        env | {"DEVTOOLS": "1"},
    )
    setup_django(env)
    from django.conf import settings
    from django.db import connections

    from devtools.scale import BENCH_PASSWORD

    program_id, project_id, emails = dataset()
    urls = page_urls(program_id, project_id)
    rows = [Row(page=p, path=urls[p.slug]) for p in chosen]
    connections.close_all()

    plain = measure_plain(config, env)
    log = OUT / "gunicorn.log"
    say(
        f"Starting gunicorn ({config.workers} sync workers) on 127.0.0.1:{port}, "
        f"DEBUG off, database {'pool' if config.pool else 'persistent connections'}, "
        f"cache {'Redis' if use_redis else 'local memory'}; log in {log.relative_to(ROOT)}."
    )
    with log.open("wb") as log_file:
        server = subprocess.Popen(  # noqa: S603
            [str(ROOT / "bin" / "web")],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(port, server, log)
        cookies = {
            role: sign_in(port, email, BENCH_PASSWORD, settings.SESSION_COOKIE_NAME)
            for role, email in emails.items()
        }
        say("Signed in as " + ", ".join(f"{role} {email}" for role, email in emails.items()))
        for row in rows:
            status, _, _ = request(port, "GET", row.path, cookie=cookies[row.page.role])
            if status != 200:
                row.problem = f"answers HTTP {status}"
                continue
            row.profile = profile(row.path, cookies[row.page.role])
            connections.close_all()
            if row.profile.status != 200:
                row.problem = f"answers HTTP {row.profile.status} in-process"
        for row in rows:
            if row.problem:
                continue
            cookie = cookies[row.page.role]
            say(f"Measuring {row.page.label} ({row.path}) as the {row.page.role}…")
            row.wrk = measure(config, port, row.path, cookie, probe="/healthz/session")
    finally:
        stop(server)

    floor = next((row.wrk for row in rows if row.page.slug == "floor"), None)
    floor_rps = floor.requests_per_second if floor else None
    if plain.wrk and plain.wrk.errors:
        plain.verdicts.append(f"{plain.wrk.errors} errors")
    missed = 0
    for row in rows:
        if row.wrk is None:
            missed += 1
            continue
        if row.wrk.errors:
            row.verdicts.append(f"{row.wrk.errors} errors")
        below = floor_rps and row.wrk.requests_per_second < FLOOR_RATIO_TARGET * floor_rps
        if below and row.page.slug != "floor":
            row.verdicts.append(f"< {FLOOR_RATIO_TARGET}× floor")
        if row.wrk.p99_ms > P99_TARGET_MS:
            row.verdicts.append(f"p99 > {P99_TARGET_MS:.0f} ms")
        missed += bool(row.verdicts)
    end_load = os.getloadavg()
    say("")
    say(
        f"{config.connections} connections, {config.duration} s a page, {config.workers} "
        f"gunicorn sync workers. Targets: each page ≥ {FLOOR_RATIO_TARGET}× the floor's "
        f"req/s, p99 ≤ {P99_TARGET_MS:.0f} ms. 'Django, no middleware': one view with no "
        "middleware, database or app (devtools/bench_plain.py), served and loaded the same "
        "way. '1 req': one request in-process, median of 5, a repeat visit (its kept parts "
        "read from the cache, as under wrk); 'queries': its SQL queries; 'made' and 'made q': "
        "the same with the kept parts made again, as at the first visit after a write "
        "(core/page_cache.py)."
    )
    for text in table_lines(rows, plain=plain, load=(load, end_load)):
        say(text)
    results = {
        "load_average": {"start": load, "end": end_load},
        "config": {k: v for k, v in asdict(config).items() if k != "database_url"},
        "plain_django": row_json(plain),
        "floor_to_plain_django": floor_to_plain(floor_rps, plain),
        "pages": [row_json(row) for row in rows],
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    say(
        f"{len(rows) - missed} of {len(rows)} pages met the targets; "
        "details in var/bench/results.json."
    )
    return 1 if config.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
