"""Reports: the catalogue, share intervals, the headline first, numbers in the workbook."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from allocsim import experiment as ex
from allocsim.analysis.metrics import METRICS, SHARE_METRICS
from allocsim.cli import main
from allocsim.domain import GROUP_LABELS
from allocsim.i18n import CATALOGUE, LANGS, SAME_IN_BOTH, Words
from allocsim.reports.workbook import sheet_title
from allocsim.stats import share_interval, t_half_width
from tests.experiment.test_experiment import write_spec

REVIEW = """
[review]
kind = "starter_pilot"
title = "Tiny review"
titles = { nl = "Kleine evaluatie" }
data_window_start = 2022-01-01
data_window_end = 2022-09-01
treatment = "base"
control = "no_pilot"
metric = "all/all/starter_18_27/success_rate"
quota_scenarios = { base = 3 }
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished review experiment (8 months, 3 replications) with both reports."""
    tmp = tmp_path_factory.mktemp("report")
    spec = write_spec(tmp, REVIEW)
    text = spec.read_text().replace('baseline = "base"', 'baseline = "no_pilot"')
    text = text.replace("end_date = 2022-04-01", "end_date = 2022-09-01")
    text = text.replace(
        'label = "no_pilot"\n',
        'label = "no_pilot"\nnames = { en = "no starter pilot", nl = "geen starterspilot" }\n',
    )
    spec.write_text(text)
    s, scenarios = ex.load_experiment(spec)
    ex.run_experiment(s, scenarios, tmp / "out", quiet=True)
    assert main(["report", str(tmp / "out")]) == 0
    return tmp / "out"


def visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)>.*?</\1>", "", page, flags=re.S)
    page = re.sub(r"src='[^']*'|src=\"[^\"]*\"", "", page)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


# --- The catalogue -----------------------------------------------------------------------


def test_every_entry_has_both_languages_and_dutch_differs() -> None:
    for key, entry in CATALOGUE.items():
        assert set(entry) == set(LANGS), key
        assert all(entry[lang].strip() for lang in LANGS), key
        if key not in SAME_IN_BOTH:
            assert entry["nl"] != entry["en"], f"{key}: Dutch equals English"
    assert set(SAME_IN_BOTH) <= set(CATALOGUE)


def test_every_metric_group_and_channel_has_a_label() -> None:
    for metric in [*METRICS, *SHARE_METRICS]:
        assert f"metric.{metric}" in CATALOGUE, metric
    for group in ("all", *GROUP_LABELS):
        assert f"group.{group}" in CATALOGUE, group


def test_numbers_follow_the_language() -> None:
    en, nl = Words("en"), Words("nl")
    assert en.percent(0.1234) == "12.3%"
    assert nl.percent(0.1234) == "12,3%"
    assert en.number(12345.678, 1) == "12,345.7"
    assert nl.number(12345.678, 1) == "12.345,7"
    assert nl.points(0.028) == "+2,8 procentpunt"
    assert en.points(-0.016) == "−1.6 percentage points"
    assert nl.points(-0.00001) == "0,0 procentpunt"  # no sign on what rounds to zero
    assert en.points_range(0.026, 0.03) == "+2.6 to +3.0 percentage points"
    assert nl.date("2022-08-31") == "31 augustus 2022"
    assert en.join(["a", "b", "c"]) == "a, b and c"
    assert nl.join(["a", "b"]) == "a en b"


# --- Share intervals ---------------------------------------------------------------------


@given(
    p=st.floats(0.0, 1.0),
    sd=st.floats(0.0, 0.5),
    n=st.integers(2, 2000),
)
def test_share_intervals_stay_in_zero_one_and_hold_the_mean(p: float, sd: float, n: int) -> None:
    low, high = share_interval(np.array([p]), np.array([sd]), np.array([n]))
    assert 0.0 <= low[0] <= high[0] <= 1.0
    assert low[0] - 1e-12 <= p <= high[0] + 1e-12  # Wilson's interval holds the share


def test_share_interval_is_the_t_interval_far_from_the_bounds() -> None:
    mean, sd, n = np.array([0.5]), np.array([0.05]), np.array([40])
    low, high = share_interval(mean, sd, n)
    half = t_half_width(sd, n)
    assert (high - low)[0] / 2 == pytest.approx(half[0], rel=0.01)


def test_share_interval_near_zero_is_not_clipped_but_skewed() -> None:
    # The case of the issue: a share near 1 whose t-interval went above 100%.
    mean, sd, n = np.array([0.98]), np.array([0.04]), np.array([5])
    half = t_half_width(sd, n)[0]
    assert mean[0] + half > 1.0
    low, high = share_interval(mean, sd, n)
    assert high[0] < 1.0 and low[0] < mean[0] < high[0]
    assert high[0] - mean[0] < mean[0] - low[0]
    constant = share_interval(np.array([0.0]), np.array([0.0]), np.array([10]))
    assert constant[0][0] == constant[1][0] == 0.0


def test_summary_gives_shares_wilson_intervals(folder: Path) -> None:
    summary = pd.read_csv(folder / "summary.csv", dtype={"level": str})
    shares = summary[summary["metric"].isin(SHARE_METRICS)].dropna(subset=["ci_low"])
    assert len(shares) > 20
    assert (shares["ci_low"] >= 0).all() and (shares["ci_high"] <= 1).all()


# --- The HTML report ---------------------------------------------------------------------


def test_both_languages_are_written_side_by_side(folder: Path) -> None:
    for lang in LANGS:
        for ext in ("html", "md", "xlsx"):
            assert (folder / f"report.{lang}.{ext}").stat().st_size > 0
        assert list((folder / "figures" / lang).glob("figure-*.png"))
    assert not (folder / "report.html").exists()


def test_the_headline_comes_first_with_the_answer(folder: Path) -> None:
    page = (folder / "report.en.html").read_text()
    first = re.search(r"<(section|details) id=['\"](\w+)['\"]", page)
    assert first is not None and first.group(2) == "headline"
    headline = html.unescape(page[page.index('id="headline"') : page.index("</section>")])
    assert "Did the starter pilot give young starters (18-27) a better chance" in headline
    assert "Base against no starter pilot: the success rate of starters aged 18-27 was" in headline
    # The interval is the marked part of the answer.
    assert re.search(
        r"95% interval <strong class=\"mark\">[+−]?\d+\.\d to [+−]?\d+\.\d percentage points",
        headline,
    )
    assert "paired replications" in headline
    assert re.search(r"lettings to starters aged 18-27 (in the window|\(\d+ against)", headline)
    assert "At the expense of" in headline or "No other group's success rate fell" in headline
    assert "Would the real data of 1 January 2022 to 31 August 2022 show it?" in headline
    assert re.search(
        r"(about \d+ in 20|all 20 of 20|hardly any of 20)(</strong>)? possible real", headline
    )
    # The smallest pilot the data would show clearly is in the review's details.
    review = page[page.index('<details id="review">') :]
    assert "homes a year" in review[: review.index("</details>")]
    # Words a council member does not know are gone.
    for jargon in ("P(right direction)", "one-sided 5% test", "simulated quota"):
        assert jargon not in headline, jargon
    # Then the effect (a forest plot), then its context, then the box on what the
    # figures are, then the time views; details, glossary and provenance are collapsed.
    assert page.index('id="figure-1"') < page.index('id="figure-2"') < page.index('id="about"')
    assert page.index('id="about"') < page.index('id="time"')
    assert "Forest plot of" in page
    for key in ("success", "differences", "channels", "quotas", "review", "glossary"):
        assert f'<details id="{key}">' in page, key
    assert page.index('<details id="provenance">') > page.index('<details id="glossary">')
    assert page.count("data:image/png;base64,") >= 6
    assert "synthetic" in visible_text(page)


def test_dutch_report_is_dutch(folder: Path) -> None:
    page = visible_text((folder / "report.nl.html").read_text())
    assert "In het kort" in page
    assert "Base tegenover geen starterspilot: de slaagkans van starters van 18-27 jaar" in page
    assert re.search(r"een verschil van [+−]?\d+,\d procentpunt", page)
    assert "1 januari 2022 tot en met 31 augustus 2022" in page
    # No code or English label where the catalogue has a Dutch one.
    for code in ("starter_18_27", "success_rate", "status_holder", "lottery_cap", "no_pilot"):
        assert code not in page, code
    english = {
        entry["en"]
        for key, entry in CATALOGUE.items()
        if key not in SAME_IN_BOTH and len(entry["en"]) > 12 and "{" not in entry["en"]
    }
    leaked = [e for e in english if e in page]
    assert not leaked, leaked


# --- The workbook ------------------------------------------------------------------------


def test_workbook_holds_numbers_with_formats(folder: Path) -> None:
    book = load_workbook(folder / "report.en.xlsx")
    names = book.sheetnames
    assert names[0] == "In short" and names[-1] == "Provenance"
    assert all(len(n) <= 31 and n == n.strip() for n in names)
    for ws in book.worksheets:
        assert not ws.merged_cells.ranges, ws.title
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1] if c.value is not None), ws.title
        if ws.max_row > 1:
            assert ws.auto_filter.ref, ws.title
    ws = book["Success rates"]
    header = [c.value for c in ws[1]]
    assert header[:6] == ["scenario", "group", "mean", "95% low", "95% high", "n"]
    row = [c for c in ws[2]]
    for c in row[2:5]:
        assert isinstance(c.value, float) and 0 <= c.value <= 1
        assert c.number_format == "0.0%"
    assert isinstance(row[5].value, int) and row[5].number_format == "#,##0"
    prov = {r[0].value: r[1].value for r in book["Provenance"].iter_rows(min_row=2)}
    assert prov["Root seed"] == "7" and prov["Replications per scenario"] == "3"
    assert "Command" not in prov  # run from Python (run_experiment), not a command line
    assert any(str(k).startswith("Configuration: base") for k in prov)
    quotas = book["Quota"]
    q_header = [c.value for c in quotas[1]]
    year = quotas.cell(row=2, column=q_header.index("year") + 1)
    assert isinstance(year.value, int)


def test_dutch_workbook_has_dutch_sheets_and_headers(folder: Path) -> None:
    book = load_workbook(folder / "report.nl.xlsx")
    assert book.sheetnames[0] == "In het kort" and "Slaagkansen" in book.sheetnames
    header = [c.value for c in book["Slaagkansen"][1]]
    assert header[:3] == ["scenario", "groep", "gemiddelde"]
    groups = {r[1].value for r in book["Slaagkansen"].iter_rows(min_row=2)}
    assert "starters van 18-27 jaar" in groups and "starter_18_27" not in groups


def test_sheet_names_are_cut_at_a_word_and_unique() -> None:
    taken: set[str] = set()
    long = "Who bore the cost change in success rate per group"
    first = sheet_title(long, taken)
    assert first == "Who bore the cost change in"
    assert len(first) <= 31 and not first.endswith(" ")
    second = sheet_title(long, taken)
    assert second != first and len(second) <= 31
    assert sheet_title("a/b: c?", taken) == "ab c"


def test_a_run_folder_gets_a_headline_too(tmp_path: Path) -> None:
    from tests.experiment.test_experiment import SMALL

    (tmp_path / "small.toml").write_text(SMALL)
    out = tmp_path / "run"
    small = str(tmp_path / "small.toml")
    assert main(["run", small, "--replications", "2", "--out", str(out)]) == 0
    assert main(["report", str(out), "--lang", "nl"]) == 0
    page = visible_text((out / "report.nl.html").read_text())
    assert re.search(r"werden [\d.]+ woningen verhuurd: [\d.]+ via het aanbodmodel", page)
    assert not (out / "report.en.html").exists()
    check_dutch(out)
    check_numbers(out / "report.nl.xlsx")


# --- Every page and sheet: numbers are numbers, Dutch is Dutch ---------------------------

# Words that give English away; none of them is Dutch ('of' and 'interval' are).
# Matched as whole words.
ENGLISH = (
    "the", "and", "with", "against", "between", "which", "from", "would", "could",
    "lettings", "households", "seekers", "rate", "points", "years", "homes", "review",
    "share", "outcomes", "difference", "chance",
)  # fmt: skip
NUMBER_AS_TEXT = re.compile(r"^\s*[−+-]?\d[\d.,]*\s*(%|pp|%-punt|procentpunt)?\s*$")


def english_in(text: str, own: tuple[str, ...] = ()) -> list[str]:
    """English words in a Dutch text; setting keys (dotted names) and the analyst's own
    texts (`own`, for example an assumption's reason as the spec gives it) aside."""
    for part in own:
        text = text.replace(part, " ")
    text = re.sub(r"\S*[._]\S*", " ", text)
    found = {w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH}
    return sorted(found)


def sheet_texts(path: Path, skip: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every text cell of every sheet (but `skip`'s), by sheet."""
    book = load_workbook(path)
    return {
        ws.title: [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        for ws in book.worksheets
        if ws.title not in skip and not ws.title.startswith("data ")
    }


def check_dutch(folder: Path, stem: str = "report", own: tuple[str, ...] = ()) -> None:
    """The Dutch page, Markdown and workbook hold no English word: headings, sentences,
    labels, notes, glossary, column headers and sheet names. The provenance sheet's
    settings (configuration keys), the 'data' sheets (codes for scripts) and the
    analyst's own texts (`own`) aside."""
    page = visible_text((folder / f"{stem}.nl.html").read_text())
    assert not english_in(page, own), english_in(page, own)
    md = (folder / f"{stem}.nl.md").read_text()
    md = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", md)  # figure paths
    assert not english_in(md, own), english_in(md, own)
    book = sheet_texts(folder / f"{stem}.nl.xlsx", skip=("Herkomst",))
    for title, texts in book.items():
        leaked = english_in(" ".join([title, *texts]), own)
        assert not leaked, (title, leaked)


def check_numbers(path: Path) -> None:
    """Every sheet but the first (the answer in sentences) and the provenance holds its
    figures as numbers: no text cell reads as a number, and each sheet has numbers."""
    book = load_workbook(path)
    for ws in book.worksheets[1:-1]:
        cells = [c.value for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
        as_text = [v for v in cells if isinstance(v, str) and NUMBER_AS_TEXT.match(v)]
        assert not as_text, (ws.title, as_text[:5])
        if cells:
            assert any(isinstance(v, (int, float)) for v in cells), ws.title


def test_every_figure_in_the_workbooks_is_a_number(folder: Path) -> None:
    for lang in LANGS:
        check_numbers(folder / f"report.{lang}.xlsx")
    book = load_workbook(folder / "report.en.xlsx")
    ws = book["Per replication"]
    header = [c.value for c in ws[1]]
    assert header == ["scenario", "replication", "part", "group", "measure", "value"]
    values = [r[5].value for r in ws.iter_rows(min_row=2)]
    assert values and all(isinstance(v, (int, float)) for v in values if v is not None)
    replications = {r[1].value for r in ws.iter_rows(min_row=2)}
    assert replications == {0, 1, 2}
    csv = pd.read_csv(folder / "replications.csv")
    assert list(csv.columns) == [
        "scenario", "replication", "dimension", "level", "group", "metric", "value"
    ]  # fmt: skip
    assert set(csv["replication"]) == {0, 1, 2} and len(csv) > len(values)


def test_every_dutch_page_and_sheet_is_dutch(folder: Path) -> None:
    check_dutch(folder)


def test_the_dutch_check_sees_english() -> None:
    """The check itself: an English sentence or header in a Dutch text is caught."""
    assert english_in("De slaagkans steeg (95%-interval +1,2 tot +2,4).") == []
    assert english_in("Who paid for it: the success rate fell") == ["rate", "the"]
    assert english_in("lettings by channel") == ["lettings"]
    assert NUMBER_AS_TEXT.match("12,5%") and NUMBER_AS_TEXT.match("−0,8 procentpunt")
    assert not NUMBER_AS_TEXT.match("starters van 18-27 jaar")


def test_an_excel_summary_holds_the_same_numbers_and_reads_back(tmp_path: Path) -> None:
    """`run --excel` writes summary.csv as a Dutch Excel saves it (BOM, semicolons,
    decimal commas); the report reads it back to the same numbers as the plain file."""
    from allocsim.runs.folder import open_finished
    from tests.experiment.test_experiment import SMALL

    (tmp_path / "small.toml").write_text(SMALL)
    small = str(tmp_path / "small.toml")
    for name, extra in (("plain", []), ("excel", ["--excel"])):
        out = str(tmp_path / name)
        assert main(["run", small, "--replications", "2", "--out", out, *extra]) == 0
    raw = (tmp_path / "excel" / "summary.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw.decode("utf-8-sig").splitlines()[0]
    assert header.count(";") > 5 and "," not in header
    assert re.search(r";\d+,\d+", raw.decode("utf-8-sig"))  # decimal commas
    plain = open_finished(tmp_path / "plain").summary
    excel = open_finished(tmp_path / "excel").summary
    pd.testing.assert_frame_equal(plain, excel, check_exact=False, rtol=1e-12)
    assert main(["report", str(tmp_path / "excel"), "--lang", "nl"]) == 0


def test_a_label_and_settings_reach_the_manifest_and_the_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`experiment --label --set` applies the setting to every scenario (after the spec's
    own: the no-pilot scenario keeps its pilot off), records both in the manifest and
    shows them under the report's title; the terminal ends with the answer."""
    import json

    spec = write_spec(tmp_path, replications="fixed = 2")
    out = tmp_path / "out"
    quota = "policies.starter_pilot.quota_per_year={Duiven=16,Westervoort=6}"
    argv = ["experiment", str(spec), "--executor", "serial", "--out", str(out), "--quiet"]
    assert main([*argv, "--label", "Duiven 16", "--set", quota, "--report", "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "In short:" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["label"] == "Duiven 16"
    assert manifest["settings"] == {
        "policies.starter_pilot.quota_per_year": "{Duiven=16,Westervoort=6}"
    }
    for label, cfg in manifest["scenarios"].items():
        assert cfg["policies"]["starter_pilot"]["quota_per_year"]["Duiven"] == 16, label
    assert manifest["scenarios"]["no_pilot"]["policies"]["starter_pilot"]["enabled"] is False
    page = visible_text((out / "report.en.html").read_text())
    assert "variant: Duiven 16" in page
    assert f"changed: {quota.replace('=', ' = ', 1)}" in page
