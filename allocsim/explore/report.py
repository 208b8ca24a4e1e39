"""The exploration's report, in English and Dutch, through the one report stack
(allocsim.reports): `report.<lang>.html`, `.md` and `.xlsx` in the exploration's
folder. Words come from the catalogue (`allocsim.i18n`, keys `x.*`), numbers from its
formatter, charts from `allocsim.reports.figures`, the page from its template.

The first screen answers: for each conclusion, the share of the kept points where it
holds, with the effect's range over the points (median, 5% to 95%), then the effects
as a forest plot of those ranges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import is_share
from allocsim.explore.analysis import Box
from allocsim.explore.spec import Conclusion, Exploration
from allocsim.explore.tables import Tables
from allocsim.i18n import LANGS, Words
from allocsim.reports import figures
from allocsim.reports.page import Figure, Line, Report, Section, Table
from allocsim.reports.render import file_names, write_pages
from allocsim.reports.workbook import Sheet

HINT_BELOW = 40  # kept points below which a failing region reads as a hint
MATTERS_ABOVE = 0.05  # an assumption is named when its index's interval starts here
VERDICTS = ("holds", "fails", "unclear")


# ------------------------------------------------------------------- numbers


def effect_text(w: Words, value: float, c: Conclusion) -> str:
    """An effect in readable units: a share's difference in percentage points, others in
    the conclusion's own unit."""
    if is_share(c.metric):
        return w.points(value)
    unit = c.units.get(w.lang)  # type: ignore[call-overload]
    shown = w.signed(value, 2 if abs(value) < 10 else 1)
    return f"{shown} {unit}" if unit else shown


def unit_value(w: Words, value: float) -> str:
    """An uncertainty's value: three significant digits."""
    if not np.isfinite(value):
        return "–"
    digits = max(0, 2 - int(np.floor(np.log10(abs(value))))) if value else 0
    return w.number(value, min(digits, 4))


def conclusion_text(c: Conclusion, w: Words) -> str:
    return c.en if w.lang == "en" else c.nl


# ----------------------------------------------------------------- sentences


def verdict_line(c: Conclusion, row: pd.Series, w: Words) -> Line:
    """The first screen's line of one conclusion: where it holds, and its range."""
    n = int(row["points_kept"])
    text = conclusion_text(c, w)
    if n == 0:
        return Line(w("x.no_points", text=text))
    holds = w.percent(row["share_holds"], 0)
    median, p05, p95 = spread(c, row, w)
    key = "x.power_span_short" if c.kind == "detectable" else "x.effect_span_short"
    span = w(key, median=median, p05=p05, p95=p95)
    return Line(w("x.verdict_line", text=text, holds=holds, n=n, span=span), holds)


def spread(c: Conclusion, row: pd.Series, w: Words) -> tuple[str, str, str]:
    """A conclusion's median over the points and the 5% and 95% points, in words: the
    power in percent, or the effect in its unit."""
    if c.kind == "detectable":
        texts = [w.percent(row[f"power_{q}"], 0) for q in ("median", "p05", "p95")]
    else:
        texts = [effect_text(w, row[f"effect_{q}"], c) for q in ("median", "p05", "p95")]
    return texts[0], texts[1], texts[2]


def describe(
    c: Conclusion,
    row: pd.Series,
    sens: pd.DataFrame,
    box: Box | None,
    exploration: Exploration,
    lang: str,
) -> list[str]:
    """The plain-language paragraph of one conclusion."""
    w = Words(lang)
    n = int(row["points_kept"])
    frac = {k: w.percent(row[f"share_{k}"], 0) for k in VERDICTS}
    text = conclusion_text(c, w)
    if n == 0:
        return [w("x.no_points", text=text)]
    out = []
    if c.kind == "detectable":
        out.append(w("x.verdict_detect", text=text, n=n, target=w.percent(c.power, 0), **frac))
        out.append(
            w(
                "x.power_span",
                **{k: w.percent(row[f"power_{k}"], 0) for k in ("min", "max", "median")},
            )
        )
    else:
        out.append(w("x.verdict_effect", text=text, n=n, **frac))
    out.append(
        w(
            "x.range",
            **{
                k: effect_text(w, row[f"effect_{k}"], c)
                for k in ("min", "max", "median", "p05", "p95")
            },
        )
    )
    ranked = sens.dropna(subset=["s1"])
    if ranked.empty:
        out.append(w("x.too_few"))
    else:
        strong = ranked[ranked["s1_low"] >= MATTERS_ABOVE].head(3)
        if strong.empty:
            top = ranked.iloc[0]
            out.append(
                w(
                    "x.nothing_stands_out",
                    name=top["uncertainty"],
                    s1=w.number(top["s1"], 2),
                    lo=w.number(top["s1_low"], 2),
                    hi=w.number(top["s1_high"], 2),
                )
            )
        else:
            items = [
                w(
                    "x.matter_item",
                    name=r["uncertainty"],
                    s1=w.number(r["s1"], 2),
                    lo=w.number(r["s1_low"], 2),
                    hi=w.number(r["s1_high"], 2),
                    direction=w("x.raises" if r["rho"] * c.sign >= 0 else "x.lowers"),
                )
                for _, r in strong.iterrows()
            ]
            out.append(w("x.matters", items="; ".join(items)))
    if box is None:
        out.append(w("x.everywhere" if row["share_holds"] == 1.0 else "x.nowhere"))
    else:
        conditions = w("x.and").join(
            w(
                "x.above" if cond.above else "x.at_most",
                name=cond.name,
                value=unit_value(
                    w,
                    float(
                        exploration.uncertainties[cond.index].value(np.array([cond.threshold]))[0]
                    ),
                ),
            )
            for cond in box.conditions
        )
        out.append(
            w(
                "x.region",
                conditions=conditions,
                k=box.n_not_holding,
                m=box.n_points,
                total=box.n_not_holding_total,
            )
        )
        if n < HINT_BELOW:
            out.append(w("x.region_hint", n=n))
    return out


# ------------------------------------------------------------------- tables


def glance_tables(tables: Tables, exploration: Exploration, w: Words) -> tuple[Table, Sheet]:
    """Per conclusion: where it holds, fails or cannot be told, and its range; as shown
    (text) and as numbers (the workbook)."""
    shown, rows = [], []
    for c, (_, row) in zip(
        exploration.spec.conclusions, tables.conclusions.iterrows(), strict=True
    ):
        key = "power" if c.kind == "detectable" else "effect"
        scale = 100.0 if key == "effect" and is_share(c.metric) else 1.0
        median, low, high = spread(c, row, w)
        span = w("x.median_range", median=median, low=low, high=high)
        shown.append(
            {
                w("x.conclusion"): conclusion_text(c, w),
                **{w(f"x.{k}"): w.percent(row[f"share_{k}"], 0) for k in VERDICTS},
                w("x.span"): span,
            }
        )
        rows.append(
            {
                w("x.conclusion"): conclusion_text(c, w),
                w("x.points_kept"): int(row["points_kept"]),
                **{w(f"x.{k}"): float(row[f"share_{k}"]) for k in VERDICTS},
                w("x.measure"): w(f"x.{key}"),
                w("x.unit"): w("pp")
                if scale == 100.0
                else (c.units.get(w.lang, "") if key == "effect" else "%"),  # type: ignore[call-overload]
                **{
                    w(f"x.q_{q}"): float(row[f"{key}_{q}"]) * (scale if key == "effect" else 1.0)
                    for q in ("p05", "median", "p95")
                },
            }
        )
    frame = pd.DataFrame(rows)
    formats = {w(f"x.{k}"): "pct" for k in VERDICTS} | {w("x.points_kept"): "int"}
    for q in ("p05", "median", "p95"):
        formats[w(f"x.q_{q}")] = "general"
    table = Table(w("x.glance"), pd.DataFrame(shown), index=False)
    return table, Sheet(w("x.glance"), frame, formats)


def sensitivity_frames(sens: pd.DataFrame, w: Words, top: int = 8) -> tuple[Table, Sheet]:
    s = sens.dropna(subset=["s1"])
    shown = s.head(top)
    table = pd.DataFrame(
        {
            w("x.uncertainty"): shown["uncertainty"],
            w("x.s1"): [w.number(v, 2) for v in shown["s1"]],
            w("x.s1_interval"): [
                w("interval_range", low=w.number(a, 2), high=w.number(b, 2))
                if np.isfinite(a)
                else "–"
                for a, b in zip(shown["s1_low"], shown["s1_high"], strict=True)
            ],
            w("x.rho"): [w.signed(v, 2) for v in shown["rho"]],
        }
    )
    frame = pd.DataFrame(
        {
            w("x.uncertainty"): s["uncertainty"].to_numpy(),
            w("x.s1"): s["s1"].to_numpy(dtype=float),
            w("col.low"): s["s1_low"].to_numpy(dtype=float),
            w("col.high"): s["s1_high"].to_numpy(dtype=float),
            w("x.rho"): s["rho"].to_numpy(dtype=float),
        }
    )
    return Table(w("x.sensitivity"), table, index=False), Sheet("", frame)


def uncertainty_frames(exploration: Exploration, w: Words) -> tuple[Table, Sheet]:
    shown, rows = [], []
    for u in exploration.uncertainties:
        span = w("interval_range", low=unit_value(w, u.low), high=unit_value(w, u.high))
        if u.peak is not None:
            span += f" ({unit_value(w, u.peak)})"
        base = {
            w("x.uncertainty"): u.name,
            w("x.keys"): ", ".join(u.keys),
            w("x.how"): f"{w(f'x.mode.{u.mode}')}, {w(f'x.dist.{u.distribution}')}",
        }
        shown.append({**base, w("x.range_col"): span, w("x.reason"): u.reason})
        rows.append(
            {
                **base,
                w("x.low"): float(u.low),
                w("x.high"): float(u.high),
                w("x.peak"): float(u.peak) if u.peak is not None else np.nan,
                w("x.reason"): u.reason,
            }
        )
    return (
        Table(w("x.uncertainties"), pd.DataFrame(shown), index=False),
        Sheet(w("x.uncertainties"), pd.DataFrame(rows)),
    )


def history_frames(tables: Tables, w: Words) -> tuple[Table, Sheet] | None:
    h = tables.history
    if h.empty:
        return None
    shown, rows = [], []
    for target, part in h.groupby("target", sort=False):
        observed = float(part["observed"].iloc[0])
        digits = 3 if observed < 1 else 0
        err = part["relative_error"].to_numpy(dtype=float)
        shown.append(
            {
                w("x.target"): target,
                w("x.observed"): w.number(observed, digits),
                w("x.median_sim"): w.number(float(part["simulated"].median()), digits),
                w("x.error_range"): w(
                    "interval_range",
                    low=w.percent(np.nanmin(err), 1),
                    high=w.percent(np.nanmax(err), 1),
                ),
                w("x.within"): w.percent(float(part["within"].mean()), 0),
            }
        )
        rows.append(
            {
                w("x.target"): target,
                w("x.observed"): observed,
                w("x.median_sim"): float(part["simulated"].median()),
                w("x.error_min"): float(np.nanmin(err)),
                w("x.error_max"): float(np.nanmax(err)),
                w("x.within"): float(part["within"].mean()),
            }
        )
    formats = {w(k): "pct" for k in ("x.error_min", "x.error_max", "x.within")}
    return (
        Table(w("x.history"), pd.DataFrame(shown), index=False),
        Sheet(w("x.history"), pd.DataFrame(rows), formats),
    )


def scenario_name(exploration: Exploration, label: str, lang: str) -> str:
    """A scenario's name in the language, where the experiment gives one."""
    for ref in exploration.experiment.scenarios:
        if ref.label == label:
            return str(getattr(ref, "names", {}).get(lang, label))
    return label


def scenario_frames(
    tables: Tables, exploration: Exploration, w: Words
) -> tuple[Table, Sheet] | None:
    s = tables.scenarios
    if s.empty:
        return None
    names = [scenario_name(exploration, x, w.lang) for x in s["scenario"]]
    groups = [w.label("group", g) for g in s["group"]]
    shown = pd.DataFrame(
        {
            w("col.scenario"): names,
            w("col.group"): groups,
            w("x.median_range_col"): [
                w(
                    "x.median_range",
                    median=w.percent(m),
                    low=w.percent(a),
                    high=w.percent(b),
                )
                for m, a, b in zip(s["median"], s["p05"], s["p95"], strict=True)
            ],
        }
    )
    frame = pd.DataFrame(
        {
            w("col.scenario"): names,
            w("col.group"): groups,
            **{w(f"x.q_{q}"): s[q].to_numpy(dtype=float) for q in ("p05", "median", "p95")},
        }
    )
    formats = {w(f"x.q_{q}"): "pct" for q in ("p05", "median", "p95")}
    return (
        Table(w("x.scenarios"), shown, index=False),
        Sheet(w("x.scenarios"), frame, formats),
    )


def point_sheet(tables: Tables, exploration: Exploration, w: Words) -> Sheet:
    """Each point's status and, per conclusion, its effect and verdict."""
    frame = tables.points.copy()
    frame["status"] = [w(f"x.status.{s.replace(' ', '_')}") for s in frame["status"]]
    for c in exploration.spec.conclusions:
        part = tables.by_point[tables.by_point["conclusion"] == c.name].set_index("point")
        frame[f"{c.name}: {w('x.effect')}"] = frame["point"].map(part["effect"]).astype(float)
        frame[f"{c.name}: {w('x.verdict')}"] = [
            w(f"x.{v}") if isinstance(v, str) else "" for v in frame["point"].map(part["verdict"])
        ]
    return Sheet(
        w("x.per_point"),
        frame.rename(columns={"point": w("x.point"), "status": w("x.status")}),
        {w("x.point"): "int"},
    )


# ------------------------------------------------------------------- figures


def forest(tables: Tables, exploration: Exploration, w: Words) -> Figure | None:
    """Each effect conclusion's median effect over the kept points, with the range that
    holds nine in ten points."""
    effects = []
    for c, (_, row) in zip(
        exploration.spec.conclusions, tables.conclusions.iterrows(), strict=True
    ):
        if c.kind == "detectable" or not np.isfinite(row["effect_median"]):
            continue
        unit = figures.SHARE if is_share(c.metric) else figures.NUMBER
        effects.append(
            figures.Effect(
                conclusion_text(c, w)[:60],
                float(row["effect_median"]),
                float(row["effect_p05"]),
                float(row["effect_p95"]),
                unit,
            )
        )
    if not effects:
        return None
    units = {figures.SHARE: w("axis_diff_points"), figures.NUMBER: w("x.axis_effect")}
    return Figure(
        w("x.forest"),
        figures.forest(w, effects, units),
        alt=w("alt_effect", n=len(effects)),
        note=w("x.forest_note"),
    )


def scatter(
    c: Conclusion,
    part: pd.DataFrame,
    unit: pd.DataFrame,
    sens: pd.DataFrame,
    exploration: Exploration,
    w: Words,
) -> Figure | None:
    """The effect (or power) at each point against the assumption that matters most,
    coloured by verdict."""
    ranked = sens.dropna(subset=["s1"])
    if ranked.empty or part.empty:
        return None
    name = str(ranked.iloc[0]["uncertainty"])
    u = next(x for x in exploration.uncertainties if x.name == name)
    x = u.value(unit.set_index("point").loc[part["point"], name].to_numpy())
    detect = c.kind == "detectable"
    y = part["power" if detect else "effect"].to_numpy(dtype=float)
    share = not detect and is_share(c.metric)
    with figures.plt.rc_context(figures.STYLE):
        fig, ax = figures.plt.subplots(figsize=(7.5, 3.6))
        for i, verdict in enumerate(VERDICTS):
            sel = part["verdict"].to_numpy() == verdict
            ax.scatter(
                x[sel],
                y[sel] * (100 if share else 1),
                s=22,
                label=w(f"x.{verdict}"),
                color=("#009E73", "#D55E00", "#999999")[i],
                marker=figures.MARKERS[i],
            )
        ax.axhline(0, color="#444", lw=0.7)
        ax.set_xlabel(name)
        if detect:
            ax.set_ylabel(w("x.power"))
        elif share:
            ax.set_ylabel(w("axis_diff_points"))
        else:
            unit_name = c.units.get(w.lang, "")  # type: ignore[call-overload]
            ax.set_ylabel(f"{w('x.effect')} ({unit_name})" if unit_name else w("x.effect"))
        ax.legend(frameon=False)
        fig.tight_layout()
        png = figures.png(fig)
    return Figure(w("x.figure", name=name), png)


# ------------------------------------------------------------------- the page


def build(exploration: Exploration, tables: Tables, n_reps: int, lang: str, out: Path) -> Report:
    w = Words(lang)
    spec = exploration.spec
    counts = tables.points["status"].value_counts()
    drawn = len(tables.points)
    head = w(
        "x.points_line",
        drawn=drawn,
        sampling="Latin hypercube" if spec.sampling == "lhs" else "Sobol",
        reps=n_reps,
        n_scen=len(exploration.scenarios),
    )
    if exploration.region is not None:
        hm = spec.history_matching
        head += " " + w(
            "x.hm_on",
            scale=w.number(hm.scale, 2),
            hm_reps=w("x.rep_one") if hm.replications == 1 else w("x.rep_many", n=hm.replications),
            tol=w.percent(hm.tolerance, 0),
            aside=int(counts.get("set aside", 0)),
            drawn=drawn,
            kept=int(counts.get("kept", 0)),
        )
    else:
        head += " " + w("x.hm_off")
    lost = int(counts.get("failed", 0) + counts.get("not run", 0))
    if lost:
        head += " " + w("x.failed_points", n=lost)
    headline = [
        verdict_line(c, row, w)
        for c, (_, row) in zip(spec.conclusions, tables.conclusions.iterrows(), strict=True)
    ]
    glance, glance_sheet = glance_tables(tables, exploration, w)
    sections = [
        Section("glance", w("x.glance"), w("x.glance_note", reps=n_reps), [head], tables=[glance])
    ]
    sheets = [glance_sheet]
    for c, (_, row) in zip(spec.conclusions, tables.conclusions.iterrows(), strict=True):
        sens = tables.sensitivity[tables.sensitivity["conclusion"] == c.name]
        sec = Section(
            f"conclusion-{c.name}",
            conclusion_text(c, w),
            paragraphs=describe(c, row, sens, tables.boxes.get(c.name), exploration, lang),
        )
        if len(sens):
            table, sheet = sensitivity_frames(sens, w)
            sec.tables.append(table)
            sheet.name = f"{c.name}"
            sheets.append(sheet)
        part = tables.by_point[tables.by_point["conclusion"] == c.name]
        fig = scatter(c, part, tables.unit, sens, exploration, w)
        if fig is not None:
            sec.figures.append(fig)
        sections.append(sec)
    for frames in (
        scenario_frames(tables, exploration, w),
        history_frames(tables, w),
        uncertainty_frames(exploration, w),
    ):
        if frames is not None:
            table, sheet = frames
            sections.append(Section(table.title, table.title, tables=[table], collapsed=True))
            sheets.append(sheet)
    sheets.append(point_sheet(tables, exploration, w))
    # The same figures as numbers, for the reader's own tables (codes, both languages).
    sheets += [
        Sheet("data conclusions", tables.conclusions.reset_index(drop=True)),
        Sheet("data conclusion-points", tables.by_point.reset_index(drop=True)),
        Sheet("data sensitivity", tables.sensitivity.reset_index(drop=True)),
    ]
    facts = [
        (w("seed"), str(exploration.seed)),
        (w("x.points"), str(drawn)),
        (w("replications"), str(n_reps)),
        (w("x.spec"), str(exploration.path)),
    ]
    fig = forest(tables, exploration, w)
    other = next(code for code in LANGS if code != lang)
    return Report(
        lang=lang,
        title=f"{w('x.title')}: {spec.name}",
        # The spec's description is the analyst's own text in one language (English in
        # the bundled specs): on the English page only.
        description=spec.description if lang == "en" else "",
        headline_title=w("headline"),
        question=w("x.question"),
        headline=headline,
        figures=[fig] if fig is not None else [],
        about_title=w("about_title"),
        about=[w("x.about"), w("about_synthetic"), w("about_not")],
        sections=sections,
        glossary_title=w("glossary"),
        glossary=[
            (w(f"term.{t}"), w(f"meaning.{t}"))
            for t in ("interval", "points", "replication", "paired")
        ]
        + [(w("x.term_point"), w("x.meaning_point")), (w("x.term_s1"), w("x.meaning_s1"))],
        facts_title=w("provenance"),
        facts=facts,
        sheets=sheets,
        other_lang=(file_names(other)["html"], w("lang_other")),
    )


def write_report(
    out: Path, exploration: Exploration, tables: Tables, n_reps: int, lang: str
) -> dict[str, Path]:
    """report.<lang>.html, .md and .xlsx in `out`."""
    return write_pages(build(exploration, tables, n_reps, lang, out), out)
