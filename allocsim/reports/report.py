"""The report of a run or experiment folder, in English and Dutch: a self-contained HTML
page, Markdown with its figures, and an Excel workbook (allocsim.reports.render).

The page answers first: for a review, its question, the expected effect with its
interval and the lettings behind it, who paid, and what the real data could show
(`allocsim.reports.headline`); then the effect as a forest plot and its context on an
axis that shows the change; then a short box on what the figures are and are not.
The time views follow, the details in collapsed sections, a glossary and the
provenance last. Every word comes from the catalogue in `allocsim.i18n`, every number
is formatted there (babel), every chart is drawn by `allocsim.reports.figures`.

The workbook holds numbers, not text: mean, lower and upper bound in their own
columns, with percentage and number formats, every replication's headline figures in a
long sheet (all of them in `replications.csv`), the headline first and the provenance
last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import SHARE_METRICS
from allocsim.analysis.review import Detectability
from allocsim.i18n import LANGS, Words
from allocsim.paths import replace_file
from allocsim.reports import figures
from allocsim.reports.formats import cell, date_range, diff_cell, in_twenty, unit_of, value_text
from allocsim.reports.headline import (
    GROUPS,
    experiment_headline,
    quota_sentence,
    review_detectability,
    review_effects,
    review_headline,
    review_question,
    run_headline,
    scenario_effects,
)
from allocsim.reports.inputs import Inputs, load
from allocsim.reports.page import Figure, Line, Report, Section, Table
from allocsim.reports.render import file_names, write_pages
from allocsim.reports.workbook import Sheet

CHANNELS = ("offer", "lottery", "direct")
REPLICATIONS_CSV = "replications.csv"
# The per-replication values the workbook's long sheet holds besides a review's own
# (replications.csv holds every metric): a thousand replications stay a sheet Excel
# opens in seconds.
SHEET_DIMENSIONS = ("all", "channel")
SHEET_METRICS = ("success_rate", "lettings")


# --- The first screen -----------------------------------------------------------------


def effect_figure(inputs: Inputs, w: Words, review: dict[str, Any] | None) -> Figure | None:
    """The effect itself: the review's paired differences, or each scenario's against
    the baseline, with their intervals."""
    effects = review_effects(inputs, w, review) if review else scenario_effects(inputs, w)
    if not effects:
        return None
    if review:
        t = inputs.scenario_name(w.lang, review["treatment"])
        c = inputs.scenario_name(w.lang, review["control"])
        caption = w("fig_effect_review", treatment=t, control=c)
    else:
        caption = w("fig_effect", baseline=inputs.scenario_name(w.lang, inputs.baseline))
    units = {
        figures.SHARE: w("axis_diff_points"),
        figures.YEARS: w("axis_diff_years"),
        figures.NUMBER: w("axis_diff_number"),
    }
    rows = len(effects)
    return Figure(
        caption,
        figures.forest(w, effects, units),
        alt=w("alt_effect", n=rows),
        note=w("fig_effect_note"),
    )


def context_figure(inputs: Inputs, w: Words, review: dict[str, Any] | None) -> Figure:
    """The measure the answer is about, per scenario (a review), or the success rate per
    group and scenario (a run or an experiment without a review)."""
    if review:
        metric_id = review["metric"]
        metric = metric_id.split("/")[-1]
        names = [inputs.scenario_name(w.lang, s) for s in inputs.scenarios]
        mean, low, high = (
            [inputs.value(s, metric_id, col) for s in inputs.scenarios]
            for col in ("mean", "ci_low", "ci_high")
        )
        dimension, level, group, _ = metric_id.split("/")
        who = w.label("level", level) if dimension == "review" else w.label("group", group)
        what = w.label("metric", metric)
        png = figures.scenario_bars(w, names, mean, low, high, unit_of(metric_id), what)
        return Figure(
            w("fig_context", metric=what, group=who),
            png,
            note=w("period_note") if metric == "success_rate" else "",
        )
    sr = inputs.rows("all", "success_rate")
    groups = [g for g in GROUPS if g in set(sr["group"])]
    frames = {
        inputs.scenario_name(w.lang, s): sr[sr["scenario"] == s].set_index("group")
        for s in inputs.scenarios
    }
    png = figures.grouped_bars(
        w, frames, groups, [w.label("group", g) for g in groups], w.label("metric", "success_rate")
    )
    return Figure(w("h_figure"), png, note=w("period_note"))


def about(inputs: Inputs, w: Words) -> list[str]:
    """What the figures are and are not: model output, on which stock, calibrated on
    which period."""
    configs = inputs.manifest.get("scenarios") or {"": inputs.manifest.get("config") or {}}
    own = any(((c or {}).get("stock") or {}).get("csv_path") for c in configs.values())
    return [
        w("about_model", replications=inputs.manifest.get("replications", "")),
        w("about_own_stock" if own else "about_synthetic"),
        w("about_calibration"),
        w("about_not"),
    ]


# --- Time views -----------------------------------------------------------------------


def period_series(
    inputs: Inputs, title: str, dimension: str, metric: str, group: str = "all"
) -> figures.Series:
    """Periods x scenarios of one metric's mean and interval."""
    part = inputs.rows(dimension, metric, group)
    order = [s for s in inputs.scenarios if s in set(part["scenario"])]

    def wide(column: str) -> pd.DataFrame:
        frame = part.pivot_table(index="level", columns="scenario", values=column, aggfunc="first")
        return frame.reindex(columns=order).sort_index()

    mean = wide("mean")
    # An interval missing in every replication (one replication) drops its rows: align.
    return figures.Series(
        title, mean, wide("ci_low").reindex(mean.index), wide("ci_high").reindex(mean.index)
    )


def time_section(inputs: Inputs, w: Words) -> Section | None:
    if inputs.rows("tertial").empty:
        return None
    names = {s: inputs.scenario_name(w.lang, s) for s in inputs.scenarios}
    sec = Section("time", w("time_views"), w("time_note"))

    def view(caption: str, series: list[figures.Series], unit: str, what: str, ncols: int) -> None:
        png = figures.panels(w, series, names, unit, what, ncols)
        sec.figures.append(Figure(caption, png))

    lets = w.label("metric", "lettings")
    view(
        w("time_lettings"),
        [
            period_series(inputs, w.label("channel", ch), "tertial", f"lettings_{ch}")
            for ch in CHANNELS
        ],
        figures.NUMBER,
        w("axis_per_tertial", what=lets),
        3,
    )
    view(
        w("time_active"),
        [period_series(inputs, w("time_active"), "tertial", "active_seekers")],
        figures.NUMBER,
        w("axis_households"),
        1,
    )
    groups = [g for g in GROUPS if not inputs.rows("tertial", "success_rate", g).empty]
    view(
        w("time_success"),
        [period_series(inputs, w.label("group", g), "tertial", "success_rate", g) for g in groups],
        figures.SHARE,
        w("axis_success_tertial"),
        4,
    )
    sec.paragraphs.append(w("period_note"))
    view(
        w("time_responses"),
        [
            period_series(inputs, w.label("channel", ch), "tertial", f"responses_per_advert_{ch}")
            for ch in ("offer", "lottery")
        ],
        figures.NUMBER,
        w("axis_responses"),
        2,
    )
    months = inputs.rows("month", group="status_holder")
    if len(months):
        wide = period_series(inputs, "", "month", "lettings", "status_holder").mean
        # Every month of the window, a month without a status-holder letting as zero.
        first, last = pd.Period(min(wide.index), "M"), pd.Period(max(wide.index), "M")
        wide = wide.reindex([str(p) for p in pd.period_range(first, last, freq="M")]).fillna(0.0)
        png = figures.monthly(w, wide, names, w("axis_per_month", what=lets), w("even"))
        sec.figures.append(Figure(w("status_holders"), png))
        sec.paragraphs.append(w("status_holders_note"))
    return sec


# --- Details and sheets ---------------------------------------------------------------


def interval_table(
    inputs: Inputs, w: Words, frame: pd.DataFrame, index: str, kind: str, order: Iterable[str]
) -> pd.DataFrame:
    """Rows (group or channel) x scenarios of 'mean (low to high)' cells."""
    cells = frame.assign(
        cell=[
            cell(w, m, a, lo, hi)
            for m, a, lo, hi in zip(
                frame["metric"], frame["mean"], frame["ci_low"], frame["ci_high"], strict=True
            )
        ]
    )
    wide = cells.pivot_table(index=index, columns="scenario", values="cell", aggfunc="first")
    wide = wide.reindex(
        index=[x for x in order if x in wide.index],
        columns=[s for s in inputs.scenarios if s in wide.columns],
    )
    wide.index = [w.label(kind, x) for x in wide.index]
    wide.index.name = w(f"col.{index if index != 'level' else kind}")
    wide.columns = [inputs.scenario_name(w.lang, s) for s in wide.columns]
    return wide


def period(level: str) -> int | str:
    """A period as the workbook holds it: a calendar year as a number, a tertial or month
    as its name."""
    return int(level) if level.isdigit() else level


def numeric_sheet(
    inputs: Inputs, w: Words, frame: pd.DataFrame, name: str, level: str = "period"
) -> Sheet:
    """Long numeric sheet: scenario, period (or channel), group, measure, mean, low,
    high, n; share rows as percentages."""
    out = pd.DataFrame(
        {
            w("col.scenario"): [inputs.scenario_name(w.lang, s) for s in frame["scenario"]],
            w(f"col.{level}"): [
                w.label(level, x) if level in ("channel", "level") else period(x)
                for x in frame["level"].astype(str)
            ],
            w("col.group"): [w.label("group", g) for g in frame["group"]],
            w("col.metric"): [w.label("metric", m) for m in frame["metric"]],
            w("col.mean"): frame["mean"].to_numpy(dtype=float),
            w("col.low"): frame["ci_low"].to_numpy(dtype=float),
            w("col.high"): frame["ci_high"].to_numpy(dtype=float),
            w("col.n"): frame["n_replications"].to_numpy(),
        }
    )
    return Sheet(
        name, out, {w("col.n"): "int"}, share_rows=frame["metric"].isin(SHARE_METRICS).to_numpy()
    )


def success_tables(inputs: Inputs, w: Words) -> tuple[list[Section], list[Sheet]]:
    sr = inputs.rows("all", "success_rate")
    sec = Section("success", w("success_rate"), w("success_rate_note"), collapsed=True)
    sec.tables.append(
        Table(w("success_rate"), interval_table(inputs, w, sr, "group", "group", GROUPS))
    )
    sec.paragraphs.append(w("period_note"))
    sections, sheets = [sec], [success_sheet(inputs, w, sr)]
    c = inputs.comparison
    if not c.empty:
        part = c[(c["dimension"] == "all") & (c["metric"] == "success_rate")]
        cells = part.assign(
            cell=[
                diff_cell(w, "success_rate", m, lo, hi, bool(s))
                for m, lo, hi, s in zip(
                    part.diff_mean,
                    part.diff_ci_low,
                    part.diff_ci_high,
                    part.significant,
                    strict=True,
                )
            ]
        )
        wide = cells.pivot_table(index="group", columns="scenario", values="cell", aggfunc="first")
        wide = wide.reindex(
            index=[g for g in GROUPS if g in wide.index],
            columns=[s for s in inputs.scenarios if s in wide.columns],
        )
        wide.index = [w.label("group", g) for g in wide.index]
        wide.index.name = w("col.group")
        wide.columns = [inputs.scenario_name(w.lang, s) for s in wide.columns]
        sec = Section("differences", w("differences"), w("differences_note"), collapsed=True)
        sec.paragraphs.append(f"{w('baseline')}: {inputs.scenario_name(w.lang, inputs.baseline)}")
        sec.tables.append(Table(w("differences"), wide))
        sections.append(sec)
        sheets.append(differences_sheet(inputs, w, c))
    return sections, sheets


def channel_section(inputs: Inputs, w: Words) -> tuple[Section, Sheet]:
    ch = inputs.rows("channel", group="all")
    sec = Section("channels", w("lettings_channel"), collapsed=True)
    for metric, title in (
        ("lettings", w("lettings_channel")),
        ("meettijd_median_years", w("meettijd_channel")),
    ):
        part = ch[ch["metric"] == metric]
        if len(part):
            sec.tables.append(
                Table(title, interval_table(inputs, w, part, "level", "channel", CHANNELS))
            )
    return sec, numeric_sheet(inputs, w, ch, w("sheet.channels"), level="channel")


YEAR_METRICS = (
    "lettings",
    "lettings_offer",
    "lettings_lottery",
    "lettings_direct",
    "active_seekers",
    "success_rate",
    "responses_per_advert",
)


def year_section(inputs: Inputs, w: Words) -> Section | None:
    years = inputs.rows("year")
    if not len(years):
        return None
    shown = years[(years["group"] == "all") & years["metric"].isin(YEAR_METRICS)]
    # Scenarios in the spec's order, measures in the order above.
    shown = shown.assign(
        _s=shown["scenario"].map({s: i for i, s in enumerate(inputs.scenarios)}),
        _m=shown["metric"].map({m: i for i, m in enumerate(YEAR_METRICS)}),
    ).sort_values(["_s", "_m"], kind="stable")
    wide = shown.assign(
        cell=[value_text(w, m, v) for m, v in zip(shown["metric"], shown["mean"], strict=True)],
        metric=[w.label("metric", m) for m in shown["metric"]],
        scenario=[inputs.scenario_name(w.lang, s) for s in shown["scenario"]],
    ).pivot_table(
        index=["scenario", "metric"], columns="level", values="cell", aggfunc="first", sort=False
    )
    wide.index.names = [w("col.scenario"), w("col.metric")]
    wide.columns.name = None
    sec = Section("years", w("years_table"), collapsed=True)
    sec.tables.append(Table(w("years_table"), wide, note=w("part_year_note")))
    return sec


def quota_notes(inputs: Inputs, w: Words, years: Iterable[int], items: set[str]) -> list[str]:
    """Footnotes for the quota rows whose correct numbers look odd: part years, history
    years, and the status holders' 'requested'."""
    notes = []
    start, end = inputs.window
    if start and end:
        partial = []
        if start[5:] != "01-01" and int(start[:4]) in years:
            partial.append(start[:4])
        last_day = pd.Timestamp(end) - pd.Timedelta(days=1)
        if (last_day.month, last_day.day) != (12, 31) and last_day.year in years:
            partial.append(str(last_day.year))
        if partial:
            notes.append(
                w("quota_part_year", years=w.join(partial), window=date_range(w, start, end))
            )
    configs = inputs.manifest.get("scenarios") or {"": inputs.manifest.get("config") or {}}
    starts = {str(((c or {}).get("run") or {}).get("policy_start") or "") for c in configs.values()}
    starts.discard("")
    if starts and start and any(s > start for s in starts):
        notes.append(w("quota_history", date=w.join([w.date(s) for s in sorted(starts)])))
    if "status_holder_cap" in items:
        notes.append(w("quota_requested_sh"))
    if items & {"starter_labels", "lottery_cap"}:
        notes.append(w("quota_requested"))
    if "lettings" in items:
        notes.append(w("quota_lettings"))
    return notes


def quota_section(inputs: Inputs, w: Words) -> tuple[Section, Sheet] | None:
    q = inputs.rows("quota")
    if not len(q):
        return None
    wide = q.pivot_table(
        index=["scenario", "level", "group"], columns="metric", values="mean", aggfunc="first"
    ).reset_index()
    # Scenarios in the spec's order, items in the order the rules report them.
    items = {g: i for i, g in enumerate(dict.fromkeys(q["group"]))}
    scen = {s: i for i, s in enumerate(inputs.scenarios)}
    wide = wide.assign(_s=wide["scenario"].map(scen), _i=wide["group"].map(items))
    wide = wide.sort_values(["_s", "level", "_i"], kind="stable").reset_index(drop=True)
    place_year = wide["level"].str.rsplit(" ", n=1, expand=True)
    year = pd.to_numeric(place_year[1], errors="coerce")
    flat = pd.DataFrame(
        {
            w("col.scenario"): [inputs.scenario_name(w.lang, s) for s in wide["scenario"]],
            w("col.municipality"): place_year[0],
            w("col.year"): year,
            w("col.item"): [w.label("item", g) for g in wide["group"]],
            **{
                w(f"col.{m}"): (wide[m] if m in wide.columns else np.nan)
                for m in ("limit", "used", "requested")
            },
        }
    )
    notes = quota_notes(inputs, w, set(year.dropna().astype(int)), set(wide["group"]))
    sec = Section("quotas", w("quotas"), w("quotas_note"), collapsed=True)
    shown = flat.copy()
    for m in ("limit", "used", "requested"):
        shown[w(f"col.{m}")] = [w.number(v, 1) for v in flat[w(f"col.{m}")]]
    shown[w("col.year")] = [str(int(y)) if np.isfinite(y) else "" for y in year]
    sec.tables.append(Table(w("quotas"), shown, index=False, note=" ".join(notes)))
    sheet = Sheet(
        w("sheet.quotas"),
        flat,
        {w("col.year"): "year", **{w(f"col.{m}"): "num" for m in ("limit", "used", "requested")}},
    )
    return sec, sheet


def success_sheet(inputs: Inputs, w: Words, sr: pd.DataFrame) -> Sheet:
    ordered = sr.assign(
        _s=sr["scenario"].map({s: i for i, s in enumerate(inputs.scenarios)}),
        _g=sr["group"].map({g: i for i, g in enumerate(GROUPS)}),
    ).sort_values(["_s", "_g"])
    frame = pd.DataFrame(
        {
            w("col.scenario"): [inputs.scenario_name(w.lang, s) for s in ordered["scenario"]],
            w("col.group"): [w.label("group", g) for g in ordered["group"]],
            w("col.mean"): ordered["mean"].to_numpy(dtype=float),
            w("col.low"): ordered["ci_low"].to_numpy(dtype=float),
            w("col.high"): ordered["ci_high"].to_numpy(dtype=float),
            w("col.n"): ordered["n_replications"].to_numpy(),
        }
    )
    return Sheet(
        w("sheet.success"),
        frame,
        {w("col.mean"): "pct", w("col.low"): "pct", w("col.high"): "pct", w("col.n"): "int"},
    )


def differences_sheet(inputs: Inputs, w: Words, c: pd.DataFrame) -> Sheet:
    part = c[c["dimension"].isin(["all", "review"])]
    share = part["metric"].isin(SHARE_METRICS).to_numpy()
    scale = np.where(share, 100.0, 1.0)  # differences of shares in percentage points
    frame = pd.DataFrame(
        {
            w("col.scenario"): [inputs.scenario_name(w.lang, s) for s in part["scenario"]],
            w("col.level"): [
                level_label(w, str(d), str(x))
                for d, x in zip(part["dimension"], part["level"], strict=True)
            ],
            w("col.group"): [w.label("group", g) for g in part["group"]],
            w("col.metric"): [w.label("metric", m) for m in part["metric"]],
            w("col.diff"): part["diff_mean"].to_numpy(dtype=float) * scale,
            w("col.low"): part["diff_ci_low"].to_numpy(dtype=float) * scale,
            w("col.high"): part["diff_ci_high"].to_numpy(dtype=float) * scale,
            w("col.significant"): [w("yes") if s else w("no") for s in part["significant"]],
        }
    )
    return Sheet(
        w("sheet.differences"),
        frame,
        share_rows=share,
        share_format="points",
        points_unit=w("pp_short"),
    )


def review_section(
    inputs: Inputs, w: Words, review: dict[str, Any], det: Detectability
) -> tuple[Section, list[Sheet]]:
    title = (review.get("titles") or {}).get(w.lang) or review["title"]
    sec = Section("review", f"{w('review')}: {title}", collapsed=True)
    quotas = review.get("quota_scenarios") or {}
    if quotas:
        sec.paragraphs.append(quota_sentence(w, det, quotas))
    sheets = []
    if len(det.by_quota):
        frame = pd.DataFrame(
            {
                w("col.quota"): det.by_quota["quota_per_year"].to_numpy(),
                w("col.scenario"): [
                    inputs.scenario_name(w.lang, s) for s in det.by_quota["scenario"]
                ],
                w("col.p_sign"): det.by_quota["p_right_sign"].to_numpy(dtype=float),
                w("col.power"): det.by_quota["power"].to_numpy(dtype=float),
            }
        )
        shown = frame.copy()
        shown[w("col.quota")] = [w.number(v, 0) for v in frame[w("col.quota")]]
        for col in (w("col.p_sign"), w("col.power")):
            shown[col] = [w("in_twenty", k=in_twenty(v)) for v in frame[col]]
        sec.tables.append(
            Table(w("review_quota"), shown.set_index(w("col.quota")), note=w("review_quota_note"))
        )
        sheets.append(
            Sheet(
                w("sheet.review"),
                frame,
                {w("col.quota"): "int", w("col.p_sign"): "pct", w("col.power"): "pct"},
            )
        )
    who = []
    for g in GROUPS:
        for metric in ("success_rate", "lettings"):
            mean, lo, hi, _ = inputs.paired(
                review["control"], review["treatment"], f"all/all/{g}/{metric}"
            )
            if not np.isnan(mean):
                who.append(
                    (
                        w.label("group", g),
                        w.label("metric", metric),
                        diff_cell(w, metric, mean, lo, hi, lo > 0 or hi < 0),
                    )
                )
    if who:
        table = pd.DataFrame(who, columns=[w("col.group"), w("col.metric"), w("col.diff")])
        table = table.pivot_table(
            index=w("col.group"),
            columns=w("col.metric"),
            values=w("col.diff"),
            aggfunc="first",
            sort=False,
        )
        table.columns.name = None
        sec.tables.append(Table(w("who_paid"), table))
    vs = inputs.rows("review")
    if len(vs):
        village = vs[vs["level"] == "village_senior_homes"]
        if len(village):
            order = list(dict.fromkeys(village["metric"]))
            sec.tables.append(
                Table(w("village"), interval_table(inputs, w, village, "metric", "metric", order))
            )
        core = vs[vs["level"].str.startswith("core_")]
        if len(core):
            shown = core.assign(metric=core["level"].str.removeprefix("core_"))
            table = interval_table(
                inputs, w, shown, "metric", "metric", list(dict.fromkeys(shown["metric"]))
            )
            table.index.name = w("col.municipality")
            sec.tables.append(Table(w("core"), table))
        sheets.append(numeric_sheet(inputs, w, vs, w("sheet.review_figures"), level="level"))
    return sec, sheets


def level_label(w: Words, dimension: str, level: str) -> str:
    """A level in words where it is a code (a channel, a review's part); places,
    periods and years as they are; nothing for the whole window."""
    if dimension == "channel":
        return w.label("channel", level)
    if dimension == "review":
        return w.label("level", level)
    return "" if dimension == "all" else level


def replication_frame(inputs: Inputs) -> pd.DataFrame:
    """Every replication's value of every metric: the long table `replications.csv`
    holds (codes, not words, so an analyst's scripts read it in either language)."""
    m = inputs.metrics
    return m[["scenario", "replication", "dimension", "level", "group", "metric", "value"]]


def in_words(values: pd.Series, label: Callable[[str], str]) -> np.ndarray:
    """Each value's label, computed once per distinct value (a long table repeats few)."""
    text = values.astype(str)
    return text.map({v: label(v) for v in text.unique()}).to_numpy()


def replication_sheet(inputs: Inputs, w: Words, review: dict[str, Any] | None) -> Sheet:
    """Every replication's headline figures, one row per replication and figure: success
    rate and lettings over the whole window per group and channel, and a review's own
    figures (every metric of every replication is in replications.csv)."""
    m = inputs.metrics
    keep = m["dimension"].isin(SHEET_DIMENSIONS) & m["metric"].isin(SHEET_METRICS)
    if review is not None:
        keep |= m["dimension"] == "review"
    part = m[keep]
    where = part["dimension"].astype(str) + "/" + part["level"].astype(str)
    frame = pd.DataFrame(
        {
            w("col.scenario"): in_words(part["scenario"], partial(inputs.scenario_name, w.lang)),
            w("col.replication"): part["replication"].to_numpy(),
            w("col.level"): in_words(where, lambda x: level_label(w, *x.split("/", 1))),
            w("col.group"): in_words(part["group"], partial(w.label, "group")),
            w("col.metric"): in_words(part["metric"], partial(w.label, "metric")),
            w("col.value"): part["value"].to_numpy(dtype=float),
        }
    )
    return Sheet(
        w("sheet.replications"),
        frame,
        {w("col.replication"): "int"},
        share_rows=part["metric"].isin(SHARE_METRICS).to_numpy(),
    )


def provenance(inputs: Inputs, w: Words) -> list[tuple[str, str]]:
    m = inputs.manifest
    start, end = inputs.window
    facts = [
        (w("label"), inputs.label),
        (w("command"), str(m.get("command", ""))),
        (w("version"), str(m.get("allocsim_version", ""))),
        (w("seed"), str(m.get("root_seed", ""))),
        (w("replications"), str(m.get("replications", ""))),
        (w("window"), date_range(w, start, end) if start else ""),
        (w("generated"), f"{str(m.get('finished', ''))[:16].replace('T', ' ')} UTC"),
    ]
    facts = [(k, v) for k, v in facts if v.strip(" .()UTC")]
    if m.get("executor"):
        executor = w.label("executor", str(m["executor"]))
        facts.append((w("executor"), f"{executor} ({m.get('workers', '')})"))
    if inputs.spec.get("baseline"):
        facts.append((w("baseline"), inputs.scenario_name(w.lang, inputs.spec["baseline"])))
    facts += [(w("setting"), f"{k} = {v}") for k, v in inputs.settings.items()]
    return facts


def changes(inputs: Inputs, w: Words) -> list[str]:
    """Under the title: the run's label and each setting changed on the command line."""
    out = [w("changes_label", label=inputs.label)] if inputs.label else []
    out += [w("changes_set", setting=k, value=v) for k, v in inputs.settings.items()]
    return out


def title_of(inputs: Inputs, w: Words) -> tuple[str, str]:
    """(title, subtitle): the review's title, else the spec's or config's description in
    the language, else its name; the subtitle says what was compared."""
    m, spec, review = inputs.manifest, inputs.spec, inputs.review
    name = str(m.get("name") or m.get("experiment") or m.get("scenario", ""))
    description = str(
        (spec.get("descriptions") or {}).get(w.lang)
        or spec.get("description")
        or (m.get("config") or {}).get("description", "")
    )
    if review:
        return str((review.get("titles") or {}).get(w.lang) or review["title"]), description
    if m.get("kind") == "run":
        # A config's description is English and says what the config is, not what
        # --set changed: the run is titled by its label, else its config's name.
        return inputs.label or name, description if w.lang == "en" and not inputs.settings else ""
    if description:
        return description, name
    return name, ""


def glossary(w: Words, terms: Iterable[str]) -> list[tuple[str, str]]:
    return [(w(f"term.{t}"), w(f"meaning.{t}")) for t in terms]


GLOSSARY = (
    "success_rate",
    "active",
    "meettijd",
    "offer",
    "lottery",
    "direct",
    "interval",
    "points",
    "replication",
    "paired",
    "scenario",
    "beyond_noise",
    "in_twenty",
    "tertial",
    "label",
)


def answer_of(inputs: Inputs, w: Words, det: Detectability | None = None) -> tuple[str, list[Line]]:
    """The first screen's question (a review's; else '') and answer; `det`: the review's
    detectability, when the caller has it."""
    review = inputs.review
    if review:
        det = det or review_detectability(inputs, review)
        return review_question(inputs, w, review), review_headline(inputs, w, review, det)
    if len(inputs.scenarios) > 1:
        return "", experiment_headline(inputs, w)
    return "", run_headline(inputs, w)


def answer(run_dir: Path, lang: str = "en") -> list[str]:
    """The report's answer as sentences (the question first, for a review): what the
    terminal prints after an experiment."""
    question, lines = answer_of(load(run_dir), Words(lang))
    return ([question] if question else []) + [line.text for line in lines]


def build(inputs: Inputs, lang: str) -> Report:
    w = Words(lang)
    m = inputs.manifest
    review = inputs.review
    det = review_detectability(inputs, review) if review else None
    question, headline = answer_of(inputs, w, det)
    shown = [effect_figure(inputs, w, review), context_figure(inputs, w, review)]
    sections: list[Section] = []
    sheets: list[Sheet] = []
    time = time_section(inputs, w)
    if time is not None:
        sections.append(time)
    review_sheets: list[Sheet] = []
    if review and det is not None:
        sec, review_sheets = review_section(inputs, w, review, det)
        sections.append(sec)
    success, success_sheets = success_tables(inputs, w)
    sections += success
    ch_section, ch_sheet = channel_section(inputs, w)
    sections.append(ch_section)
    years = year_section(inputs, w)
    if years is not None:
        sections.append(years)
    quotas = quota_section(inputs, w)
    if quotas is not None:
        sections.append(quotas[0])
    sheets = [*success_sheets[:1], *review_sheets, *success_sheets[1:], ch_sheet]
    periods = pd.concat([inputs.rows("tertial"), inputs.rows("year")], ignore_index=True)
    if len(periods):
        sheets.append(numeric_sheet(inputs, w, periods, w("sheet.time")))
    months = inputs.rows("month")
    if len(months):
        sheets.append(numeric_sheet(inputs, w, months, w("sheet.by_month")))
    if quotas is not None:
        sheets.append(quotas[1])
    sheets.append(replication_sheet(inputs, w, review))
    facts = provenance(inputs, w)
    config = {s: c for s, c in (m.get("scenarios") or {}).items()} or m.get("config", {})
    prov = pd.DataFrame(
        facts
        + [
            (f"{w('configuration')}: {k}", json.dumps(v, default=str))
            for k, v in (config.items() if isinstance(config, dict) else [])
        ],
        columns=[w("col.item_key"), w("col.value")],
    )
    sheets.insert(0, Sheet(w("sheet.headline"), headline_sheet(w, question, headline)))
    sheets.append(Sheet(w("sheet.provenance"), prov))
    title, description = title_of(inputs, w)
    other = next(code for code in LANGS if code != lang)
    return Report(
        lang=lang,
        title=title,
        description=description,
        changes=changes(inputs, w),
        headline_title=w("headline"),
        question=question,
        headline=headline,
        figures=[f for f in shown if f is not None],
        about_title=w("about_title"),
        about=about(inputs, w),
        sections=sections,
        glossary_title=w("glossary"),
        glossary=glossary(w, GLOSSARY),
        facts_title=w("provenance"),
        facts=facts,
        sheets=sheets,
        other_lang=(file_names(other)["html"], w("lang_other")),
    )


def headline_sheet(w: Words, question: str, lines: list[Any]) -> pd.DataFrame:
    texts = ([question] if question else []) + [line.text for line in lines]
    return pd.DataFrame({w("col.text"): texts})


def write_report(run_dir: Path, lang: str | None = None) -> dict[str, Path]:
    """Write report.<lang>.html, .md (figures in figures/<lang>/) and .xlsx into
    `run_dir`, for `lang` or for both languages, and replications.csv; returns the
    paths, keyed like 'html' (the first language's) and 'nl.html'."""
    inputs = load(run_dir)
    paths: dict[str, Path] = {}
    for code in [lang] if lang else list(LANGS):
        for kind, path in write_pages(build(inputs, code), run_dir).items():
            paths.setdefault(kind, path)
            paths[f"{code}.{kind}"] = path
    csv = run_dir / REPLICATIONS_CSV
    replace_file(csv, lambda tmp: replication_frame(inputs).to_csv(tmp, index=False))
    paths["csv"] = csv
    return paths
