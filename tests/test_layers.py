"""The apps' imports point down only (STYLE.md, "Layers"): an app imports the apps below
it and `core`, never one above it, so each feature has one home and no two apps import
each other. `core` imports no app; nothing imports `config` or `devtools`."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Lowest first: each app may import those before it.
LAYERS = [
    "programs",
    "teams",
    "projects",
    "reflections",
    "coaching",
    "notifications",
    "dashboards",
    "devtools",
]
APPS = {"core", "config", *LAYERS}


def imported_apps(path: Path) -> set[str]:
    """The project apps a module imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & APPS
    return found


def modules(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts]


def allowed(app: str) -> set[str]:
    if app == "core":
        return {"core"}
    return {"core", *LAYERS[: LAYERS.index(app) + 1]}


def test_every_app_imports_only_the_apps_below_it() -> None:
    upward = [
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(extra))}"
        for app in ["core", *LAYERS]
        for path in modules(app)
        if (extra := imported_apps(path) - allowed(app))
    ]
    assert upward == []


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "upward.py"
    module.write_text("def f():\n    from dashboards.models import ShowcaseItem\n")
    assert imported_apps(module) == {"dashboards"}
