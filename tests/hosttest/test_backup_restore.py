"""bin/backup and bin/restore, run for real against the local PostgreSQL (127.0.0.1:5432,
user postgres).

A scratch database is migrated and filled with the demo program, backed up, and restored
into a second scratch database; every table of the public schema must hold as many rows in
the copy as in the original. Both databases (named actionlab_restore_*) are dropped
afterwards, whatever happened.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple, NoReturn

import psycopg
import pytest
from psycopg import sql

pytestmark = pytest.mark.hosttest

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# Only these variables of the test's own environment reach the scripts.
PASSED_THROUGH = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR")
COMMAND_TIMEOUT = 300


def unavailable(reason: str) -> NoReturn:
    """Skip on a workstation without PostgreSQL; in CI a missing service is a failure."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so the host test may not be skipped")
    pytest.skip(reason)


class Scratch(NamedTuple):
    source: str
    copy: str


@pytest.fixture
def scratch() -> Iterator[Scratch]:
    """Two new, empty databases, dropped afterwards whatever the scripts left."""
    stem = f"actionlab_restore_{uuid.uuid4().hex[:10]}"
    names = [f"{stem}_source", f"{stem}_copy"]
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.Error as error:
        unavailable(f"PostgreSQL is not reachable at 127.0.0.1:5432: {error}")
    with admin:
        try:
            for name in names:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            yield Scratch(*(f"postgres://postgres@127.0.0.1:5432/{name}" for name in names))
        finally:
            for name in names:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


def environment(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "SECRET_KEY": "hosttest-secret-key-not-for-production-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "localhost",
            "CELERY_QUEUE_DIR": str(tmp_path / "queue"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def run(command: list[str], env: dict[str, str], *, expect: int = 0) -> str:
    """Run a command from the repository's root; its output (stdout and stderr)."""
    done = subprocess.run(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == expect, (
        f"{' '.join(command)} exited with {done.returncode}, not {expect}:\n{output[-4000:]}"
    )
    return output


def manage(*args: str) -> list[str]:
    return [sys.executable, "manage.py", *args]


def public_tables(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY 1"
        ).fetchall()
    return [name for (name,) in rows]


def row_counts(url: str, tables: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    with psycopg.connect(url) as connection:
        for table in tables:
            query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("public", table))
            row = connection.execute(query).fetchone()
            assert row is not None
            counts[table] = int(row[0])
    return counts


def sequence_positions(url: str) -> dict[str, int | None]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT sequencename, last_value FROM pg_catalog.pg_sequences "
            "WHERE schemaname = 'public'"
        ).fetchall()
    return dict(rows)


def test_a_backup_restored_into_another_database_holds_every_row_of_every_table(
    scratch: Scratch, tmp_path: Path
) -> None:
    source_env = environment(scratch.source, tmp_path)
    run(manage("migrate", "--noinput"), source_env)
    # The demo is a development tool, which the production environment leaves out.
    run(manage("seed_demo"), source_env | {"DEVTOOLS": "1"})

    dump = tmp_path / "actionlab.dump"
    output = run(["bin/backup", str(dump)], source_env)
    assert str(dump) in output
    assert dump.read_bytes()[:5] == b"PGDMP", "not pg_dump's custom format"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600, "a backup holds personal data"

    # The target is an argument; DATABASE_URL still names the source, which stays untouched.
    output = run(["bin/restore", str(dump), scratch.copy], source_env)
    assert "in step with this code" in output
    run(manage("migrate", "--check"), environment(scratch.copy, tmp_path))

    tables = public_tables(scratch.source)
    assert public_tables(scratch.copy) == tables
    original = row_counts(scratch.source, tables)
    restored = row_counts(scratch.copy, tables)
    different = {t: (original[t], restored[t]) for t in tables if original[t] != restored[t]}
    assert not different, f"row counts differ (original, restored): {different}"
    assert sequence_positions(scratch.copy) == sequence_positions(scratch.source)
    # Not vacuous: the demo filled the tables that matter.
    for table in (
        "django_migrations",
        "programs_program",
        "programs_membership",
        "teams_team",
        "projects_project",
        "reflections_reflection",
        "reflections_checkin",
    ):
        assert original.get(table, 0) > 0, f"the demo left {table} empty"
    assert len(tables) >= 40
    print(
        f"bin/restore: compared the row counts of {len(tables)} tables "
        f"({sum(original.values())} rows); all equal"
    )

    # The copy now holds data: a second restore is refused without --force ...
    refused = run(["bin/restore", str(dump), scratch.copy], source_env, expect=1)
    assert "not empty" in refused and "--force" in refused
    assert row_counts(scratch.copy, tables) == original
    # ... and replaces the contents with it, leaving the same rows.
    run(["bin/restore", "--force", str(dump), scratch.copy], source_env)
    assert row_counts(scratch.copy, tables) == original


def test_without_a_file_the_backup_gets_a_timestamped_name_in_the_backup_dir(
    scratch: Scratch, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    env = environment(scratch.source, tmp_path, BACKUP_DIR=str(backups))
    run(["bin/backup"], env)
    (made,) = list(backups.iterdir())
    database = scratch.source.rsplit("/", 1)[1]
    assert re.fullmatch(rf"actionlab-{database}-\d{{8}}T\d{{6}}Z\.dump", made.name), made.name
    assert made.read_bytes()[:5] == b"PGDMP"


@pytest.mark.parametrize(
    "database_url",
    ["sqlite:///var/actionlab.sqlite3", "mysql://actionlab:secret-password@db/actionlab", ""],
)
def test_backup_refuses_a_database_that_is_not_postgresql_and_says_why(
    database_url: str, tmp_path: Path
) -> None:
    env = environment(database_url, tmp_path, BACKUP_DIR=str(tmp_path / "backups"))
    if not database_url:
        del env["DATABASE_URL"]
    output = run(["bin/backup"], env, expect=1)
    assert "works with PostgreSQL only" in output
    assert "secret-password" not in output
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a dump")
    env = environment("postgres://postgres@127.0.0.1:5432/unused", tmp_path)
    output = run(["bin/restore", str(bogus)], env, expect=1)
    assert "not a pg_dump custom-format file" in output
