"""A metric's value and difference in words, for every report: shares in percent and
their differences in percentage points, years with their unit, counts without decimals.
Numbers themselves are formatted by `allocsim.i18n.Words` (babel)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from allocsim.analysis.metrics import is_share
from allocsim.i18n import Words
from allocsim.reports.figures import NUMBER, SHARE, YEARS


def is_years(metric: str) -> bool:
    name = metric.split("/")[-1]
    return name.endswith("_years") or name == "tenant_age_mean"


def unit_of(metric: str) -> str:
    """SHARE, YEARS or NUMBER (allocsim.reports.figures): how the metric is shown."""
    return SHARE if is_share(metric) else (YEARS if is_years(metric) else NUMBER)


def value_text(w: Words, metric: str, value: float) -> str:
    if is_share(metric):
        return w.percent(value)
    if is_years(metric):
        return f"{w.number(value)} {w('years_unit')}"
    return w.number(value, 0 if metric.split("/")[-1].startswith(("lettings", "active")) else 1)


def diff_text(w: Words, metric: str, value: float) -> str:
    if is_share(metric):
        return w.points(value)
    if is_years(metric):
        return f"{w.signed(value)} {w('years_unit')}"
    return w.signed(value)


def diff_range(w: Words, metric: str, low: float, high: float) -> str:
    if is_share(metric):
        return w.points_range(low, high)
    bare = w("interval_range", low=w.signed(low), high=w.signed(high))
    return f"{bare} {w('years_unit')}" if is_years(metric) else bare


def cell(w: Words, metric: str, mean: float, low: float, high: float) -> str:
    """'9.1% (8.7% to 9.5%)', '402 (395 to 410)' or '62.7 years (56.1 to 69.2)'."""
    if np.isnan(low):
        return value_text(w, metric, mean)
    if is_years(metric):
        interval = w("interval_range", low=w.number(low), high=w.number(high))
    else:
        bounds = {"low": value_text(w, metric, low), "high": value_text(w, metric, high)}
        interval = w("interval_range", **bounds)
    return f"{value_text(w, metric, mean)} ({interval})"


def diff_cell(w: Words, metric: str, mean: float, low: float, high: float, sig: bool) -> str:
    if np.isnan(low):
        return diff_text(w, metric, mean)
    interval = diff_range(w, metric, low, high)
    return f"{diff_text(w, metric, mean)} ({interval}){' *' if sig else ''}"


def date_range(w: Words, start: str, end: str) -> str:
    """A window [start, end) in words, with its last day: '1 January 2021 to 31 August 2022'."""
    last = dt.date.fromisoformat(end) - dt.timedelta(days=1)
    return w("date_range", start=w.date(start), end=w.date(last))


def in_twenty(share: float) -> int:
    """A probability as 'about k in 20' (rounded, never 20 of 20 below 0.975)."""
    if not np.isfinite(share):
        return 0
    return int(min(20, max(0, round(share * 20))))


def beyond_noise(low: float, high: float) -> bool:
    """The interval leaves out zero."""
    return bool(low > 0 or high < 0)
