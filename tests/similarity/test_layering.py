"""similarity sits above submissions, showcase and reviews: none of them imports it (their templates
may `{% load similarity %}`, the documented way for them to show its flags)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _imports(app):
    found = []
    for path in (ROOT / app).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [(path, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module))
    return found


@pytest.mark.parametrize("app", ["core", "organizations", "campaigns", "submissions", "reviews", "showcase", "dashboard"])
def test_lower_apps_do_not_import_similarity(app):
    bad = [f"{p.relative_to(ROOT)}: {m}" for p, m in _imports(app) if m == "similarity" or m.startswith("similarity.")]
    assert not bad, bad


def test_the_layering_check_sees_imports():
    assert any(m.startswith("submissions") for _p, m in _imports("similarity"))
