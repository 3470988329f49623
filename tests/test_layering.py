"""The apps depend on each other one way (docs/principles.md): each imports only the apps
below it. A lower app that needs to tell a higher one something sends a signal instead."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# What each app may import from the project, besides itself.
ALLOWED = {
    "people": set(),
    "laws": {"people"},
    "powers": {"laws", "people"},
    "quizzes": {"laws", "powers", "people"},
    "courses": {"laws", "quizzes", "powers", "people"},
    "cases": {"courses", "laws", "quizzes", "powers", "people"},
    "certification": {"courses", "laws", "quizzes", "powers", "people"},
}
# The demo loader builds a whole city, so it calls every app's loader.
EXEMPT = {ROOT / "certification" / "management" / "commands" / "seed_demo.py"}


def _project_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


def _modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" in path.parts or path in EXEMPT:
            continue
        yield path


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_an_app_imports_only_the_apps_below_it(app):
    climbing = {
        str(path.relative_to(ROOT)): sorted(imported - ALLOWED[app] - {app})
        for path in _modules(app)
        if (imported := _project_imports(path)) - ALLOWED[app] - {app}
    }
    assert climbing == {}, f"{app} imports apps above it: {climbing}"


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("from certification.selectors import credential_status\n", encoding="utf-8")
    assert _project_imports(module) == {"certification"}
