"""The layering rule of SPEC section 1, proven in fresh interpreters."""

from __future__ import annotations

import subprocess
import sys

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
