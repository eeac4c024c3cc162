"""The README documents every environment variable the project reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def variables_read() -> set[str]:
    settings = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r'(?:env_\w+|environ\.get)\(\s*"([A-Z_]+)"', settings))
    for script in (ROOT / "bin").iterdir():
        names |= set(re.findall(r"\$\{([A-Z][A-Z_]+)[:}]", script.read_text()))
    return names - {"BASH_SOURCE"}


def test_every_variable_is_in_the_configuration_table() -> None:
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", readme, flags=re.MULTILINE))
    found = variables_read()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BIND"} <= found
    assert found - documented == set(), "document these in the README's configuration table"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme
