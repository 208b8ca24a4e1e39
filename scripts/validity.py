"""Validity figures of one or more `allocsim run` folders, side by side.

Usage: python scripts/validity.py RUN_DIR [RUN_DIR ...] [--markdown]

Each figure is computed per replication; a cell shows the mean over replications and,
where there are two or more, the half-width of a 95% t-interval (mean ± t·sd/√n).
A figure whose table or column is missing reads "n/a".
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from scipy import stats

YEAR = 365.25
NA = "n/a"
Rows = dict[str, str]
Stat = Callable[[pd.Series], float]

STATS: dict[str, Stat] = {
    "mean": lambda x: float(x.mean()),
    "median": lambda x: float(x.median()),
    "p90": lambda x: float(x.quantile(0.9)),
    "max": lambda x: float(x.max()),
    "share 65+": lambda x: float((x >= 65).mean()),
    "share 75+": lambda x: float((x >= 75).mean()),
    "share 100+": lambda x: float((x >= 100).mean()),
    "count 100+": lambda x: float((x >= 100).sum()),
}


def t975(df: int) -> float:
    return float(stats.t.ppf(0.975, df))


def cell(values: pd.Series, pct: bool = False, digits: int = 1) -> str:
    """Mean over replications ± the 95% half-width; "n/a" when nothing is known."""
    v = pd.to_numeric(values, errors="coerce").dropna() * (100 if pct else 1)
    if v.empty:
        return NA
    text = f"{v.mean():.{digits}f}"
    if len(v) > 1:
        text += f" ± {t975(len(v) - 1) * v.std() / math.sqrt(len(v)):.{digits}f}"
    return text + ("%" if pct else "")


def per_rep(df: pd.DataFrame | None, col: str, fn: Stat) -> pd.Series:
    """`fn` of `df[col]` in each replication (empty if the table or column is missing)."""
    if df is None or col not in df.columns or df.empty:
        return pd.Series(dtype=float)
    return df.groupby("replication")[col].apply(lambda x: fn(x.dropna()))


def counts(df: pd.DataFrame | None, reps: list[int]) -> pd.Series:
    """Rows of `df` per replication, zero where a replication has none."""
    if df is None:
        return pd.Series(dtype=float)
    return df.groupby("replication").size().reindex(reps, fill_value=0).astype(float)


def stat_rows(rows: Rows, prefix: str, df: pd.DataFrame | None, col: str, names: list[str]) -> None:
    for name in names:
        rows[f"{prefix}: {name}"] = cell(
            per_rep(df, col, STATS[name]), pct=name.startswith("share")
        )


def where(df: pd.DataFrame | None, **equal: object) -> pd.DataFrame | None:
    """Rows of `df` whose columns equal the given values (None if a column is missing)."""
    if df is None or any(c not in df.columns for c in equal):
        return None
    return df[pd.concat([df[c] == v for c, v in equal.items()], axis=1).all(axis=1)]


def read(run: Path, name: str) -> pd.DataFrame | None:
    for path in (run / f"{name}.parquet", run / name):
        if path.exists():
            return pd.read_parquet(path)
    return None


def response_ratio(adverts: pd.DataFrame, homes: pd.DataFrame) -> tuple[float, float]:
    """Lottery and offer mean responses over like homes, cells weighted by lottery adverts."""
    keys = ["municipality", "village", "bedrooms", "senior_suitable"]
    cells = adverts.merge(homes, on="home_id").groupby([*keys, "channel"], observed=True)
    table = cells["n_responses"].agg(["mean", "size"]).unstack("channel").dropna()
    if table.empty or not {("mean", "lottery"), ("mean", "offer")} <= set(table.columns):
        return math.nan, math.nan
    w = table[("size", "lottery")]
    lot, off = ((table[("mean", ch)] * w).sum() / w.sum() for ch in ("lottery", "offer"))
    return float(lot), float(off)


@dataclass
class Run:
    """One run folder's tables (None where absent), replications and horizon day."""

    path: Path
    t: dict[str, pd.DataFrame | None] = field(init=False)
    reps: list[int] = field(init=False)
    on_list: pd.DataFrame | None = field(init=False)

    def __post_init__(self) -> None:
        names = ("lettings", "offers", "adverts", "seekers", "tenants", "stock")
        self.t = {n: read(self.path, n) for n in names}
        lets, seekers = self.t["lettings"], self.t["seekers"]
        self.reps = sorted(
            {r for d in (lets, seekers) if d is not None for r in d["replication"].unique()}
        )
        manifest = json.loads((self.path / "manifest.json").read_text())
        cfg = manifest.get("config", {}).get("run", {})
        self.on_list = where(seekers, outcome="censored")
        if self.on_list is not None and "end_date" in cfg and "birth_day" in self.on_list:
            horizon = (pd.Timestamp(cfg["end_date"]) - pd.Timestamp(cfg["start_date"])).days
            self.on_list = self.on_list.assign(age=(horizon - self.on_list["birth_day"]) / YEAR)


def housed_ages(run: Run, rows: Rows) -> None:
    lets = run.t["lettings"]
    age4 = ["mean", "median", "p90", "max"]
    stat_rows(rows, "all", lets, "age", [*age4, "share 65+", "share 100+"])
    rows["oldest housed, any replication"] = NA if lets is None else f"{lets['age'].max():.1f}"
    for kind in [] if lets is None else sorted(map(str, lets["seeker_kind"].dropna().unique())):
        stat_rows(rows, kind, where(lets, seeker_kind=kind), "age", age4)


def list_ages(run: Run, rows: Rows) -> None:
    rows["households"] = cell(counts(run.on_list, run.reps), digits=0)
    stat_rows(rows, "age", run.on_list, "age", ["mean", "median", "max", "count 100+"])


def tenant_ages(run: Run, rows: Rows) -> None:
    stats, tenants = ["mean", "median", "share 65+", "share 75+", "max"], run.t["tenants"]
    if tenants is None:
        rows["tenants"] = "not modelled (no tenants table)"
        proxy = where(run.on_list, kind="mover_stock")
        stat_rows(rows, "proxy: mover_stock on the list", proxy, "age", stats)
        return
    stat_rows(rows, "all homes", tenants, "age", stats)
    stat_rows(rows, "senior-suitable", where(tenants, senior_suitable=True), "age", stats)
    for kind in sorted(map(str, tenants["dwelling_type"].dropna().unique())):
        stat_rows(rows, kind, where(tenants, dwelling_type=kind), "age", stats)


def starters(run: Run, rows: Rows) -> None:
    lets = run.t["lettings"]
    stat_rows(rows, "starter age", where(lets, seeker_kind="starter"), "age", ["mean", "median"])
    rows["lettings to group starter_18_27"] = cell(
        counts(where(lets, group="starter_18_27"), run.reps)
    )


def general(df: pd.DataFrame) -> pd.DataFrame:
    """Lettings or adverts of the general rule without the starter label."""
    return df[(df["rule"] == "general") & ~df["starter_priority"].astype(bool)]


def meettijd(run: Run, rows: Rows) -> None:
    lets = run.t["lettings"]
    if lets is None:
        return
    adv = lets[lets["advert_id"] >= 0].assign(years=lets["meettijd_days"] / YEAR)
    for channel in ("adverts", "offer", "lottery"):
        sub = adv if channel == "adverts" else where(adv, channel=channel)
        for kind in ("all", "mover_stock", "starter"):
            part = sub if kind == "all" else where(sub, seeker_kind=kind)
            stat_rows(rows, f"{channel}, {kind}", part, "years", ["mean", "median"])
    for channel in ("lottery", "offer"):
        winners = where(general(adv), channel=channel)
        rows[f"{channel} winners, general rule, no label: mean"] = cell(
            per_rep(winners, "years", STATS["mean"])
        )


def responses(run: Run, rows: Rows) -> None:
    source = next((n for n in ("stock", "tenants", "lettings") if run.t[n] is not None), "")
    adverts, homes = run.t["adverts"], run.t.get(source)
    if adverts is None or homes is None:
        return
    rows["home attributes from"] = source
    homes = homes[["home_id", "bedrooms", "senior_suitable"]].drop_duplicates("home_id")
    gen = general(adverts).drop(columns=["bedrooms", "senior_suitable"], errors="ignore")
    pairs = [response_ratio(g, homes) for _, g in gen.groupby("replication")]
    lot, off = (pd.Series([p[i] for p in pairs], dtype=float) for i in (0, 1))
    rows["lottery mean responses"] = cell(lot, digits=0)
    rows["offer mean responses (lottery-weighted cells)"] = cell(off, digits=0)
    rows["ratio lottery/offer"] = cell(lot / off, digits=2)
    pooled = response_ratio(gen, homes)
    rows["ratio, cells pooled over replications"] = f"{pooled[0] / pooled[1]:.2f}"


def refusals(run: Run, rows: Rows) -> None:
    for channel in ("offer", "lottery"):
        lets = where(run.t["lettings"], channel=channel)
        rows[f"{channel}: n_refused per letting"] = cell(
            per_rep(lets, "n_refused", STATS["mean"]), digits=2
        )
        came = where(run.t["offers"], channel=channel)
        if came is not None and lets is not None:
            let = came.merge(lets[["replication", "advert_id"]], on=["replication", "advert_id"])
            refused = let[let["outcome"] == "refused"].groupby("replication").size()
            n_lets = lets.groupby("replication").size()
            rows[f"{channel}: refusals per letting, no-shows aside"] = cell(
                refused.reindex(n_lets.index, fill_value=0) / n_lets, digits=2
            )
        if came is not None:
            came = came[came["outcome"] != "no_show"].assign(refused=came["outcome"] == "refused")
        rows[f"{channel}: refused among invited who came"] = cell(
            per_rep(came, "refused", STATS["mean"]), pct=True
        )


def search(run: Run, rows: Rows) -> None:
    housed, seekers = where(run.t["lettings"], seeker_kind="starter"), run.t["seekers"]
    if housed is None:
        return
    starts = [] if seekers is None else [c for c in seekers if "search" in c and c.endswith("_day")]
    if seekers is not None and starts:  # a search start in seekers: spell = letting day - it
        sk = seekers[["replication", "seeker_id", *starts]].drop_duplicates(
            ["replication", "seeker_id"]
        )
        housed = housed.merge(sk, on=["replication", "seeker_id"], how="left", suffixes=("", "_s"))
        for c in starts:
            housed[f"search spell (day - seekers.{c})"] = housed["day"] - housed[c]
    numeric = housed.select_dtypes("number").columns
    spells = [c for c in numeric if "search" in c and not c.endswith(("_day", "_s"))]
    for c in [*spells, "meettijd_days"]:
        housed[c] = housed[c] / YEAR
        stat_rows(rows, c, housed, c, ["mean", "median"])
    means = housed.groupby("replication")[[*spells, "meettijd_days"]].mean()
    for c in spells:
        rows[f"ratio of means {c} / meettijd_days"] = cell(
            means[c] / means["meettijd_days"], digits=2
        )


def success(run: Run, rows: Rows) -> None:
    s = pd.read_csv(run.path / "summary.csv")
    s = s[(s["dimension"] == "all") & s["metric"].str.contains("success_rate")]
    for r in s.itertuples():
        rows[f"{r.metric}, {r.group}"] = (
            f"{100 * r.mean:.1f}% [{100 * r.ci_low:.1f}, {100 * r.ci_high:.1f}]"
        )


SECTIONS: list[tuple[str, Callable[[Run, Rows], None]]] = [
    ("Age of housed households (lettings.age)", housed_ages),
    ("Registered households on the list at the horizon (censored seekers)", list_ages),
    ("Tenants at the horizon", tenant_ages),
    ("Housed starters", starters),
    ("Meettijd at allocation (years; lettings via adverts)", meettijd),
    ("Responses per advert, like homes (general rule, no label)", responses),
    ("Refusals by channel", refusals),
    ("Search time vs registration time, housed starters (years)", search),
    ("Success rates (summary.csv, dimension all; mean [95% interval])", success),
]


def validity(path: Path) -> Rows:
    """Every figure of one run folder, keyed by its label, in print order."""
    run, rows = Run(path), {}
    for title, section in SECTIONS:
        rows[f"## {title}"] = ""
        try:
            section(run, rows)
        except (KeyError, FileNotFoundError) as e:  # a missing column or file
            rows[f"{title}: remaining figures"] = f"{NA} (missing {e})"
    return rows


def render(runs: list[Path], tables: list[Rows], markdown: bool) -> str:
    labels: list[str] = []  # every run's labels, each new one after its predecessor
    for rows in tables:
        at = 0
        for k in rows:
            if k not in labels:
                labels.insert(at, k)
            at = labels.index(k) + 1
    head = ["figure", *(str(r) for r in runs)]
    body = [
        [k, *(rows.get(k, NA) if not k.startswith("## ") else "" for rows in tables)]
        for k in labels
    ]
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for row in body:
            row[0] = f"**{row[0][3:]}**" if row[0].startswith("## ") else row[0]
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines)
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [head, *body]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args()
    print(render(args.runs, [validity(run) for run in args.runs], args.markdown))


if __name__ == "__main__":
    main()
