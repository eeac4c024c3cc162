"""The documentation: docs/configuration.md lists every environment variable the project
reads, and the README gives the two commands, links every page of docs/ and shows the
screenshots of docs/screenshots/ with the command that takes them."""

from __future__ import annotations

import re
from pathlib import Path

from devtools.screenshots import ROLE_HOMES, WIDTHS, file_name

ROOT = Path(__file__).resolve().parent.parent


def variables_read() -> set[str]:
    settings = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r'(?:env_\w+|environ\.get)\(\s*"([A-Z_]+)"', settings))
    for script in (ROOT / "bin").iterdir():
        names |= set(re.findall(r"\$\{([A-Z][A-Z_]+)[:}]", script.read_text()))
    return names - {"BASH_SOURCE"}


def test_every_variable_is_in_the_configuration_table() -> None:
    configuration = (ROOT / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", configuration, flags=re.MULTILINE))
    found = variables_read()
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BIND"} <= found
    assert found - documented == set(), "document these in docs/configuration.md"


def test_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme
    assert "make test" in readme


def test_readme_links_every_page_of_the_documentation() -> None:
    readme = (ROOT / "README.md").read_text()
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    assert {
        "operations.md",
        "configuration.md",
        "privacy-and-security.md",
        "performance.md",
    } <= pages
    linked = set(re.findall(r"\]\(docs/([\w-]+\.md)\)", readme))
    assert pages - linked == set(), "link these from the README"


def test_links_between_the_pages_lead_somewhere() -> None:
    for page in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        for target, anchor in re.findall(
            r"\]\(((?:docs/|\.\./)?[\w./-]*\.md)(?:#([\w-]+))?\)", page.read_text()
        ):
            linked = (page.parent / target).resolve()
            assert linked.is_file(), f"{page.name} links to {target}, which does not exist"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", linked.read_text(), flags=re.MULTILINE)
                anchors = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}
                assert anchor in anchors, f"{page.name} links to {target}#{anchor}, not a heading"


def test_readme_shows_every_screenshot_with_the_command_that_takes_them() -> None:
    readme = (ROOT / "README.md").read_text()
    shown = re.findall(r'<img src="(docs/screenshots/[\w.-]+\.png)"', readme)
    saved = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs/screenshots").glob("*.png"))
    assert sorted(shown) == saved
    # Each role's home at both widths, as `manage.py screenshots` names them.
    homes = {
        f"docs/screenshots/{file_name(home, width)}" for home in ROLE_HOMES for width in WIDTHS
    }
    assert homes <= set(saved)
    assert "make screenshots" in readme
    assert re.search(
        r"^screenshots: .*\n\t.*manage\.py screenshots", (ROOT / "Makefile").read_text(), re.M
    )
