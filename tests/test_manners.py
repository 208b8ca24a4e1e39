"""The command line's manners: --version, help for every option, a missing extra named."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest

from allocsim import package_version
from allocsim.cli import build_parser, main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"allocsim {package_version()}\n"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (sub,) = [a for a in parser._subparsers._group_actions if a.choices]  # type: ignore[union-attr]
    return {"": parser, **sub.choices}  # type: ignore[dict-item]


@pytest.mark.parametrize("command", list(subcommands()))
def test_every_option_and_positional_has_help(command: str) -> None:
    parser = subcommands()[command]
    for action in parser._actions:
        assert action.help, f"allocsim {command}: {action.dest} has no help"


@pytest.mark.parametrize("command", [c for c in subcommands() if c])
def test_help_shows_defaults(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    parser = subcommands()[command]
    with pytest.raises(SystemExit):
        parser.parse_args(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    formatter = parser._get_formatter()
    for action in parser._actions:
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            # This option's own help names its default (not one "default" anywhere).
            own = " ".join(formatter._get_help_string(action).split())  # type: ignore[arg-type]
            shown = " ".join(formatter._expand_help(action).split())
            assert "default" in own, f"allocsim {command} {action.option_strings}: no default"
            assert shown in text, f"allocsim {command} {action.option_strings}: help not shown"
            if "%(default)s" in own:
                assert str(action.default) in shown
    assert "(default: None)" not in text and "(default: False)" not in text


def test_check_steady_help_names_each_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["check-steady", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "years of the drift run (default: 20)" in text
    assert "relative margin (default: 0.05)" in text


def test_dask_executor_without_dask_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # importing it raises ImportError
    spec = tmp_path / "e.toml"
    spec.write_text(
        'name = "e"\nseed = 1\nbaseline = "a"\n[replications]\nfixed = 1\n'
        '[window]\nstart_date = 2022-01-01\nend_date = 2022-02-01\n[[scenarios]]\nlabel = "a"\n'
        f'config = "{Path("configs/agreements-2022.toml").resolve()}"\n'
    )
    out = tmp_path / "out"
    code = main(["experiment", str(spec), "--executor", "dask", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and "pip install 'allocsim[dask]'" in err
    assert not out.exists()  # nothing written
