"""The repository holds code, never what running the app writes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def checkout() -> None:
    if shutil.which("git") is None or git("rev-parse", "--is-inside-work-tree").returncode:
        pytest.skip("not a git checkout")


def test_nothing_under_var_is_tracked(checkout: None) -> None:
    # var/ holds the SQLite database, the broker folder and collected static files: a
    # tracked database would be migrated instead of seeded on a fresh clone, and people's
    # writing would reach a commit.
    tracked = git("ls-files", "--", "var").stdout.split()
    assert tracked == []


def test_var_is_ignored(checkout: None) -> None:
    assert git("check-ignore", "-q", "var/actionlab.sqlite3").returncode == 0
