"""Metrics: pure functions of the event records, per replication, then over replications.

`replication_metrics` returns a long table (replication, dimension, level, group,
metric, value); `summarise` gives mean, standard deviation and a 95% t-interval
over replications. Metric names and meanings are listed in `METRICS` (README).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from allocsim.domain import (
    DAYS_PER_YEAR,
    GROUP_LABELS,
    KIND_LABELS,
    GroupAges,
    assign_group,
    day_of,
)
from allocsim.records import Table
from allocsim.stats import mean_sd, share_interval, t_half_width

if TYPE_CHECKING:
    from allocsim.config import Config

METRICS = {
    "lettings": "lettings in the window",
    "lettings_via_adverts": "lettings through adverts (offer model and lottery)",
    "active_seekers": "seekers who responded in the window (status holders: on the queue), "
    "plus those housed in it; group at the window's start (or at entry if later)",
    "registered_seekers": "households on the list (not status holders) on the period's first "
    "day; group on that day",
    "success_rate": "slaagkans: lettings / active seekers (by the seeker's origin municipality "
    "and group at the window's start)",
    "lettings_offer": "lettings through offer-model adverts",
    "lettings_lottery": "lettings through lottery adverts",
    "lettings_direct": "direct allocations (status holders)",
    "chain_moves_per_letting": "share of lettings whose tenant freed a home in the stock",
    "adverts_closed": "adverts closed in the period",
    "adverts_unlet": "adverts closed in the period without a letting (advertised again)",
    "responses_per_advert_offer": "mean responses per offer-model advert closed",
    "responses_per_advert_lottery": "mean responses per lottery advert closed",
    "meettijd_median_years": "median meettijd of the new tenants, years",
    "meettijd_mean_years": "mean meettijd of the new tenants, years",
    "search_median_days": "median zoektijd: first response (direct: arrival) to letting",
    "refusals_per_letting": "mean refusals and no-shows before the tenant",
    "vacant_days_mean": "mean days from vacancy to new tenancy",
    "responses_per_advert": "mean responses per advert closed in the window",
    "chain_length_mean": "mean lettings per moving chain started in the window",
    "never_responding_share": "share of the households on the list at some time in the "
    "window (not status holders) that made no response in it",
}

DIMENSIONS = ("all", "municipality", "village", "channel")
COUNT_METRICS = (
    "lettings",
    "lettings_via_adverts",
    "active_seekers",
    "registered_seekers",
    "lettings_offer",
    "lettings_lottery",
    "lettings_direct",
    "adverts_closed",
    "adverts_unlet",
)

# Shares in [0, 1]: their interval over replications is Wilson's (stats.share_interval),
# which never leaves [0, 1], not a t-interval.
SHARE_METRICS = (
    "success_rate",
    "never_responding_share",
    "chain_moves_per_letting",
    "share_65plus",
    "share_same_village",
    "share_movers_from_stock",
)


def is_share(metric: str) -> bool:
    """A share in [0, 1] (`SHARE_METRICS`), shown as a percentage and its differences in
    percentage points; `metric` is a name or a metric id (dimension/level/group/name)."""
    return metric.split("/")[-1] in SHARE_METRICS


Rows = list[tuple[str, str, str, str, float]]


def _window(values: np.ndarray, start: float, end: float) -> np.ndarray:
    return (values >= start) & (values < end)


def _mean(values: np.ndarray) -> float:
    """pandas' Series.mean to the last bit: NaN left out (as zeros in the sum, over the
    count of the others)."""
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        if missing.any():
            n = values.size - int(missing.sum())
            return float(np.where(missing, 0.0, values).sum() / n) if n else math.nan
    return float(values.sum(dtype=np.float64) / values.size) if values.size else math.nan


def _median(values: np.ndarray) -> float:
    """pandas' Series.median: NaN left out."""
    values = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    return float(np.median(values)) if values.size else math.nan


def _letting_stats(lets: Table, rows: np.ndarray) -> dict[str, float]:
    n = int(rows.sum())
    if not n:
        return {"lettings": 0.0, "lettings_via_adverts": 0.0}
    return {
        "lettings": float(n),
        "lettings_via_adverts": float((~lets.equals("channel", "direct")[rows]).sum()),
        "meettijd_median_years": _median(lets["meettijd_days"][rows]) / 365.25,
        "meettijd_mean_years": _mean(lets["meettijd_days"][rows]) / 365.25,
        "search_median_days": _median(lets["search_days"][rows]),
        "refusals_per_letting": _mean(lets["n_refused"][rows]),
        "vacant_days_mean": _mean(lets["vacant_days"][rows]),
    }


def group_at(seekers: Table, day: float, ages: GroupAges) -> np.ndarray:
    """Reporting group (codes into GROUP_LABELS) of each seeker on `day`, or at entry if
    later."""
    kind = np.asarray([KIND_LABELS.index(k) for k in seekers.labels["kind"]], np.int8)
    when = np.maximum(seekers["entry_day"], day)
    age = (when - seekers["birth_day"]) / DAYS_PER_YEAR
    return assign_group(kind[seekers["kind"]], age, ages)


def _among(ids: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """`ids` in `chosen` (both seeker ids: small non-negative integers)."""
    size = int(max(ids.max(initial=-1), chosen.max(initial=-1))) + 1
    flag = np.zeros(size, dtype=bool)
    flag[chosen] = True
    return flag[ids]


def responded_in(seekers: Table, responses: Table, start: float, end: float) -> np.ndarray:
    """Seekers with a response in [start, end)."""
    window = _window(responses["day"], start, end)
    return _among(seekers["seeker_id"], responses["seeker_id"][window])


def active_seekers(seekers: Table, responses: Table, start: float, end: float) -> np.ndarray:
    """Boolean mask of seekers active in [start, end): responded in it (exact, from the
    responses table), housed in it, or status holders on the queue."""
    responded = responded_in(seekers, responses, start, end)
    queued = (
        seekers.equals("kind", "status_holder")
        & (seekers["entry_day"] < end)
        & (seekers["outcome_day"] >= start)
    )
    housed = seekers.equals("outcome", "housed") & _window(seekers["outcome_day"], start, end)
    return responded | queued | housed


def registered_at(seekers: Table, day: float) -> np.ndarray:
    """Boolean mask of households on the list on `day` (status holders aside)."""
    return (
        (seekers["entry_day"] <= day)
        & (seekers["outcome_day"] > day)
        & ~seekers.equals("kind", "status_holder")
    )


def never_responding_share(seekers: Table, responses: Table, start: float, end: float) -> float:
    """Share of the households listed at some time in [start, end) (status holders
    aside) without a response in it (RIGO 2016: about two in three)."""
    listed = (
        (seekers["entry_day"] < end)
        & (seekers["outcome_day"] >= start)
        & ~seekers.equals("kind", "status_holder")
    )
    responded = responded_in(seekers, responses, start, end)
    n = int(listed.sum())
    return float((listed & ~responded).sum() / n) if n else math.nan


def _months(start_date: dt.date, days: np.ndarray) -> np.ndarray:
    """The calendar month ('2022-03') of each day."""
    dates = np.datetime64(start_date, "D") + np.floor(days).astype("timedelta64[D]")
    return dates.astype("datetime64[M]").astype(str)


def replication_metrics(
    records: Mapping[str, Any],
    start: float,
    end: float,
    ages: GroupAges,
    start_date: dt.date | None = None,
    rule_villages: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Metrics of one replication's records (`allocsim.records.Records`) over the window
    [start, end) in days.

    With `start_date`, lettings are also counted per calendar month (dimension
    'month'), for all groups and for status holders (the even spread of 1.13)."""
    tables = _tables(records)
    seekers, responses = tables["seekers"], tables["responses"]
    lettings = tables["lettings"]
    lets = lettings.take(_window(lettings["day"], start, end))
    adverts = tables["adverts"]
    adverts = adverts.take(_window(adverts["close_day"], start, end))
    active = seekers.take(active_seekers(seekers, responses, start, end))
    active_group = group_at(active, start, ages)
    housed = _among(active["seeker_id"], lets["seeker_id"])
    rows: Rows = []

    def add(dim: str, level: str, group: str, values: dict[str, float]) -> None:
        rows.extend((dim, level, group, k, v) for k, v in values.items())

    everything = np.ones(len(lets), dtype=bool)
    for dim in DIMENSIONS:
        parts = [("all", everything)] if dim == "all" else lets.levels(dim)
        for level, part in parts:
            add(dim, level, "all", _letting_stats(lets, part))
            for group, in_group in lets.levels("group"):
                if (part & in_group).any():
                    add(dim, level, group, _letting_stats(lets, part & in_group))
        if len(adverts):
            aparts = (
                [("all", np.ones(len(adverts), dtype=bool))]
                if dim == "all"
                else adverts.levels(dim)
            )
            for level, apart in aparts:
                per_advert = _mean(adverts["n_responses"][apart])
                add(dim, level, "all", {"responses_per_advert": per_advert})
    # Success rate by the seeker's origin municipality and group.
    for dim, parts in (
        ("all", [("all", np.ones(len(active), dtype=bool))]),
        ("municipality", active.levels("origin_municipality")),
    ):
        for level, part in parts:
            for g, group in enumerate(("all", *GROUP_LABELS)):
                sub = part if group == "all" else part & (active_group == g - 1)
                n_active = int(sub.sum())
                values = {"active_seekers": float(n_active)}
                if n_active:
                    values["success_rate"] = int((sub & housed).sum()) / n_active
                add(dim, level, group, values)
    if len(lets):
        starts = lets["chain_id"][lets["chain_position"] == 0]
        in_chain = np.isin(lettings["chain_id"], starts)
        if in_chain.any():
            ids, where = np.unique(lettings["chain_id"][in_chain], return_inverse=True)
            longest = np.full(ids.size, -1, dtype=np.int64)
            np.maximum.at(longest, where, lettings["chain_position"][in_chain])
            add("all", "all", "all", {"chain_length_mean": _mean(longest + 1)})
    if start_date is not None and len(lets):
        label = _months(start_date, lets["day"])
        sh = lets.equals("seeker_kind", "status_holder")
        for group, chosen in (("all", label), ("status_holder", label[sh])):
            months, n = np.unique(chosen, return_counts=True)
            for month, count in zip(months.tolist(), n.tolist(), strict=True):
                add("month", month, group, {"lettings": float(count)})
    share = never_responding_share(seekers, responses, start, end)
    add("all", "all", "all", {"never_responding_share": share})
    for level, values in review_metrics(lets, rule_villages, ages).items():
        add("review", level, "all", values)
    return _frame(rows, seekers.replication)


def _tables(records: Mapping[str, Any]) -> dict[str, Table]:
    """The record tables as arrays (`Records.tables`), or from pandas frames."""
    tables = getattr(records, "tables", None)
    if tables is not None:
        return dict(tables)
    return {
        name: t if isinstance(t, Table) else Table.of_frame(name, t) for name, t in records.items()
    }


def _frame(rows: Rows, replication: int) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["dimension", "level", "group", "metric", "value"])
    out.insert(0, "replication", replication)
    return out


def review_metrics(
    lets: Table, rule_villages: tuple[str, ...], ages: GroupAges
) -> dict[str, dict[str, float]]:
    """Figures the T2 review of the village rule (1.8) asks for, per replication.

    Level `village_senior_homes`: the senior-suitable homes of the rule's villages let
    through adverts: who got them (age, from where) and the moves they set off. Level
    `core_<municipality>`: lottery lettings left for a municipality's core town (the
    village named after it) under the cap."""
    out: dict[str, dict[str, float]] = {}
    village = lets.text("village")
    if rule_villages:
        senior = (
            np.isin(village, rule_villages)
            & lets["senior_suitable"]
            & ~lets.equals("channel", "direct")
        )
        values = {"lettings": float(senior.sum())}
        if senior.any():
            chain, position = lets["chain_id"], lets["chain_position"]
            follow_on = sum(
                int(((chain == c) & (position > p)).sum())
                for c, p in zip(chain[senior].tolist(), position[senior].tolist(), strict=True)
            )
            age = lets["age"][senior]
            values.update(
                {
                    "tenant_age_mean": _mean(age),
                    "share_65plus": _mean(age >= ages.senior),
                    "share_same_village": _mean(
                        lets.text("origin_village")[senior] == village[senior]
                    ),
                    "share_movers_from_stock": _mean(lets["freed_home_id"][senior] >= 0),
                    "family_homes_freed": float((lets["freed_home_bedrooms"][senior] >= 3).sum()),
                    "chain_moves_set_off": float(follow_on),
                }
            )
        out["village_senior_homes"] = values
    municipality = lets.text("municipality")
    lottery = lets.equals("channel", "lottery")
    for muni in dict.fromkeys(municipality.tolist()):
        core = (village == muni) & (municipality == muni)
        out[f"core_{muni}"] = {"lottery_lettings": float((core & lottery).sum())}
    return out


def calendar_periods(start_date: dt.date, horizon: float) -> list[tuple[str, str, float, float]]:
    """Whole calendar years and tertials (T1 Jan-Apr, T2 May-Aug, T3 Sep-Dec, the
    agreements' reporting periods) within [0, horizon): (dimension, label, start, end)."""
    out = []
    end_date = start_date + dt.timedelta(days=horizon)
    for year in range(start_date.year, end_date.year + 1):
        bounds = [dt.date(year, m, 1) for m in (1, 5, 9)] + [dt.date(year + 1, 1, 1)]
        for t in range(3):
            out.append(("tertial", f"{year}-T{t + 1}", bounds[t], bounds[t + 1]))
        out.append(("year", str(year), bounds[0], bounds[3]))
    return [
        (dim, label, day_of(a, start_date), day_of(b, start_date))
        for dim, label, a, b in out
        if a >= start_date and b <= end_date
    ]


def period_metrics(
    records: Mapping[str, Any],
    periods: list[tuple[str, str, float, float]],
    ages: GroupAges,
) -> pd.DataFrame:
    """Time views: the review figures per period (calendar years and tertials)."""
    tables = _tables(records)
    lettings, adverts, seekers = tables["lettings"], tables["adverts"], tables["seekers"]
    responses = tables["responses"]
    is_status_holder = seekers.equals("kind", "status_holder")
    rows: Rows = []
    for dim, label, start, end in periods:
        lets = lettings.take(_window(lettings["day"], start, end))
        ads = adverts.take(_window(adverts["close_day"], start, end))
        values: dict[str, float] = {"lettings": float(len(lets))}
        for name in ("offer", "lottery", "direct"):
            values[f"lettings_{name}"] = float(lets.equals("channel", name).sum())
        if len(lets):
            values["chain_moves_per_letting"] = _mean(lets["freed_home_id"] >= 0)
            values["meettijd_mean_years"] = _mean(lets["meettijd_days"]) / DAYS_PER_YEAR
            values["vacant_days_mean"] = _mean(lets["vacant_days"])
            values["search_median_days"] = _median(lets["search_days"])
        values["lettings_via_adverts"] = values["lettings_offer"] + values["lettings_lottery"]
        values["adverts_closed"] = float(len(ads))
        if len(ads):
            values["responses_per_advert"] = _mean(ads["n_responses"])
        values["never_responding_share"] = never_responding_share(seekers, responses, start, end)
        values["adverts_unlet"] = float((~ads["let"]).sum())
        for name in ("offer", "lottery"):
            part = ads.equals("channel", name)
            if part.any():
                values[f"responses_per_advert_{name}"] = _mean(ads["n_responses"][part])
        rows.extend((dim, label, "all", k, v) for k, v in values.items())
        for kind, part in lets.levels("seeker_kind"):
            meettijd = _mean(lets["meettijd_days"][part]) / DAYS_PER_YEAR
            rows.append((dim, label, f"kind_{kind}", "meettijd_mean_years", meettijd))
            rows.append((dim, label, f"kind_{kind}", "lettings", float(part.sum())))
        on_list = registered_at(seekers, start)
        groups = group_at(seekers, start, ages)
        rows.append((dim, label, "all", "registered_seekers", float(on_list.sum())))
        for g, name in enumerate(GROUP_LABELS):
            rows.append(
                (dim, label, name, "registered_seekers", float((on_list & (groups == g)).sum()))
            )
        active = active_seekers(seekers, responses, start, end)
        housed = _among(seekers["seeker_id"], lets["seeker_id"])
        listed = active & ~is_status_holder
        rows.append((dim, label, "listed", "active_seekers", float(listed.sum())))
        for g, name in enumerate(("all", *GROUP_LABELS)):
            in_group = active if name == "all" else active & (groups == g - 1)
            n_active = int(in_group.sum())
            rows.append((dim, label, name, "active_seekers", float(n_active)))
            if n_active:
                rows.append(
                    (dim, label, name, "success_rate", float((in_group & housed).sum() / n_active))
                )
    return pd.DataFrame(rows, columns=["dimension", "level", "group", "metric", "value"])


def quota_metrics(quotas: Table) -> pd.DataFrame:
    """Quota and cap use as long metrics (dimension 'quota')."""
    rows = []
    municipality, item = quotas.text("municipality"), quotas.text("item")
    for i in range(len(quotas)):
        for col in ("limit", "used", "requested"):
            value = float(quotas[col][i])
            if not np.isnan(value):
                rows.append(
                    (
                        quotas.replication,
                        "quota",
                        f"{municipality[i]} {int(quotas['year'][i])}",
                        str(item[i]),
                        col,
                        value,
                    )
                )
    return pd.DataFrame(
        rows, columns=["replication", "dimension", "level", "group", "metric", "value"]
    )


def summarise(metrics: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, sd and 95% interval over replications of every (dimension, level, group,
    metric): a t-interval, or Wilson's for shares (`SHARE_METRICS`), which stays in [0, 1].

    A metric missing in a replication (no letting to that group, say) counts as
    missing, not zero, except counts (lettings, active_seekers), which count as zero.
    Works on categorical key columns too, without a wide table, so a thousand
    replications of a thousand metrics stay small.
    """
    keys = ["dimension", "level", "group", "metric"]
    n_reps = metrics["replication"].nunique()
    v = metrics["value"].astype(float)
    grouped = (
        metrics.assign(value=v, square=v * v)
        .groupby(keys, observed=True, sort=True)
        .agg(total=("value", "sum"), squares=("square", "sum"), n=("value", "count"))
        .reset_index()
    )
    is_count = grouped["metric"].astype(str).isin(COUNT_METRICS).to_numpy()
    n = np.where(is_count, n_reps, grouped["n"].to_numpy()).astype(float)
    mean, sd = mean_sd(grouped["total"].to_numpy(), grouped["squares"].to_numpy(), n)
    half = t_half_width(sd, n, confidence)
    out = grouped[keys].astype(str)
    out["mean"] = mean
    out["sd"] = sd
    is_share = out["metric"].isin(SHARE_METRICS).to_numpy()
    share_low, share_high = share_interval(mean, sd, n, confidence)
    out["ci_low"] = np.where(is_share, share_low, mean - half)
    out["ci_high"] = np.where(is_share, share_high, mean + half)
    out["n_replications"] = n.astype(int)
    return out


def complete_counts(frame: pd.DataFrame, keys: pd.DataFrame | None = None) -> pd.DataFrame:
    """One scenario's long rows with a zero row for every count metric (`COUNT_METRICS`)
    missing in one of its replications: a count with no row is zero, as `summarise`
    treats it, so paired and unpaired differences must see that zero too. `keys`
    (dimension, level, group, metric) adds count keys the frame lacks altogether."""
    key_cols = ["dimension", "level", "group", "metric"]
    is_count = frame["metric"].astype(str).isin(COUNT_METRICS)
    counts = frame.loc[is_count, key_cols].astype(str).drop_duplicates()
    if keys is not None:
        more = keys[keys["metric"].astype(str).isin(COUNT_METRICS)][key_cols].astype(str)
        counts = pd.concat([counts, more]).drop_duplicates()
    reps = pd.DataFrame({"replication": frame["replication"].unique()})
    if counts.empty or reps.empty:
        return frame
    grid = counts.merge(reps, how="cross")
    present = frame.loc[is_count, [*key_cols, "replication"]].astype({k: str for k in key_cols})
    missing = grid.merge(present, how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty:
        return frame
    extra = missing.assign(value=0.0)
    for column in frame.columns:
        if column not in extra.columns:
            extra[column] = frame[column].iloc[0]
    base = frame.astype({k: str for k in key_cols})
    return pd.concat([base, extra[frame.columns]], ignore_index=True)


def select(frame: pd.DataFrame, metric_id: str) -> pd.DataFrame:
    """Rows of one metric, given as 'dimension/level/group/metric'."""
    dim, level, group, name = metric_id.split("/")
    return frame[
        (frame["dimension"] == dim)
        & (frame["level"] == level)
        & (frame["group"] == group)
        & (frame["metric"] == name)
    ]


def run_metrics(records: Mapping[str, Any], cfg: Config) -> pd.DataFrame:
    """Every metric of one replication of `cfg`: the evaluation window (day 0 to the
    horizon), its calendar years and tertials, and the quota and cap use."""
    horizon = day_of(cfg.run.end_date, cfg.run.start_date)
    villages = cfg.policies.village_rule.villages
    ages = cfg.seekers.group_ages()
    tables = _tables(records)
    periods = period_metrics(tables, calendar_periods(cfg.run.start_date, horizon), ages)
    periods.insert(0, "replication", tables["seekers"].replication)
    return pd.concat(
        [
            replication_metrics(tables, 0.0, horizon, ages, cfg.run.start_date, villages),
            periods,
            quota_metrics(tables["quotas"]),
        ],
        ignore_index=True,
    )
