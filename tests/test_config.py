"""Config loading: defaults, extends, overrides, and readable errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from allocsim.cli import main
from allocsim.config import Config
from allocsim.errors import ConfigError
from allocsim.loader import load_config

CONFIGS = sorted(Path(__file__).parent.parent.glob("configs/*.toml"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load_config(path, overrides)
    return [str(p) for p in err.value.problems]


def test_defaults_are_the_agreement() -> None:
    cfg = Config()
    assert cfg.policies.starter_pilot.quota_per_year == {"Duiven": 8, "Westervoort": 6}
    assert cfg.policies.starter_pilot.max_rent_2021 == 633.25
    assert cfg.policies.lottery_cap.cap_share == {"Duiven": 0.15, "Westervoort": 0.15}
    assert cfg.policies.status_holders.cap_share == 0.10
    assert cfg.policies.village_rule.villages == ("Loo", "Groessen")


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_every_shipped_config_validates(path: Path) -> None:
    assert load_config(path).name == path.stem


def test_unknown_key_names_file_key_and_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", "[behaviour]\np_unreachables = 0.3\n")
    [msg] = problems(path)
    assert str(path) in msg
    assert "behaviour.p_unreachables" in msg
    assert "p_unreachable" in msg  # the allowed keys are listed


def test_out_of_range_and_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.toml", '[behaviour]\np_unreachable = 1.5\nmemory_adverts = "two"\n')
    msgs = problems(path)
    assert len(msgs) == 2
    assert any(
        "behaviour.p_unreachable = 1.5" in m and "less than or equal to 1" in m for m in msgs
    )
    assert any("memory_adverts = 'two'" in m for m in msgs)


def test_inconsistent_values(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.toml",
        "[run]\nstart_date = 2022-06-01\nend_date = 2022-01-01\n"
        "[policies.starter_pilot]\nquota_per_year = { Arnhem = 3 }\n",
    )
    [msg] = problems(path)
    assert "end_date" in msg and "Arnhem" in msg and "Westervoort" in msg


def test_syntax_error_and_missing_csv(tmp_path: Path) -> None:
    assert "valid TOML" in problems(write(tmp_path, "a.toml", "[run\n"))[0]
    path = write(tmp_path, "b.toml", '[stock]\nsource = "csv"\ncsv_path = "nope.csv"\n')
    assert "no such file" in problems(path)[0]


def test_extends_merges_and_blames_the_right_file(tmp_path: Path) -> None:
    write(tmp_path, "base.toml", 'name = "base"\n[behaviour]\np_unreachable = 0.2\n')
    child = write(
        tmp_path, "child.toml", 'extends = "base.toml"\nname = "child"\n[run]\nreplications = 3\n'
    )
    cfg = load_config(child)
    assert (cfg.name, cfg.behaviour.p_unreachable, cfg.run.replications) == ("child", 0.2, 3)
    write(tmp_path, "base2.toml", "[behaviour]\np_unreachable = 7\n")
    child2 = write(tmp_path, "child2.toml", 'extends = "base2.toml"\n')
    assert "base2.toml" in problems(child2)[0]


def test_set_overrides_are_validated(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.toml", "")
    cfg = load_config(path, ("behaviour.p_unreachable=0.4", "name=x"))
    assert cfg.behaviour.p_unreachable == 0.4 and cfg.name == "x"
    [msg] = problems(path, ("behaviour.p_unreachable=-1",))
    assert msg.startswith("--set behaviour.p_unreachable=-1")


def test_cli_bad_config_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bad.toml", "[run]\nreplications = 0\n")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "run.replications = 0" in err and "Traceback" not in err
    assert not out.exists()


def test_too_many_villages(tmp_path: Path) -> None:
    areas = "".join(
        f'[[stock.areas]]\nmunicipality = "M"\nvillage = "V{i}"\nn_homes = 1\n'
        'neighbourhoods = ["N"]\n'
        for i in range(33)
    )
    path = write(tmp_path, "many.toml", areas)
    assert any("at most 32" in m for m in problems(path))
