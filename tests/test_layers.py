"""The package's layers (allocsim/layers.py): imports go downward only, every module has
a layer, and the check itself sees an upward import when there is one."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocsim import layers


def test_no_module_imports_from_a_layer_above() -> None:
    assert layers.upward_imports() == []


def test_every_module_is_in_a_layer() -> None:
    for module in layers.imports():
        layers.layer_of(module)  # raises KeyError naming a module in no layer


def test_an_upward_import_is_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A copy of two modules where the lower imports the upper, inside a function."""
    (tmp_path / "config.py").write_text("def f():\n    from allocsim.reports.report import build\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "report.py").write_text("from allocsim import config\n")
    monkeypatch.setattr(layers, "PACKAGE", tmp_path)
    assert layers.imports() == {"config": {"reports.report"}, "reports.report": {"config"}}
    assert layers.upward_imports() == [("config", "reports.report")]
    with pytest.raises(KeyError, match="no layer"):
        layers.layer_of("newcomer")
