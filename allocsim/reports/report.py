"""Reports of a run or experiment folder, in English and Dutch: a self-contained HTML
page, Markdown with its figures, and an Excel workbook.

The page opens with the answer (`headline`): for a review, the expected effect with
its interval and in absolute numbers, who paid for it, and what a real review of the
data window could see; then one figure. The time views (per tertial) follow, then
the details in collapsed sections. Every word comes from the catalogue in
`allocsim.i18n`; every number is formatted there, by babel. Files are named per
language (`report.en.html`, `report.nl.html`, ...), so neither overwrites the other.

The workbook holds numbers, not text: mean, lower and upper bound in their own
columns, with percentage and number formats, bold frozen headers and filters, a
first sheet with the headline and a last one with the provenance.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import jinja2  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from allocsim.analysis.metrics import SHARE_METRICS, select  # noqa: E402
from allocsim.analysis.review import Detectability, detectability, paired_effect  # noqa: E402
from allocsim.domain import DAYS_PER_YEAR, GROUP_LABELS  # noqa: E402
from allocsim.i18n import LANGS, Words  # noqa: E402
from allocsim.paths import replace_file, write_text  # noqa: E402
from allocsim.runs.folder import open_finished  # noqa: E402

CHANNELS = ("offer", "lottery", "direct")
GROUPS = ("all", *GROUP_LABELS)


# --- The report's content, independent of the output format ------------------------


@dataclass
class Table:
    """A table as shown (text cells) and as the workbook gets it (numbers)."""

    title: str
    shown: pd.DataFrame


@dataclass
class Sheet:
    """A workbook sheet: numeric columns with their formats ('pct', 'points', 'num',
    'int', 'text'); unnamed columns are text."""

    name: str
    frame: pd.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    share_rows: np.ndarray | None = None  # long tables: rows whose numbers are shares
    share_format: str = "pct"  # or "points", for differences of shares
    points_unit: str = "pp"  # the unit Excel shows after percentage points


@dataclass
class Section:
    key: str
    title: str
    note: str = ""
    paragraphs: list[str] = field(default_factory=list)
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    collapsed: bool = False


@dataclass
class Report:
    lang: str
    title: str
    description: str
    facts: list[tuple[str, str]]
    headline_title: str
    headline: list[str]
    headline_figure: tuple[str, bytes] | None
    sections: list[Section]
    sheets: list[Sheet]


@dataclass
class Inputs:
    manifest: dict[str, Any]
    summary: pd.DataFrame
    comparison: pd.DataFrame
    metrics: pd.DataFrame

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = self.manifest.get("spec") or {}
        return spec

    @property
    def scenarios(self) -> list[str]:
        """Scenario labels in the spec's order (a run: its one scenario)."""
        found = list(dict.fromkeys(self.summary["scenario"].astype(str)))
        order = list(self.manifest.get("scenarios") or {}) or found
        return [s for s in order if s in found] + [s for s in found if s not in order]

    @property
    def window(self) -> tuple[str, str]:
        w = self.spec.get("window") or {}
        run = (self.manifest.get("config") or {}).get("run") or {}
        return (
            str(w.get("start_date") or run.get("start_date", "")),
            str(w.get("end_date") or run.get("end_date", "")),
        )

    def years(self) -> float:
        start, end = self.window
        try:
            days = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days
        except ValueError:
            return float("nan")
        return days / DAYS_PER_YEAR

    def rows(self, dimension: str, metric: str | None = None, group: str | None = None) -> Any:
        s = self.summary
        keep = s["dimension"] == dimension
        if metric is not None:
            keep &= s["metric"] == metric
        if group is not None:
            keep &= s["group"] == group
        return s[keep]

    def value(self, scenario: str, metric_id: str, column: str = "mean") -> float:
        row = select(self.summary[self.summary["scenario"] == scenario], metric_id)
        return float(row[column].iloc[0]) if len(row) else float("nan")


def load(run_dir: Path) -> Inputs:
    """A finished run or experiment folder (allocsim.runs.folder), as the report reads it."""
    run = open_finished(run_dir)
    summary, metrics = run.summary, run.metrics
    summary["scenario"] = summary["scenario"].astype(str)
    metrics["scenario"] = metrics["scenario"].astype(str)
    return Inputs(run.manifest, summary, run.comparison, metrics)


def date_range(w: Words, start: str, end: str) -> str:
    """A window [start, end) in words, with its last day: '1 January 2021 to 31 August 2022'."""
    last = dt.date.fromisoformat(end) - dt.timedelta(days=1)
    return w("date_range", start=w.date(start), end=w.date(last))


def is_share(metric_id_or_name: str) -> bool:
    return metric_id_or_name.split("/")[-1] in SHARE_METRICS


def scenario_name(inputs: Inputs, w: Words, label: str) -> str:
    for ref in inputs.spec.get("scenarios") or []:
        if ref.get("label") == label and (ref.get("names") or {}).get(w.lang):
            return str(ref["names"][w.lang])
    return label


def paired(inputs: Inputs, a: str, b: str, metric_id: str) -> tuple[float, float, float, int]:
    """b - a over the replications both have (common random numbers): mean, low, high, n."""
    return paired_effect(inputs.metrics, a, b, metric_id)


# --- Formatting helpers ---------------------------------------------------------------


def value_text(w: Words, metric: str, value: float) -> str:
    if is_share(metric):
        return w.percent(value)
    if is_years(metric):
        return f"{w.number(value)} {w('years_unit')}"
    return w.number(value, 0 if metric.startswith(("lettings", "active")) else 1)


def diff_text(w: Words, metric: str, value: float) -> str:
    if is_share(metric):
        return w.points(value)
    if is_years(metric):
        return f"{w.signed(value)} {w('years_unit')}"
    return w.signed(value)


def is_years(metric: str) -> bool:
    return metric.endswith("_years") or metric == "tenant_age_mean"


def diff_range(w: Words, metric: str, low: float, high: float) -> str:
    if is_share(metric):
        return w.points_range(low, high)
    bare = w("interval_range", low=w.signed(low), high=w.signed(high))
    return f"{bare} {w('years_unit')}" if is_years(metric) else bare


def cell(w: Words, metric: str, mean: float, low: float, high: float) -> str:
    """'9.1% (8.7% to 9.5%)' or '402 (395 to 410)'."""
    if np.isnan(low):
        return value_text(w, metric, mean)
    return (
        f"{value_text(w, metric, mean)} "
        f"({w('interval_range', low=value_text(w, metric, low), high=value_text(w, metric, high))})"
    )


def diff_cell(w: Words, metric: str, mean: float, low: float, high: float, sig: bool) -> str:
    if np.isnan(low):
        return diff_text(w, metric, mean)
    interval = diff_range(w, metric, low, high)
    return f"{diff_text(w, metric, mean)} ({interval}){' *' if sig else ''}"


def _fig_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _axis_format(ax: Any, w: Words, share: bool) -> None:
    """Linear axis from zero, about six ticks, with as many decimals as the ticks need."""
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    top = ax.get_ylim()[1] * (100 if share else 1)
    digits = 0 if top >= 10 else (1 if top >= 1 else 2)
    if share:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: w.percent(v, digits)))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: w.number(v, digits)))
    ax.grid(axis="y", color="#ddd", linewidth=0.6)
    ax.set_axisbelow(True)


# --- Headline -------------------------------------------------------------------------


def review_detectability(inputs: Inputs, review: dict[str, Any]) -> Detectability:
    start, end = review["data_window_start"], review["data_window_end"]
    return detectability(
        inputs.metrics,
        inputs.comparison,
        review["treatment"],
        review["control"],
        review["metric"],
        f"{start} .. {end}",
        review.get("quota_scenarios", {}),
    )


def review_headline(
    inputs: Inputs, w: Words, review: dict[str, Any], det: Detectability
) -> list[str]:
    treatment, control, metric_id = review["treatment"], review["control"], review["metric"]
    dimension, level, group, metric = metric_id.split("/")
    who = w.label("level", level) if dimension == "review" else w.label("group", group)
    window = date_range(w, str(review["data_window_start"]), str(review["data_window_end"]))
    t_name, c_name = scenario_name(inputs, w, treatment), scenario_name(inputs, w, control)
    lines = [
        w(
            "h_effect",
            treatment=t_name[:1].upper() + t_name[1:],
            control=c_name,
            the=w.article(metric),
            metric=w.label("metric", metric),
            group=who,
            t_value=value_text(w, metric, inputs.value(treatment, metric_id)),
            c_value=value_text(w, metric, inputs.value(control, metric_id)),
            diff=diff_text(w, metric, det.expected_effect),
            interval=diff_range(w, metric, det.effect_ci_low, det.effect_ci_high),
            n=det.n_pairs,
        )
    ]
    if not beyond_noise(det.effect_ci_low, det.effect_ci_high):
        lines.append(w("h_effect_none", n=det.n_pairs))
    if metric == "success_rate" and dimension == "all":
        lines.append(lettings_sentence(inputs, w, treatment, control, group))
    if review["kind"] == "village_rule":
        lines.append(village_sentence(inputs, w, treatment, control))
    lines.append(
        who_paid(inputs, w, treatment, control, exclude=group if metric == "success_rate" else "")
    )
    lines.append(window_sentence(w, det, window))
    quotas = review.get("quota_scenarios") or {}
    if quotas:
        if det.smallest_quota_80 is None:
            lines.append(w("h_quota_none", quota=w.number(max(quotas.values()), 0)))
        elif det.smallest_quota_80 <= min(quotas.values()):
            lines.append(w("h_quota_smallest", quota=w.number(det.smallest_quota_80, 0)))
        else:
            lines.append(w("h_quota", quota=w.number(det.smallest_quota_80, 0)))
    return lines


def beyond_noise(low: float, high: float) -> bool:
    return bool(low > 0 or high < 0)


def lettings_sentence(inputs: Inputs, w: Words, treatment: str, control: str, group: str) -> str:
    """Lettings to the group in the window, and the paired change per year with its
    interval when it is beyond noise."""
    lets_id = f"all/all/{group}/lettings"
    counts = {
        "t_lettings": w.number(inputs.value(treatment, lets_id), 0),
        "c_lettings": w.number(inputs.value(control, lets_id), 0),
        "group": w.label("group", group),
    }
    mean, low, high, _ = paired(inputs, control, treatment, lets_id)
    years = inputs.years()
    if not beyond_noise(low, high) or not np.isfinite(years) or years <= 0:
        return w("h_lettings_none", **counts)
    sign = 1.0 if mean > 0 else -1.0
    return w(
        "h_lettings",
        **counts,
        per_year=w.number(abs(mean) / years, 1),
        more=w("more" if mean > 0 else "fewer"),
        interval=w(
            "interval_range",
            low=w.number(min(sign * low, sign * high) / years, 1),
            high=w.number(max(sign * low, sign * high) / years, 1),
        ),
    )


def village_sentence(inputs: Inputs, w: Words, treatment: str, control: str) -> str:
    values = {}
    for key, metric in (("65", "share_65plus"), ("_same", "share_same_village")):
        metric_id = f"review/village_senior_homes/all/{metric}"
        mean, low, high, _ = paired(inputs, control, treatment, metric_id)
        values[f"t{key}"] = w.percent(inputs.value(treatment, metric_id), 0)
        values[f"c{key}"] = w.percent(inputs.value(control, metric_id), 0)
        values[f"d{key}"] = w.points(mean)
        values[f"i{key}"] = w.points_range(low, high)
    return w("h_village", **values)


def who_paid(inputs: Inputs, w: Words, treatment: str, control: str, exclude: str) -> str:
    items = []
    for g in GROUP_LABELS:
        if g == exclude:
            continue
        mean, _, high, _ = paired(inputs, control, treatment, f"all/all/{g}/success_rate")
        if high < 0:
            items.append(w("h_paid_item", group=w.label("group", g), diff=w.points(mean)))
    if items:
        return w("h_paid", groups=w.join(items))
    return w("h_paid_none" if exclude else "h_paid_none_any")


def window_sentence(w: Words, det: Detectability, window: str) -> str:
    verdict = "h_window_verdict_yes" if det.power >= 0.8 else "h_window_verdict_no"
    return (
        w(
            "h_window",
            window=window,
            p_sign=w.percent(det.p_right_sign, 0),
            power=w.percent(det.power, 0),
            n=det.n_pairs,
        )
        + " "
        + w(verdict)
    )


def experiment_headline(inputs: Inputs, w: Words) -> list[str]:
    baseline = inputs.spec.get("baseline", "")
    c = inputs.comparison
    lines = []
    for scenario in inputs.scenarios:
        if scenario == baseline or c.empty:
            continue
        part = c[
            (c["scenario"] == scenario)
            & (c["dimension"] == "all")
            & (c["metric"] == "success_rate")
            & c["significant"].astype(bool)
        ]
        part = part.reindex(part["diff_mean"].abs().sort_values(ascending=False).index)[:4]
        changes = [
            w("h_change_item", group=w.label("group", r.group), diff=w.points(r.diff_mean))
            for r in part.itertuples()
        ]
        lines.append(
            w(
                "h_scenario_changes",
                scenario=scenario_name(inputs, w, scenario),
                baseline=scenario_name(inputs, w, baseline),
                changes=w.join(changes) if changes else w("h_no_changes"),
            )
        )
    return lines


def run_headline(inputs: Inputs, w: Words, scenario: str) -> str:
    start, end = inputs.window

    def lets(channel: str) -> str:
        return w.number(inputs.value(scenario, f"channel/{channel}/all/lettings"), 0)

    return w(
        "h_run",
        window=date_range(w, start, end) if start else "",
        lettings=w.number(inputs.value(scenario, "all/all/all/lettings"), 0),
        offer=lets("offer"),
        lottery=lets("lottery"),
        direct=lets("direct"),
        rate=w.percent(inputs.value(scenario, "all/all/all/success_rate")),
    )


def success_figure(inputs: Inputs, w: Words) -> bytes:
    sr = inputs.rows("all", "success_rate")
    groups = [g for g in GROUPS if g in set(sr["group"])]
    scenarios = inputs.scenarios
    fig, ax = plt.subplots(figsize=(9.5, 3.8))
    width = 0.8 / max(1, len(scenarios))
    x = np.arange(len(groups))
    for i, scen in enumerate(scenarios):
        part = sr[sr["scenario"] == scen].set_index("group").reindex(groups)
        err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
        ax.bar(
            x + i * width,
            part["mean"],
            width,
            yerr=np.nan_to_num(err),
            capsize=2,
            label=scenario_name(inputs, w, scen),
        )
    ax.set_xticks(x + width * (len(scenarios) - 1) / 2)
    ax.set_xticklabels([w.label("group", g) for g in groups], rotation=15, ha="right")
    ax.set_ylabel(w.label("metric", "success_rate"))
    _axis_format(ax, w, share=True)
    ax.legend(fontsize=8, frameon=False)
    return _fig_png(fig)


# --- Time views -----------------------------------------------------------------------


def period_frame(inputs: Inputs, dimension: str, metric: str, group: str = "all") -> pd.DataFrame:
    """Periods x scenarios of one metric's mean."""
    part = inputs.rows(dimension, metric, group)
    wide = part.pivot_table(index="level", columns="scenario", values="mean", aggfunc="first")
    return wide.reindex(columns=[s for s in inputs.scenarios if s in wide.columns]).sort_index()


def panels(
    inputs: Inputs,
    w: Words,
    series: list[tuple[str, pd.DataFrame]],
    share: bool,
    ncols: int = 3,
) -> bytes:
    """Small multiples: one panel per series (title, periods x scenarios)."""
    n = len(series)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols, 2.6 * nrows), squeeze=False, sharex=True
    )
    for ax, (title, frame) in zip(axes.flat, series, strict=False):
        for scen in frame.columns:
            ax.plot(
                range(len(frame)),
                frame[scen],
                marker="o",
                ms=3,
                label=scenario_name(inputs, w, scen),
            )
        ax.set_title(title, fontsize=9)
        ax.set_xticks(range(len(frame)))
        ax.set_xticklabels(frame.index, rotation=45, fontsize=7)
        _axis_format(ax, w, share)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, names = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=len(names), fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return _fig_png(fig)


def time_section(inputs: Inputs, w: Words) -> Section | None:
    if inputs.rows("tertial").empty:
        return None
    sec = Section("time", w("time_views"), w("time_note"))
    sec.figures.append(
        (
            w("time_lettings"),
            panels(
                inputs,
                w,
                [
                    (w.label("channel", ch), period_frame(inputs, "tertial", f"lettings_{ch}"))
                    for ch in CHANNELS
                ],
                share=False,
            ),
        )
    )
    sec.figures.append(
        (
            w("time_active"),
            panels(
                inputs,
                w,
                [(w("time_active"), period_frame(inputs, "tertial", "active_seekers"))],
                share=False,
                ncols=1,
            ),
        )
    )
    groups = [g for g in GROUPS if not inputs.rows("tertial", "success_rate", g).empty]
    sec.figures.append(
        (
            w("time_success"),
            panels(
                inputs,
                w,
                [
                    (w.label("group", g), period_frame(inputs, "tertial", "success_rate", g))
                    for g in groups
                ],
                share=True,
                ncols=4,
            ),
        )
    )
    sec.figures.append(
        (
            w("time_responses"),
            panels(
                inputs,
                w,
                [
                    (
                        w.label("channel", ch),
                        period_frame(inputs, "tertial", f"responses_per_advert_{ch}"),
                    )
                    for ch in ("offer", "lottery")
                ],
                share=False,
                ncols=2,
            ),
        )
    )
    months = inputs.rows("month", group="status_holder")
    if len(months):
        wide = period_frame(inputs, "month", "lettings", "status_holder")
        # Every month of the window, a month without a status-holder letting as zero.
        first, last = pd.Period(min(wide.index), "M"), pd.Period(max(wide.index), "M")
        wide = wide.reindex([str(p) for p in pd.period_range(first, last, freq="M")]).fillna(0.0)
        fig, ax = plt.subplots(figsize=(9.5, 3.2))
        for i, scen in enumerate(wide.columns):
            colour = f"C{i}"
            ax.plot(
                range(len(wide)),
                wide[scen],
                marker="o",
                ms=3,
                color=colour,
                label=scenario_name(inputs, w, scen),
            )
            ax.axhline(float(wide[scen].mean()), color=colour, linestyle="--", linewidth=0.8)
        ax.plot([], [], color="grey", linestyle="--", linewidth=0.8, label=w("even"))
        ax.set_xticks(range(len(wide)))
        ax.set_xticklabels(wide.index, rotation=60, fontsize=7)
        ax.set_ylabel(w.label("metric", "lettings"))
        _axis_format(ax, w, share=False)
        ax.legend(fontsize=8, frameon=False)
        sec.figures.append((w("status_holders"), _fig_png(fig)))
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
    wide.columns = [scenario_name(inputs, w, s) for s in wide.columns]
    return wide


def numeric_sheet(
    inputs: Inputs, w: Words, frame: pd.DataFrame, name: str, level: str = "period"
) -> Sheet:
    """Long numeric sheet: scenario, period (or channel), group, measure, mean, low,
    high, n; share rows as percentages."""
    out = pd.DataFrame(
        {
            w("col.scenario"): [scenario_name(inputs, w, s) for s in frame["scenario"]],
            w(f"col.{level}"): [
                w.label(level, x) if level == "channel" else x for x in frame["level"].astype(str)
            ],
            w("col.group"): [w.label("group", g) for g in frame["group"]],
            w("col.metric"): [w.label("metric", m) for m in frame["metric"]],
            w("col.mean"): frame["mean"].to_numpy(),
            w("col.low"): frame["ci_low"].to_numpy(),
            w("col.high"): frame["ci_high"].to_numpy(),
            w("col.n"): frame["n_replications"].to_numpy(),
        }
    )
    return Sheet(
        name, out, {w("col.n"): "int"}, share_rows=frame["metric"].isin(SHARE_METRICS).to_numpy()
    )


def detail_sections(inputs: Inputs, w: Words) -> tuple[list[Section], list[Sheet]]:
    sections: list[Section] = []
    sheets: list[Sheet] = []
    sr = inputs.rows("all", "success_rate")
    sec = Section("success", w("success_rate"), w("success_rate_note"), collapsed=True)
    sec.tables.append(
        Table(w("success_rate"), interval_table(inputs, w, sr, "group", "group", GROUPS))
    )
    sections.append(sec)
    sheets.append(success_sheet(inputs, w, sr))

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
        wide.columns = [scenario_name(inputs, w, s) for s in wide.columns]
        baseline = scenario_name(inputs, w, inputs.spec.get("baseline", ""))
        sec = Section("differences", w("differences"), w("differences_note"), collapsed=True)
        sec.paragraphs.append(f"{w('baseline')}: {baseline}")
        sec.tables.append(Table(w("differences"), wide))
        sections.append(sec)
        sheets.append(differences_sheet(inputs, w, c))

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
    sections.append(sec)
    sheets.append(numeric_sheet(inputs, w, ch, w("sheet.channels"), level="channel"))

    years = inputs.rows("year")
    if len(years):
        year_metrics = [
            "lettings",
            "lettings_offer",
            "lettings_lottery",
            "lettings_direct",
            "active_seekers",
            "success_rate",
            "responses_per_advert",
        ]
        shown = years[(years["group"] == "all") & years["metric"].isin(year_metrics)]
        # Scenarios in the spec's order, measures in the order above.
        shown = shown.assign(
            _s=shown["scenario"].map({s: i for i, s in enumerate(inputs.scenarios)}),
            _m=shown["metric"].map({m: i for i, m in enumerate(year_metrics)}),
        ).sort_values(["_s", "_m"], kind="stable")
        wide = shown.assign(
            cell=[value_text(w, m, v) for m, v in zip(shown["metric"], shown["mean"], strict=True)],
            metric=[w.label("metric", m) for m in shown["metric"]],
            scenario=[scenario_name(inputs, w, s) for s in shown["scenario"]],
        ).pivot_table(
            index=["scenario", "metric"],
            columns="level",
            values="cell",
            aggfunc="first",
            sort=False,
        )
        wide.index.names = [w("col.scenario"), w("col.metric")]
        sec = Section("years", w("years_table"), collapsed=True)
        sec.tables.append(Table(w("years_table"), wide))
        sections.append(sec)
    periods = pd.concat([inputs.rows("tertial"), inputs.rows("year")], ignore_index=True)
    if len(periods):
        sheets.append(numeric_sheet(inputs, w, periods, w("sheet.time")))
    months = inputs.rows("month")
    if len(months):
        sheets.append(numeric_sheet(inputs, w, months, w("sheet.by_month")))

    q = inputs.rows("quota")
    if len(q):
        wide = q.pivot_table(
            index=["scenario", "level", "group"], columns="metric", values="mean", aggfunc="first"
        ).reset_index()
        # Scenarios in the spec's order, items in the order the rules report them.
        items = {g: i for i, g in enumerate(dict.fromkeys(q["group"]))}
        scen = {s: i for i, s in enumerate(inputs.scenarios)}
        wide = wide.assign(_s=wide["scenario"].map(scen), _i=wide["group"].map(items))
        wide = wide.sort_values(["_s", "level", "_i"], kind="stable").reset_index(drop=True)
        place_year = wide["level"].str.rsplit(" ", n=1, expand=True)
        flat = pd.DataFrame(
            {
                w("col.scenario"): [scenario_name(inputs, w, s) for s in wide["scenario"]],
                w("col.municipality"): place_year[0],
                w("col.year"): pd.to_numeric(place_year[1], errors="coerce"),
                w("col.item"): [w.label("item", g) for g in wide["group"]],
                **{
                    w(f"col.{m}"): wide[m] if m in wide.columns else np.nan
                    for m in ("limit", "used", "requested")
                },
            }
        )
        sec = Section("quotas", w("quotas"), w("quotas_note"), collapsed=True)
        shown = flat.copy()
        for m in ("limit", "used", "requested"):
            shown[w(f"col.{m}")] = [w.number(v, 1) for v in flat[w(f"col.{m}")]]
        sec.tables.append(Table(w("quotas"), shown.set_index(w("col.scenario"))))
        sections.append(sec)
        sheets.append(
            Sheet(
                w("sheet.quotas"),
                flat,
                {
                    w("col.year"): "year",
                    **{w(f"col.{m}"): "num" for m in ("limit", "used", "requested")},
                },
            )
        )
    return sections, sheets


def success_sheet(inputs: Inputs, w: Words, sr: pd.DataFrame) -> Sheet:
    ordered = sr.assign(
        _s=sr["scenario"].map({s: i for i, s in enumerate(inputs.scenarios)}),
        _g=sr["group"].map({g: i for i, g in enumerate(GROUPS)}),
    ).sort_values(["_s", "_g"])
    frame = pd.DataFrame(
        {
            w("col.scenario"): [scenario_name(inputs, w, s) for s in ordered["scenario"]],
            w("col.group"): [w.label("group", g) for g in ordered["group"]],
            w("col.mean"): ordered["mean"].to_numpy(),
            w("col.low"): ordered["ci_low"].to_numpy(),
            w("col.high"): ordered["ci_high"].to_numpy(),
            w("col.n"): ordered["n_replications"].to_numpy(),
        }
    )
    return Sheet(
        w("sheet.success"),
        frame,
        {w("col.mean"): "pct", w("col.low"): "pct", w("col.high"): "pct", w("col.n"): "int"},
    )


def differences_sheet(inputs: Inputs, w: Words, c: pd.DataFrame) -> Sheet:
    part = c[c["dimension"] == "all"]
    share = part["metric"].isin(SHARE_METRICS).to_numpy()
    scale = np.where(share, 100.0, 1.0)  # differences of shares in percentage points
    frame = pd.DataFrame(
        {
            w("col.scenario"): [scenario_name(inputs, w, s) for s in part["scenario"]],
            w("col.group"): [w.label("group", g) for g in part["group"]],
            w("col.metric"): [w.label("metric", m) for m in part["metric"]],
            w("col.diff"): part["diff_mean"].to_numpy() * scale,
            w("col.low"): part["diff_ci_low"].to_numpy() * scale,
            w("col.high"): part["diff_ci_high"].to_numpy() * scale,
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
) -> tuple[Section, Sheet | None]:
    title = (review.get("titles") or {}).get(w.lang) or review["title"]
    sec = Section("review", f"{w('review')}: {title}", collapsed=True)
    sheet = None
    if len(det.by_quota):
        frame = pd.DataFrame(
            {
                w("col.quota"): det.by_quota["quota_per_year"].to_numpy(),
                w("col.scenario"): [scenario_name(inputs, w, s) for s in det.by_quota["scenario"]],
                w("col.p_sign"): det.by_quota["p_right_sign"].to_numpy(),
                w("col.power"): det.by_quota["power"].to_numpy(),
            }
        )
        shown = frame.copy()
        shown[w("col.quota")] = [w.number(v, 0) for v in frame[w("col.quota")]]
        for col in (w("col.p_sign"), w("col.power")):
            shown[col] = [w.percent(v, 0) for v in frame[col]]
        sec.tables.append(Table(w("review_quota"), shown.set_index(w("col.quota"))))
        sheet = Sheet(
            w("sheet.review"),
            frame,
            {w("col.quota"): "int", w("col.p_sign"): "pct", w("col.power"): "pct"},
        )
    who = []
    for g in GROUPS:
        for metric in ("success_rate", "lettings"):
            mean, lo, hi, _ = paired(
                inputs, review["control"], review["treatment"], f"all/all/{g}/{metric}"
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
        sec.tables.append(Table(w("who_paid"), table))
    if review["kind"] == "village_rule":
        vs = inputs.rows("review")
        village = vs[vs["level"] == "village_senior_homes"]
        if len(village):
            sec.tables.append(
                Table(
                    w("village"),
                    interval_table(
                        inputs,
                        w,
                        village,
                        "metric",
                        "metric",
                        list(dict.fromkeys(village["metric"])),
                    ),
                )
            )
        core = vs[vs["level"].str.startswith("core_")]
        if len(core):
            shown = core.assign(metric=core["level"].str.removeprefix("core_"))
            table = interval_table(
                inputs, w, shown, "metric", "metric", list(dict.fromkeys(shown["metric"]))
            )
            table.index.name = w("col.municipality")
            sec.tables.append(Table(w("core"), table))
    return sec, sheet


def provenance(inputs: Inputs, w: Words) -> list[tuple[str, str]]:
    m = inputs.manifest
    start, end = inputs.window
    facts = [
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
        facts.append((w("baseline"), scenario_name(inputs, w, inputs.spec["baseline"])))
    return facts


def build(inputs: Inputs, lang: str) -> Report:
    w = Words(lang)
    m = inputs.manifest
    review = inputs.spec.get("review")
    det = review_detectability(inputs, review) if review else None
    if review and det is not None:
        headline = review_headline(inputs, w, review, det)
    elif len(inputs.scenarios) > 1:
        # An experiment: the baseline in numbers, then what each scenario changed.
        base = inputs.spec.get("baseline") or inputs.scenarios[0]
        text = run_headline(inputs, w, base)
        name = scenario_name(inputs, w, base)
        headline = [w("h_run_named", scenario=name[:1].upper() + name[1:], text=text)]
        headline += experiment_headline(inputs, w)
    else:
        headline = [run_headline(inputs, w, s) for s in inputs.scenarios[:1]]
    sections: list[Section] = []
    sheets: list[Sheet] = []
    time = time_section(inputs, w)
    if time is not None:
        sections.append(time)
    if review and det is not None:
        sec, sheet = review_section(inputs, w, review, det)
        sections.append(sec)
        if sheet is not None:
            sheets.append(sheet)
    details, detail_sheets = detail_sections(inputs, w)
    sections.extend(details)
    sheets = detail_sheets[:1] + sheets + detail_sheets[1:]
    facts = provenance(inputs, w)
    sec = Section("provenance", w("provenance"), collapsed=True)
    sec.tables.append(
        Table(w("provenance"), pd.DataFrame(facts, columns=[w("col.item_key"), w("col.value")]))
    )
    sections.append(sec)
    config = {s: c for s, c in (m.get("scenarios") or {}).items()} or m.get("config", {})
    prov = pd.DataFrame(
        facts
        + [
            (f"{w('configuration')}: {k}", json.dumps(v, default=str))
            for k, v in (config.items() if isinstance(config, dict) else [])
        ],
        columns=[w("col.item_key"), w("col.value")],
    )
    sheets.insert(0, Sheet(w("sheet.headline"), pd.DataFrame({w("col.text"): headline})))
    sheets.append(Sheet(w("sheet.provenance"), prov))
    name = str(m.get("name") or m.get("experiment") or m.get("scenario", ""))
    description = str(
        (inputs.spec.get("descriptions") or {}).get(lang)
        or inputs.spec.get("description")
        or (m.get("config") or {}).get("description", "")
    )
    return Report(
        lang=lang,
        title=f"{w('title')}: {name}",
        description=description,
        facts=facts,
        headline_title=w("headline"),
        headline=headline,
        headline_figure=(w("h_figure"), success_figure(inputs, w)),
        sections=sections,
        sheets=sheets,
    )


# --- Output ---------------------------------------------------------------------------

TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("allocsim.reports", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
).get_template("report.html.j2")


def file_names(lang: str) -> dict[str, str]:
    return {"html": f"report.{lang}.html", "md": f"report.{lang}.md", "xlsx": f"report.{lang}.xlsx"}


def render_html(report: Report) -> str:
    def uri(png: bytes) -> str:
        return "data:image/png;base64," + base64.b64encode(png).decode()

    other = next(lang for lang in LANGS if lang != report.lang)
    return TEMPLATE.render(
        r=report,
        uri=uri,
        html_table=lambda frame: jinja2.utils.markupsafe.Markup(
            frame.to_html(border=0, classes="t", na_rep="", escape=True)
        ),
        other_file=file_names(other)["html"],
        other_label=Words(report.lang)("lang_other"),
    )


def render_markdown(report: Report, figure_paths: dict[int, str]) -> str:
    md = [f"# {report.title}", "", report.description, ""]
    md += [" · ".join(f"{k}: {v}" for k, v in report.facts), ""]
    md += [f"## {Words(report.lang)('headline')}", ""]
    md += [f"- {line}" for line in report.headline] + [""]
    if report.headline_figure:
        md += [f"![{report.headline_figure[0]}]({figure_paths[id(report.headline_figure[1])]})", ""]
    for sec in report.sections:
        md += [f"## {sec.title}", ""]
        if sec.note:
            md += [sec.note, ""]
        for title, png in sec.figures:
            md += [f"![{title}]({figure_paths[id(png)]})", ""]
        md += [p for line in sec.paragraphs for p in (line, "")]
        for table in sec.tables:
            if table.title != sec.title:
                md += [f"### {table.title}", ""]
            md += [table.shown.reset_index().to_markdown(index=False), ""]
    return "\n".join(md)


def write_report(run_dir: Path, lang: str | None = None) -> dict[str, Path]:
    """Write report.<lang>.html, .md (figures in figures/<lang>/) and .xlsx into
    `run_dir`, for `lang` or for both languages; returns the paths, keyed like
    'html' (the first language's) and 'nl.html'."""
    inputs = load(run_dir)
    paths: dict[str, Path] = {}
    for code in [lang] if lang else list(LANGS):
        report = build(inputs, code)
        figdir = run_dir / "figures" / code
        figdir.mkdir(parents=True, exist_ok=True)
        figures = ([report.headline_figure] if report.headline_figure else []) + [
            f for sec in report.sections for f in sec.figures
        ]
        figure_paths = {}
        for i, (_, png) in enumerate(figures, start=1):
            path = figdir / f"figure-{i}.png"
            replace_file(path, partial(Path.write_bytes, data=png))
            figure_paths[id(png)] = f"figures/{code}/{path.name}"
        names = file_names(code)
        write_text(run_dir / names["html"], render_html(report))
        write_text(run_dir / names["md"], render_markdown(report, figure_paths))
        replace_file(run_dir / names["xlsx"], partial(write_workbook, sheets=report.sheets))
        for kind, name in names.items():
            paths.setdefault(kind, run_dir / name)
            paths[f"{code}.{kind}"] = run_dir / name
    return paths


# --- Excel ----------------------------------------------------------------------------

FORMATS = {
    "pct": "0.0%",
    "num": "#,##0.0",
    "int": "#,##0",
    "year": "0",
    "general": "#,##0.0##",  # a number column no one named: up to three decimals
}


def _cell_formats(sheet: Sheet) -> Callable[[int, str], str | None]:
    """Format of (row, column): per column, or per row for long tables mixing shares
    with other measures (numeric columns of share rows as percentages)."""
    mask = sheet.share_rows
    numeric = [c for c in sheet.frame.columns if pd.api.types.is_float_dtype(sheet.frame[c])]

    def fmt(row: int, column: str) -> str | None:
        if column in sheet.formats:
            return FORMATS[sheet.formats[column]]
        if mask is not None and column in numeric:
            if sheet.share_format == "points":
                unit = sheet.points_unit
                points = f'+0.0" {unit}";-0.0" {unit}";0.0" {unit}"'
                return points if mask[row] else "+#,##0.0;-#,##0.0;0.0"
            return FORMATS["pct"] if mask[row] else FORMATS["num"]
        if pd.api.types.is_integer_dtype(sheet.frame[column]):
            return FORMATS["int"]
        return FORMATS["general"] if column in numeric else None

    return fmt


def sheet_title(name: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of []:*?/\\, unique, and cut at
    a word rather than mid-word."""
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\").strip()
    if len(clean) > 31:
        clean = clean[:31].rsplit(" ", 1)[0].strip()
    title, i = clean or "Sheet", 2
    while title in taken:
        suffix = f" {i}"
        title = clean[: 31 - len(suffix)].strip() + suffix
        i += 1
    taken.add(title)
    return title


def write_workbook(path: Path, sheets: list[Sheet]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for sheet in sheets:
        ws = book.create_sheet(sheet_title(sheet.name, taken))
        frame = sheet.frame
        ws.append([str(c) for c in frame.columns])
        for c in ws[1]:
            c.font = Font(bold=True)
        fmt = _cell_formats(sheet)
        columns = list(frame.columns)
        for i, row in enumerate(frame.itertuples(index=False)):
            values = [
                None
                if isinstance(v, float) and np.isnan(v)
                else (v.item() if hasattr(v, "item") else v)
                for v in row
            ]
            ws.append(values)
            for j, column in enumerate(columns):
                number_format = fmt(i, column)
                if number_format:
                    ws.cell(row=i + 2, column=j + 1).number_format = number_format
        for j, column in enumerate(columns, start=1):
            texts = [str(column)] + [str(v) for v in frame[column].head(200)]
            width = min(80, max(10, max(len(t) for t in texts) + 2))
            if pd.api.types.is_float_dtype(frame[column]):
                width = max(12, len(str(column)) + 2)
            ws.column_dimensions[get_column_letter(j)].width = width
            if width == 80:
                for c in ws[get_column_letter(j)]:
                    c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        if len(frame):
            ws.auto_filter.ref = ws.dimensions
    book.save(path)
