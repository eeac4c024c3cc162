"""The benchmark's floor page and how `bin/bench` reads wrk. The benchmark itself runs
with `make bench`, never in `make test`."""

from __future__ import annotations

import re
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from devtools.http_bench import (
    PLAIN,
    PLAIN_APP,
    ROOT,
    Row,
    choose_pages,
    dataset,
    page_urls,
    pages,
    parse_wrk,
    plain_command,
    table_lines,
    to_ms,
)
from devtools.scale import BENCH_PASSWORD
from tests import factories as f

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:8123/healthz/session
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    24.31ms    5.02ms  81.44ms   88.12%
    Req/Sec   329.02     40.11   410.00     70.00%
  Latency Distribution
     50%   23.50ms
     75%   25.90ms
     90%   29.12ms
     99%   46.70ms
  6561 requests in 10.01s, 2.10MB read
  Socket errors: connect 0, read 6561, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:    655.43
Transfer/sec:    214.67KB
"""


def test_floor_page_needs_a_signed_in_person(db: None) -> None:
    path = reverse("session_probe")
    anonymous = Client().get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    client = Client()
    user = f.UserFactory()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    assert response.content == f"ok {user.pk}\n".encode()
    assert "no-cache" in response["Cache-Control"]


def test_wrk_output_gives_throughput_percentiles_and_failures() -> None:
    result = parse_wrk(WRK_OUTPUT)
    assert result.requests_per_second == pytest.approx(655.43)
    assert result.p50_ms == pytest.approx(23.5)
    assert result.p99_ms == pytest.approx(46.7)
    assert result.requests == 6561
    # Closed connections (read errors) are how sync workers end each answer, not failures.
    assert result.errors == 3 + 2


def test_wrk_durations_in_every_unit() -> None:
    assert to_ms("870.00us") == pytest.approx(0.87)
    assert to_ms("1.50s") == pytest.approx(1500)
    assert to_ms("2.00m") == pytest.approx(120_000)
    with pytest.raises(ValueError, match="wrk duration"):
        to_ms("fast")


def test_every_page_answers_its_reader_on_the_scale_dataset(db: None) -> None:
    call_command(
        "seed_scale",
        *("--participants", "45", "--teams", "6", "--weeks", "4", "--cohorts", "2"),
        stdout=StringIO(),
    )
    connection.check_constraints()
    program_id, project_id, emails = dataset()
    urls = page_urls(program_id, project_id)
    clients = {}
    for role, email in emails.items():
        clients[role] = Client()
        assert clients[role].login(email=email, password=BENCH_PASSWORD), role
    for page in pages():
        response = clients[page.role].get(urls[page.slug])
        assert response.status_code == 200, (page.label, page.role, urls[page.slug])
    # One address, each role's own home: the part that role's row of the table measures.
    parts = {
        "home": ("participant", "My week"),
        "coach-home": ("coach", "Teams I coach"),
        "sponsor-home": ("sponsor", "Projects I sponsor"),
        "admin-home": ("admin", "Programs I run"),
    }
    for slug, (role, heading) in parts.items():
        assert urls[slug] == reverse("home")
        assert heading in clients[role].get(urls[slug]).content.decode(), slug


def test_bench_pages_measures_the_floor_and_the_pages_it_names() -> None:
    every = [p.slug for p in choose_pages([])]
    assert every[0] == "floor"
    assert {"coach-home", "sponsor-home", "admin-home", "notifications"} <= set(every)
    chosen = choose_pages(["admin-home", "notifications"])
    assert [p.slug for p in chosen] == ["floor", "notifications", "admin-home"]
    assert [p.role for p in chosen] == ["participant", "participant", "admin"]


def test_bench_pages_refuses_a_page_it_does_not_know() -> None:
    with pytest.raises(SystemExit, match="no such page: coach_home"):
        choose_pages(["coach-home", "coach_home"])


def wrk_result(requests_per_second: float) -> str:
    return WRK_OUTPUT.replace("655.43", f"{requests_per_second:.2f}")


def test_table_shows_plain_django_above_the_floor_and_the_floor_against_it() -> None:
    floor, home = pages()[:2]
    rows = [
        Row(page=floor, path="/healthz/session", wrk=parse_wrk(wrk_result(1000.0))),
        Row(page=home, path="/", wrk=parse_wrk(wrk_result(250.0))),
    ]
    plain = Row(page=PLAIN, path="/", wrk=parse_wrk(wrk_result(3125.0)))
    lines = table_lines(rows, plain=plain, load=((0.5, 0.25, 0.125), (1.98, 1.5, 1.0)))
    body = lines[2:5]
    assert [line.split("  ")[0].strip() for line in body] == [
        "Django, no middleware",
        "floor: signed-in minimal page",
        "participant home",
    ]
    # Every ratio in the table is against the floor, plain Django's too.
    assert "3.12" in body[0]
    assert "(reference)" in body[0]
    assert "1.00" in body[1]
    assert "0.25" in body[2]
    assert "floor = 0.32× plain Django (1000.0 against 3125.0 req/s)" in lines
    assert (
        "load average (1, 5, 15 min): 0.50 0.25 0.12 at the start, 1.98 1.50 1.00 at the end"
        in lines
    )


def test_table_says_when_plain_django_was_not_measured() -> None:
    floor = pages()[0]
    rows = [Row(page=floor, path="/healthz/session", wrk=parse_wrk(WRK_OUTPUT))]
    plain = Row(page=PLAIN, path="/", problem="answers HTTP 500")
    lines = table_lines(rows, plain=plain, load=((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)))
    assert lines[2].startswith("Django, no middleware")
    assert lines[2].endswith("answers HTTP 500")
    assert "floor against plain Django: not measured" in lines
    assert lines[-1].startswith("load average")


def test_plain_django_is_served_with_bin_webs_gunicorn_options() -> None:
    command = plain_command(8123, 3)
    assert command[command.index(PLAIN_APP) + 1 :][:4] == [
        "--bind",
        "127.0.0.1:8123",
        "--workers",
        "3",
    ]
    web = (ROOT / "bin" / "web").read_text()
    served = web[web.index("exec gunicorn") :]
    assert set(re.findall(r"--[a-z-]+", served)) == {o for o in command if o.startswith("--")}
    for option, value in (
        ("--logger-class", "core.access_log.RedactingLogger"),
        ("--graceful-timeout", "30"),
    ):
        assert f"{option} {value}" in served
        assert command[command.index(option) + 1] == value


PLAIN_REQUEST = """
import io, sys
from devtools.bench_plain import application

answers = []
environ = {
    "REQUEST_METHOD": "GET", "PATH_INFO": "/", "SERVER_NAME": "127.0.0.1",
    "SERVER_PORT": "80", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr,
}
body = b"".join(application(environ, lambda status, headers, *_: answers.append(status)))
print(answers[0], body)
"""


def test_plain_django_answers_with_its_own_settings() -> None:
    # Its settings are made on import, so it runs in a process of its own, where the
    # project's settings module (set for the test run) must not be read.
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_REQUEST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout == "200 OK b'ok\\n'\n"
