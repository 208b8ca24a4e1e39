"""The reports' charts, drawn the same way everywhere: the Okabe-Ito palette (safe for
colour-blind readers), fonts of at least 10 points, every axis labelled with its unit,
95% intervals drawn (bars, whiskers or bands).

- `forest`: the effect itself, a difference with its interval per row (one panel per
  unit, so percentage points and years never share an axis), zero marked;
- `scenario_bars`: one measure per scenario on an axis that starts at zero and ends just
  above the largest interval, so the change shows;
- `grouped_bars`: a measure per group and scenario (the context of a whole run);
- `panels`: small multiples over time, with a band for each scenario's interval;
- `monthly`: a monthly count against its even spread (the status holders' clause 1.13).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from cycler import cycler  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from allocsim.i18n import Words  # noqa: E402

# Okabe and Ito (2008), "Color Universal Design": distinguishable with every common
# form of colour blindness; black last.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
STYLE: Any = {
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "axes.prop_cycle": cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
}

# What a number is, for its axis and its text: a share (shown in percent, differences in
# percentage points), years, or a plain count or mean.
SHARE, YEARS, NUMBER = "share", "years", "number"


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def value_axis(axis: Any, w: Words, unit: str, difference: bool = False, top: float = 1.0) -> None:
    """Ticks of a value axis (`axis`: ax.xaxis or ax.yaxis) in the unit's words: percent
    for shares (percentage points for a difference), with as many decimals as the ticks
    need."""
    axis.set_major_locator(MaxNLocator(nbins=6))
    scaled = abs(top) * (100 if unit == SHARE else 1)
    digits = 0 if scaled >= 10 else (1 if scaled >= 1 else 2)
    if unit == SHARE and not difference:
        axis.set_major_formatter(FuncFormatter(lambda v, _: w.percent(v, digits)))
    elif unit == SHARE:
        axis.set_major_formatter(FuncFormatter(lambda v, _: w.signed(v * 100, digits)))
    elif difference:
        axis.set_major_formatter(FuncFormatter(lambda v, _: w.signed(v, digits)))
    else:
        axis.set_major_formatter(FuncFormatter(lambda v, _: w.number(v, digits)))


def unit_label(w: Words, unit: str, difference: bool, what: str = "") -> str:
    """An axis title with its unit: 'difference (percentage points)', 'success rate (%)'."""
    if difference:
        name = {SHARE: w("pp"), YEARS: w("years_unit")}.get(unit, "")
        base = what or w("col.diff")
        return f"{base} ({name})" if name else base
    name = {SHARE: "%", YEARS: w("years_unit")}.get(unit, "")
    return f"{what} ({name})" if name else what


@dataclass(frozen=True)
class Effect:
    """One row of a forest plot: a difference and its 95% interval."""

    label: str
    mean: float
    low: float
    high: float
    unit: str  # SHARE, YEARS or NUMBER
    series: str = ""  # which scenario, when several share the plot


def forest(w: Words, effects: Sequence[Effect], unit_names: dict[str, str]) -> bytes:
    """The effects as points with their intervals, zero marked; one panel per unit
    (`unit_names`: each unit's axis title), rows top to bottom in the given order, each
    series in its own colour and marker."""
    units = [u for u in (SHARE, YEARS, NUMBER) if any(e.unit == u for e in effects)]
    series = list(dict.fromkeys(e.series for e in effects))
    rows = [[e for e in effects if e.unit == u] for u in units]
    heights = [max(1, len(dict.fromkeys(e.label for e in r))) for r in rows]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            len(units),
            1,
            figsize=(9.5, 0.5 + 0.3 * sum(heights) + 0.6 * len(units)),
            gridspec_kw={"height_ratios": heights},
            squeeze=False,
        )
        for ax, unit, part in zip(axes[:, 0], units, rows, strict=True):
            labels = list(dict.fromkeys(e.label for e in part))
            offset = 0.0 if len(series) == 1 else 0.5 / len(series)
            for k, name in enumerate(series):
                mine = [e for e in part if e.series == name]
                if not mine:
                    continue
                y = np.array([labels.index(e.label) for e in mine], dtype=float)
                y += (k - (len(series) - 1) / 2) * offset
                scale = 100.0 if unit == SHARE else 1.0
                mean = np.array([e.mean for e in mine]) * scale
                err = np.array([[e.mean - e.low, e.high - e.mean] for e in mine]).T * scale
                ax.errorbar(
                    mean,
                    y,
                    xerr=np.nan_to_num(err),
                    fmt=MARKERS[k % len(MARKERS)],
                    color=colour(k),
                    capsize=3,
                    ms=6,
                    label=name or None,
                )
            ax.axvline(0, color="#444", linewidth=0.8)
            ax.set_yticks(range(len(labels)))
            ax.set_yticklabels(labels)
            ax.set_ylim(len(labels) - 0.5, -0.5)
            ax.set_xlabel(unit_names.get(unit, unit_label(w, unit, True)))
            ax.grid(axis="x", color="#ddd", linewidth=0.6)
            ax.set_axisbelow(True)
            lo = min([0.0, *(e.low for e in part if np.isfinite(e.low))])
            hi = max([0.0, *(e.high for e in part if np.isfinite(e.high))])
            pad = 0.08 * ((hi - lo) or 1.0)
            scale = 100.0 if unit == SHARE else 1.0
            ax.set_xlim((lo - pad) * scale, (hi + pad) * scale)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=7))
        if len(series) > 1:
            handles, names = axes[0, 0].get_legend_handles_labels()
            fig.legend(handles, names, loc="lower center", ncol=min(3, len(names)), frameon=False)
            fig.tight_layout(rect=(0, 0.12 if len(names) > 3 else 0.08, 1, 1))
        else:
            fig.tight_layout()
        return png(fig)


def scenario_bars(
    w: Words,
    names: Sequence[str],
    mean: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    unit: str,
    what: str,
) -> bytes:
    """One bar per scenario with its interval, on an axis from zero to just above the
    largest interval: the change is what fills the height."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9.5, 0.6 + 0.5 * len(names)))
        y = np.arange(len(names))
        m, lo, hi = (np.asarray(v, dtype=float) for v in (mean, low, high))
        err = np.nan_to_num(np.vstack([m - lo, hi - m]))
        ax.barh(y, m, xerr=err, capsize=3, color=[colour(i) for i in range(len(names))])
        for yi, value in zip(y, m, strict=True):
            text = w.percent(value) if unit == SHARE else w.number(value)
            ax.annotate(
                text,
                (0, yi),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                color="white",
                fontweight="bold",
            )
        ax.set_yticks(y)
        ax.set_yticklabels(names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        top = float(np.nanmax(np.where(np.isfinite(hi), hi, m))) if len(m) else 1.0
        ax.set_xlim(0, top * 1.1 if top > 0 else 1.0)
        value_axis(ax.xaxis, w, unit, top=top)
        ax.set_xlabel(unit_label(w, unit, False, what))
        ax.grid(axis="x", color="#ddd", linewidth=0.6)
        ax.set_axisbelow(True)
        fig.tight_layout()
        return png(fig)


def grouped_bars(
    w: Words, frames: dict[str, pd.DataFrame], groups: list[str], labels: list[str], what: str
) -> bytes:
    """A share per group (rows of each frame: mean, ci_low, ci_high by group) and
    scenario (the frames, by name), with intervals."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9.5, 3.8))
        width = 0.8 / max(1, len(frames))
        x = np.arange(len(groups))
        for i, (name, frame) in enumerate(frames.items()):
            part = frame.reindex(groups)
            err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
            ax.bar(
                x + i * width,
                part["mean"],
                width,
                yerr=np.nan_to_num(err),
                capsize=2,
                label=name,
                color=colour(i),
            )
        ax.set_xticks(x + width * (len(frames) - 1) / 2)
        ax.set_xticklabels(labels, rotation=15, ha="right")
        ax.set_ylim(bottom=0)
        value_axis(ax.yaxis, w, SHARE, top=ax.get_ylim()[1])
        ax.set_ylabel(unit_label(w, SHARE, False, what))
        ax.grid(axis="y", color="#ddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(frameon=False)
        fig.tight_layout()
        return png(fig)


@dataclass(frozen=True)
class Series:
    """One panel of a time view: periods x scenarios of the mean, and of the interval."""

    title: str
    mean: pd.DataFrame
    low: pd.DataFrame
    high: pd.DataFrame


def panels(
    w: Words, series: list[Series], names: dict[str, str], unit: str, what: str, ncols: int = 3
) -> bytes:
    """Small multiples over time, one per series, each scenario's 95% interval as a band;
    `what` names the y axis (with its unit)."""
    n = len(series)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(
            nrows, ncols, figsize=(3.9 * ncols, 3.0 * nrows), squeeze=False, sharex=True
        )
        for ax, s in zip(axes.flat, series, strict=False):
            x = np.arange(len(s.mean))
            for i, scen in enumerate(s.mean.columns):
                ax.plot(
                    x,
                    s.mean[scen],
                    marker=MARKERS[i % len(MARKERS)],
                    ms=4,
                    color=colour(i),
                    label=names.get(scen, scen),
                )
                if scen in s.low.columns:
                    ax.fill_between(
                        x, s.low[scen], s.high[scen], color=colour(i), alpha=0.18, linewidth=0
                    )
            ax.set_title(s.title)
            ax.set_xticks(x)
            ax.set_xticklabels(s.mean.index, rotation=45, ha="right")
            ax.set_ylim(bottom=0)
            value_axis(ax.yaxis, w, unit, top=ax.get_ylim()[1])
            ax.set_ylabel(unit_label(w, unit, False, what))
            ax.grid(axis="y", color="#ddd", linewidth=0.6)
            ax.set_axisbelow(True)
        for ax in list(axes.flat)[n:]:
            ax.axis("off")
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=min(3, len(labels)), frameon=False)
        fig.tight_layout(rect=(0, 0.1 if nrows == 1 else 0.05, 1, 1))
        return png(fig)


def monthly(w: Words, wide: pd.DataFrame, names: dict[str, str], what: str, even: str) -> bytes:
    """Counts per month (rows) and scenario (columns), each with its mean as a dashed
    line: the even spread."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(9.5, 3.4))
        for i, scen in enumerate(wide.columns):
            ax.plot(
                range(len(wide)),
                wide[scen],
                marker=MARKERS[i % len(MARKERS)],
                ms=4,
                color=colour(i),
                label=names.get(scen, scen),
            )
            ax.axhline(float(wide[scen].mean()), color=colour(i), linestyle="--", linewidth=0.9)
        ax.plot([], [], color="grey", linestyle="--", linewidth=0.9, label=even)
        ax.set_xticks(range(len(wide)))
        ax.set_xticklabels(wide.index, rotation=60, ha="right")
        ax.set_ylim(bottom=0)
        value_axis(ax.yaxis, w, NUMBER, top=ax.get_ylim()[1])
        ax.set_ylabel(what)
        ax.grid(axis="y", color="#ddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(frameon=False)
        fig.tight_layout()
        return png(fig)
