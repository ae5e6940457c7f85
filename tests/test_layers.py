"""The layering rule of SPEC section 1, proven in fresh interpreters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest


def _loaded_after(module: str) -> set[str]:
    code = (
        f"import sys, {module}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", ["tui.domain", "tui.store", "tui.analytics"])
def test_core_layers_do_not_load_textual(module: str) -> None:
    loaded = _loaded_after(module)
    assert "textual" not in loaded
    assert "rich" not in loaded


@pytest.mark.parametrize("module", ["tui.domain", "tui.analytics"])
def test_domain_and_analytics_do_not_load_duckdb(module: str) -> None:
    assert "duckdb" not in _loaded_after(module)


def test_domain_does_not_load_polars() -> None:
    assert "polars" not in _loaded_after("tui.domain")


def test_presentation_layer_loads_neither_textual_nor_click() -> None:
    loaded = _loaded_after("tui.present")
    assert not {"textual", "click", "duckdb"} & loaded


# ---- import rules of the app shell, read from the source (every import, also inside functions)


TUI = Path(__file__).resolve().parent.parent / "tui"

#: folder (under tui/) -> module prefixes its files must never import
FORBIDDEN = {
    "screens": ("tui.cli", "tui.reports"),
    "modals": ("tui.cli", "tui.reports", "tui.screens"),
    "widgets": ("tui.cli", "tui.reports", "tui.screens"),
    "present": (
        "textual",
        "click",
        "rich",
        "duckdb",
        "tui.store",
        "tui.cli",
        "tui.reports",
        "tui.app",
        "tui.screens",
        "tui.modals",
        "tui.widgets",
        "tui.session",
    ),
    "domain": ("textual", "click", "rich", "duckdb", "polars", "tui.store", "tui.analytics"),
    "store": ("textual", "click", "rich", "tui.analytics", "tui.present", "tui.app"),
    "analytics": ("textual", "click", "rich", "duckdb", "tui.store", "tui.present", "tui.app"),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_import_rules(folder: str) -> None:
    broken = [
        f"{path.relative_to(TUI.parent)} imports {name}"
        for path in sorted((TUI / folder).rglob("*.py"))
        for name in sorted(_imports(path))
        if any(name == p or name.startswith(p + ".") for p in FORBIDDEN[folder])
    ]
    assert broken == []
