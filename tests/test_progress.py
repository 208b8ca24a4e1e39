"""Progress on stderr: a bar on a terminal, plain periodic lines in a log, nothing when quiet."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from allocsim.cli import main
from allocsim.progress import Progress, duration, speed

LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] \d+/\d+ replications")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def reporter(
    clock: FakeClock, total: int = 80, quiet: bool = False
) -> tuple[Progress, io.StringIO]:
    stream = io.StringIO()  # not a terminal
    progress = Progress(total, quiet=quiet, stream=stream, clock=clock, stamp=lambda: "12:03:04")
    return progress, stream


def test_a_line_at_most_every_ten_seconds_and_one_at_the_end() -> None:
    clock = FakeClock()
    progress, stream = reporter(clock)
    for _ in range(40):  # 40 replications at 0.8 per second: 50 s
        clock.now += 1.25
        progress.step()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5  # after 10, 20, 30, 40 and 50 s, not one per replication
    assert lines[-1] == "[12:03:04] 40/80 replications (50%), 0.8 per s, about 50 s left"
    for _ in range(40):
        clock.now += 1.25
        progress.step()
    clock.now += 1.0
    progress.close()
    progress.close()  # once
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[-1] == "[12:03:04] 80/80 replications (100%), 0.8 per s, 1 min 40 s in all"
    assert all(LINE.match(line) for line in lines)


def test_the_end_line_is_written_even_for_a_short_run_and_not_twice() -> None:
    clock = FakeClock()
    progress, stream = reporter(clock, total=2)
    clock.now += 3.0
    progress.step()
    clock.now += 3.0
    progress.step()
    assert stream.getvalue() == ""
    progress.close()
    assert stream.getvalue() == "[12:03:04] 2/2 replications (100%), 0.3 per s, 6 s in all\n"


def test_a_growing_total_and_quiet() -> None:
    clock = FakeClock()
    progress, stream = reporter(clock, total=0)
    progress.extend(10)
    clock.now += 20.0
    progress.step(5)
    progress.extend(10)  # a sequential stopping rule adds a batch
    assert stream.getvalue().splitlines()[-1].startswith("[12:03:04] 5/10 replications (50%)")
    assert "5/20 replications (25%)" in progress.line()
    quiet, stream = reporter(clock, quiet=True)
    clock.now += 20.0
    quiet.step()
    quiet.close()
    assert stream.getvalue() == ""


def test_the_estimate_leaves_out_the_start_up_and_says_so_until_it_can_tell() -> None:
    clock = FakeClock()
    progress, _ = reporter(clock, total=100)
    assert progress.line() == "[12:03:04] 0/100 replications (0%)"
    clock.now += 60.0  # the first replication compiles the model and computes the pilot
    progress.step()
    assert progress.line().endswith("1/100 replications (1%), estimating time left")
    for _ in range(9):  # then one a second
        clock.now += 1.0
        progress.step()
    # 90 left at 1 per s: 90 s, not the 10 min that 10 in 69 s would suggest.
    assert progress.line().endswith("10/100 replications (10%), 1.0 per s, about 1 min 30 s left")
    scenarios = Progress(20, detail="of 4 scenarios", stream=io.StringIO(), clock=clock)
    assert "0/20 replications of 4 scenarios (0%)" in scenarios.line()


def test_readable_rates_and_durations() -> None:
    assert speed(0.8) == "0.8 per s" and speed(25.0) == "25 per s"
    assert speed(0.02) == "1.2 per min"
    assert duration(50) == "50 s" and duration(100) == "1 min 40 s" and duration(120) == "2 min"
    assert duration(1500) == "25 min" and duration(9000) == "2.5 h"


TINY = (
    'name = "tiny"\n[run]\nend_date = 2022-02-01\nreplications = 2\nburnin_years = 1\n'
    "pilot_years = 2\n"
    '[[stock.areas]]\nmunicipality = "Duiven"\nvillage = "Duiven"\nn_homes = 200\n'
    'neighbourhoods = ["A"]\n'
    '[[stock.areas]]\nmunicipality = "Duiven"\nvillage = "Loo"\nn_homes = 20\n'
    'neighbourhoods = ["Loo"]\n'
    '[[stock.areas]]\nmunicipality = "Duiven"\nvillage = "Groessen"\nn_homes = 20\n'
    'neighbourhoods = ["Groessen"]\n'
    '[[stock.areas]]\nmunicipality = "Westervoort"\nvillage = "Westervoort"\nn_homes = 200\n'
    'neighbourhoods = ["B"]\n'
    '[policies.free_room]\nneighbourhoods = ["A"]\n'
    "[policies]\ncustom = []\n"
)


def test_run_logs_progress_when_stderr_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "tiny.toml"
    cfg.write_text(TINY)
    assert main(["run", str(cfg), "--out", str(tmp_path / "a")]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if LINE.match(line)]
    assert lines and "2/2 replications (100%)" in lines[-1]
    # The pilot (nobody has computed this one yet) is announced before the replications.
    err = captured.err
    assert "computing the pilot (2 simulated years" in err
    assert err.index("computing the pilot") < err.index("2/2 replications")
    assert not [line for line in captured.out.splitlines() if LINE.match(line)]  # off stdout
    assert main(["run", str(cfg), "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert not [line for line in capsys.readouterr().err.splitlines() if LINE.match(line)]
