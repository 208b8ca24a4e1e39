"""Metrics: pure functions of the event records, per replication, then over replications.

`replication_metrics` returns a long table (replication, dimension, level, group,
metric, value); `summarise` gives mean, standard deviation and a 95% t-interval
over replications. Metric names and meanings are listed in `METRICS` (README).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

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


def _letting_stats(lets: pd.DataFrame) -> dict[str, float]:
    if lets.empty:
        return {"lettings": 0.0, "lettings_via_adverts": 0.0}
    return {
        "lettings": float(len(lets)),
        "lettings_via_adverts": float((lets["channel"] != "direct").sum()),
        "meettijd_median_years": float(lets["meettijd_days"].median() / 365.25),
        "meettijd_mean_years": float(lets["meettijd_days"].mean() / 365.25),
        "search_median_days": float(lets["search_days"].median()),
        "refusals_per_letting": float(lets["n_refused"].mean()),
        "vacant_days_mean": float(lets["vacant_days"].mean()),
    }


def group_at(seekers: pd.DataFrame, day: float, ages: GroupAges) -> np.ndarray:
    """Reporting group (labels) of each seeker on `day`, or at entry if later."""
    kind = pd.Categorical(seekers["kind"].astype(str), categories=KIND_LABELS).codes
    when = np.maximum(seekers["entry_day"].to_numpy(), day)
    age = (when - seekers["birth_day"].to_numpy()) / DAYS_PER_YEAR
    return np.asarray(GROUP_LABELS)[assign_group(kind, age, ages)]


def active_seekers(
    seekers: pd.DataFrame, responses: pd.DataFrame, start: float, end: float
) -> np.ndarray:
    """Boolean mask of seekers active in [start, end): responded in it (exact, from the
    responses table), housed in it, or status holders on the queue."""
    window = responses[(responses["day"] >= start) & (responses["day"] < end)]
    responded = seekers["seeker_id"].isin(window["seeker_id"]).to_numpy()
    queued = (
        (seekers["kind"] == "status_holder")
        & (seekers["entry_day"] < end)
        & (seekers["outcome_day"] >= start)
    ).to_numpy()
    housed = (
        (seekers["outcome"] == "housed")
        & seekers["outcome_day"].between(start, end, inclusive="left")
    ).to_numpy()
    return responded | queued | housed


def registered_at(seekers: pd.DataFrame, day: float) -> np.ndarray:
    """Boolean mask of households on the list on `day` (status holders aside)."""
    return (
        (seekers["entry_day"].to_numpy() <= day)
        & (seekers["outcome_day"].to_numpy() > day)
        & (seekers["kind"] != "status_holder").to_numpy()
    )


def never_responding_share(
    seekers: pd.DataFrame, responses: pd.DataFrame, start: float, end: float
) -> float:
    """Share of the households listed at some time in [start, end) (status holders
    aside) without a response in it (RIGO 2016: about two in three)."""
    listed = (
        (seekers["entry_day"] < end)
        & (seekers["outcome_day"] >= start)
        & (seekers["kind"] != "status_holder")
    ).to_numpy()
    window = responses[(responses["day"] >= start) & (responses["day"] < end)]
    responded = seekers["seeker_id"].isin(window["seeker_id"]).to_numpy()
    n = int(listed.sum())
    return float((listed & ~responded).sum() / n) if n else float("nan")


def replication_metrics(
    frames: dict[str, pd.DataFrame],
    start: float,
    end: float,
    ages: GroupAges,
    start_date: dt.date | None = None,
    rule_villages: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Metrics of one replication's records over the window [start, end) in days.

    With `start_date`, lettings are also counted per calendar month (dimension
    'month'), for all groups and for status holders (the even spread of 1.13)."""
    lettings = frames["lettings"]
    rep = int(frames["seekers"]["replication"].iloc[0]) if len(frames["seekers"]) else 0
    lets = lettings[(lettings["day"] >= start) & (lettings["day"] < end)]
    adverts = frames["adverts"]
    adverts = adverts[(adverts["close_day"] >= start) & (adverts["close_day"] < end)]
    seekers = frames["seekers"]
    mask = active_seekers(seekers, frames["responses"], start, end)
    active = seekers[mask].assign(group=group_at(seekers[mask], start, ages))
    housed_ids = set(lets["seeker_id"].tolist())
    rows: list[tuple[str, str, str, str, float]] = []

    def add(dim: str, level: str, group: str, values: dict[str, float]) -> None:
        rows.extend((dim, level, group, k, v) for k, v in values.items())

    for dim in DIMENSIONS:
        key = None if dim == "all" else dim
        parts = [("all", lets)] if key is None else list(lets.groupby(key, observed=True))
        for level, part in parts:
            add(dim, str(level), "all", _letting_stats(part))
            for group, gpart in part.groupby("group", observed=True):
                add(dim, str(level), str(group), _letting_stats(gpart))
        if len(adverts):
            aparts = (
                [("all", adverts)] if key is None else list(adverts.groupby(key, observed=True))
            )
            for level, apart in aparts:
                add(
                    dim,
                    str(level),
                    "all",
                    {"responses_per_advert": float(apart["n_responses"].mean())},
                )
    # Success rate by the seeker's origin municipality and group.
    for dim, key in (("all", None), ("municipality", "origin_municipality")):
        parts = [("all", active)] if key is None else list(active.groupby(key, observed=True))
        for level, part in parts:
            for group in ("all", *GROUP_LABELS):
                sub = part if group == "all" else part[part["group"] == group]
                n_active = len(sub)
                n_housed = int(sub["seeker_id"].isin(housed_ids).sum())
                values = {"active_seekers": float(n_active)}
                if n_active:
                    values["success_rate"] = n_housed / n_active
                add(dim, str(level), group, values)
    if len(lets):
        chains = lettings[
            lettings["chain_id"].isin(lets.loc[lets["chain_position"] == 0, "chain_id"])
        ]
        if len(chains):
            length = chains.groupby("chain_id")["chain_position"].max() + 1
            add("all", "all", "all", {"chain_length_mean": float(length.mean())})
    if start_date is not None and len(lets):
        months = pd.to_datetime(start_date) + pd.to_timedelta(lets["day"].to_numpy(), unit="D")
        label = months.strftime("%Y-%m")
        for month, n in pd.Series(label).value_counts().sort_index().items():
            add("month", str(month), "all", {"lettings": float(n)})
        sh = lets["seeker_kind"].to_numpy() == "status_holder"
        for month, n in pd.Series(label[sh]).value_counts().sort_index().items():
            add("month", str(month), "status_holder", {"lettings": float(n)})
    share = never_responding_share(seekers, frames["responses"], start, end)
    add("all", "all", "all", {"never_responding_share": share})
    for level, values in review_metrics(lets, rule_villages, ages).items():
        add("review", level, "all", values)
    out = pd.DataFrame(rows, columns=["dimension", "level", "group", "metric", "value"])
    out.insert(0, "replication", rep)
    return out


def review_metrics(
    lets: pd.DataFrame, rule_villages: tuple[str, ...], ages: GroupAges
) -> dict[str, dict[str, float]]:
    """Figures the T2 review of the village rule (1.8) asks for, per replication.

    Level `village_senior_homes`: the senior-suitable homes of the rule's villages let
    through adverts: who got them (age, from where) and the moves they set off. Level
    `core_<municipality>`: lottery lettings left for a municipality's core town (the
    village named after it) under the cap."""
    out: dict[str, dict[str, float]] = {}
    if rule_villages:
        senior = lets[
            lets["village"].isin(rule_villages)
            & lets["senior_suitable"]
            & (lets["channel"] != "direct")
        ]
        values = {"lettings": float(len(senior))}
        if len(senior):
            later = lets.merge(
                senior[["chain_id", "chain_position"]], on="chain_id", suffixes=("", "_senior")
            )
            follow_on = later[later["chain_position"] > later["chain_position_senior"]]
            values.update(
                {
                    "tenant_age_mean": float(senior["age"].mean()),
                    "share_65plus": float((senior["age"] >= ages.senior).mean()),
                    "share_same_village": float(
                        (
                            senior["origin_village"].astype(str) == senior["village"].astype(str)
                        ).mean()
                    ),
                    "share_movers_from_stock": float((senior["freed_home_id"] >= 0).mean()),
                    "family_homes_freed": float((senior["freed_home_bedrooms"] >= 3).sum()),
                    "chain_moves_set_off": float(len(follow_on)),
                }
            )
        out["village_senior_homes"] = values
    for muni in lets["municipality"].astype(str).unique():
        core = lets[
            (lets["village"].astype(str) == muni) & (lets["municipality"].astype(str) == muni)
        ]
        out[f"core_{muni}"] = {"lottery_lettings": float((core["channel"] == "lottery").sum())}
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
    frames: dict[str, pd.DataFrame],
    periods: list[tuple[str, str, float, float]],
    ages: GroupAges,
) -> pd.DataFrame:
    """Time views: the review figures per period (calendar years and tertials)."""
    lettings = frames["lettings"]
    adverts = frames["adverts"]
    seekers = frames["seekers"]
    rows: list[tuple[str, str, str, str, float]] = []
    for dim, label, start, end in periods:
        lets = lettings[(lettings["day"] >= start) & (lettings["day"] < end)]
        ads = adverts[(adverts["close_day"] >= start) & (adverts["close_day"] < end)]
        values: dict[str, float] = {"lettings": float(len(lets))}
        channel = lets["channel"].astype(str)
        for name in ("offer", "lottery", "direct"):
            values[f"lettings_{name}"] = float((channel == name).sum())
        if len(lets):
            values["chain_moves_per_letting"] = float((lets["freed_home_id"] >= 0).mean())
            values["meettijd_mean_years"] = float(lets["meettijd_days"].mean() / DAYS_PER_YEAR)
            values["vacant_days_mean"] = float(lets["vacant_days"].mean())
            values["search_median_days"] = float(lets["search_days"].median())
        values["lettings_via_adverts"] = values["lettings_offer"] + values["lettings_lottery"]
        values["adverts_closed"] = float(len(ads))
        if len(ads):
            values["responses_per_advert"] = float(ads["n_responses"].mean())
        values["never_responding_share"] = never_responding_share(
            seekers, frames["responses"], start, end
        )
        values["adverts_unlet"] = float((~ads["let"]).sum())
        ad_channel = ads["channel"].astype(str)
        for name in ("offer", "lottery"):
            part = ads[ad_channel == name]
            if len(part):
                values[f"responses_per_advert_{name}"] = float(part["n_responses"].mean())
        rows.extend((dim, label, "all", k, v) for k, v in values.items())
        for kind, part in lets.groupby("seeker_kind", observed=True):
            rows.append(
                (
                    dim,
                    label,
                    f"kind_{kind}",
                    "meettijd_mean_years",
                    float(part["meettijd_days"].mean() / DAYS_PER_YEAR),
                )
            )
            rows.append((dim, label, f"kind_{kind}", "lettings", float(len(part))))
        on_list = registered_at(seekers, start)
        groups = group_at(seekers, start, ages)
        rows.append((dim, label, "all", "registered_seekers", float(on_list.sum())))
        for g in GROUP_LABELS:
            rows.append(
                (dim, label, g, "registered_seekers", float((on_list & (groups == g)).sum()))
            )
        active = active_seekers(seekers, frames["responses"], start, end)
        housed = seekers["seeker_id"].isin(lets["seeker_id"]).to_numpy()
        listed = active & (seekers["kind"] != "status_holder").to_numpy()
        rows.append((dim, label, "listed", "active_seekers", float(listed.sum())))
        for g in ("all", *GROUP_LABELS):
            in_group = active if g == "all" else active & (groups == g)
            n_active = int(in_group.sum())
            rows.append((dim, label, g, "active_seekers", float(n_active)))
            if n_active:
                rows.append(
                    (dim, label, g, "success_rate", float((in_group & housed).sum() / n_active))
                )
    return pd.DataFrame(rows, columns=["dimension", "level", "group", "metric", "value"])


def quota_metrics(quotas: pd.DataFrame) -> pd.DataFrame:
    """Quota and cap use as long metrics (dimension 'quota')."""
    rows = []
    for r in quotas.itertuples(index=False):
        for col in ("limit", "used", "requested"):
            value = getattr(r, col)
            if not np.isnan(value):
                rows.append(
                    (r.replication, "quota", f"{r.municipality} {r.year}", str(r.item), col, value)
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


def run_metrics(frames: dict[str, pd.DataFrame], cfg: Config) -> pd.DataFrame:
    """Every metric of one replication of `cfg`: the evaluation window (day 0 to the
    horizon), its calendar years and tertials, and the quota and cap use."""
    horizon = day_of(cfg.run.end_date, cfg.run.start_date)
    villages = cfg.policies.village_rule.villages
    ages = cfg.seekers.group_ages()
    periods = period_metrics(frames, calendar_periods(cfg.run.start_date, horizon), ages)
    rep = int(frames["seekers"]["replication"].iloc[0]) if len(frames["seekers"]) else 0
    periods.insert(0, "replication", rep)
    return pd.concat(
        [
            replication_metrics(frames, 0.0, horizon, ages, cfg.run.start_date, villages),
            periods,
            quota_metrics(frames["quotas"]),
        ],
        ignore_index=True,
    )
