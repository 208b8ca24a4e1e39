"""The report of a comparison (`allocsim compare A B --report`), through the one report
stack: `compare.<lang>.html`, `.md` and `.xlsx`.

First what was compared and how (paired or not, and why), the settings in which B
differs from A, then the success rates that changed by more than chance with their
intervals, and the differences as a forest plot; the full table follows, and the
workbook holds every dimension's differences as numbers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd

from allocsim.analysis.metrics import SHARE_METRICS
from allocsim.i18n import LANGS, Words
from allocsim.reports import figures
from allocsim.reports.compare import Comparison, Pair
from allocsim.reports.formats import diff_cell, diff_range, diff_text, value_text
from allocsim.reports.headline import GROUPS
from allocsim.reports.page import Figure, Line, Report, Section, Table
from allocsim.reports.render import file_names, write_pages
from allocsim.reports.report import level_label
from allocsim.reports.workbook import Sheet

STEM = "compare"
SHOWN_SETTINGS = 6  # settings named in the answer; the section lists them all


def run_name(manifest: dict, path: Path) -> str:
    """A folder as the report names it: its label, else its name, else the folder."""
    return str(manifest.get("label") or manifest.get("name") or path.name)


def pair_rows(comparison: Comparison, pair: Pair) -> pd.DataFrame:
    t = comparison.table
    return t[(t["scenario_a"] == pair.a.label) & (t["scenario_b"] == pair.b.label)]


def pair_settings(comparison: Comparison, pair: Pair) -> pd.DataFrame:
    s = comparison.settings
    if s.empty:
        return s
    return s[(s["scenario_a"] == pair.a.label) & (s["scenario_b"] == pair.b.label)]


def pair_name(comparison: Comparison, pair: Pair) -> str:
    if pair.a.label == pair.b.label:
        return pair.a.label
    return f"{pair.a.label} / {pair.b.label}"


def headline(comparison: Comparison, w: Words) -> list[Line]:
    lines = []
    for pair in comparison.pairs:
        prefix = "" if len(comparison.pairs) == 1 else f"{pair_name(comparison, pair)}: "
        settings = pair_settings(comparison, pair)
        if settings.empty:
            lines.append(Line(prefix + w("c.same_settings")))
        else:
            items = [
                w("c.setting_item", setting=r.setting, a=r.value_a, b=r.value_b)
                for r in settings.head(SHOWN_SETTINGS).itertuples(index=False)
            ]
            more = len(settings) - SHOWN_SETTINGS
            key = "c.settings_one" if len(settings) == 1 else "c.settings"
            text = w(key, n=len(settings), items="; ".join(items))
            if more > 0:
                text += " " + w("c.settings_more", n=more)
            lines.append(Line(prefix + text))
        rows = pair_rows(comparison, pair)
        lets = rows[(rows["dimension"] == "all") & (rows["group"] == "all")]
        lets = lets[lets["metric"] == "lettings"]
        if len(lets):
            r = lets.iloc[0]
            interval = diff_range(w, "lettings", r.diff_ci_low, r.diff_ci_high)
            lines.append(
                Line(
                    prefix
                    + w(
                        "c.lettings",
                        a=value_text(w, "lettings", r.mean_a),
                        b=value_text(w, "lettings", r.mean_b),
                        diff=diff_text(w, "lettings", r.diff_mean),
                        interval=interval,
                    ),
                )
            )
        sr = rows[(rows["dimension"] == "all") & (rows["metric"] == "success_rate")]
        changed = sr[sr["significant"].astype(bool)]
        changed = changed.reindex(changed["diff_mean"].abs().sort_values(ascending=False).index)
        intervals = [
            w.points_range(r.diff_ci_low, r.diff_ci_high)
            for r in changed.head(4).itertuples(index=False)
        ]
        items = [
            w(
                "h_change_item",
                group=w.label("group", r.group),
                diff=w.points(r.diff_mean),
                interval=interval,
            )
            for r, interval in zip(changed.head(4).itertuples(index=False), intervals, strict=True)
        ]
        text = w("c.changed", items=w.join(items)) if items else w("c.unchanged")
        lines.append(Line(prefix + text, intervals[0] if intervals else ""))
    return lines


def forest(comparison: Comparison, w: Words) -> Figure | None:
    effects = []
    for pair in comparison.pairs:
        rows = pair_rows(comparison, pair)
        sr = rows[(rows["dimension"] == "all") & (rows["metric"] == "success_rate")]
        by_group = sr.set_index("group")
        for g in GROUPS:
            if g in by_group.index:
                r = by_group.loc[g]
                effects.append(
                    figures.Effect(
                        w.label("group", g),
                        float(r["diff_mean"]),
                        float(r["diff_ci_low"]),
                        float(r["diff_ci_high"]),
                        figures.SHARE,
                        pair_name(comparison, pair) if len(comparison.pairs) > 1 else "",
                    )
                )
    if not effects:
        return None
    return Figure(
        w("c.forest"),
        figures.forest(w, effects, {figures.SHARE: w("axis_diff_points")}),
        alt=w("alt_effect", n=len(effects)),
        note=w("fig_effect_note"),
    )


def setting_value(text: str) -> object:
    """A setting's value for the workbook: a number as a number, anything else as text."""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else text


def settings_section(comparison: Comparison, w: Words) -> tuple[Section, Sheet]:
    s = comparison.settings
    frame = pd.DataFrame(
        {
            w("col.scenario"): [
                f"{a} / {b}" if a != b else a
                for a, b in zip(s.get("scenario_a", []), s.get("scenario_b", []), strict=True)
            ],
            w("c.col_setting"): s.get("setting", pd.Series(dtype=str)).to_numpy(),
            "A": s.get("value_a", pd.Series(dtype=str)).to_numpy(),
            "B": s.get("value_b", pd.Series(dtype=str)).to_numpy(),
        }
    )
    sec = Section("settings", w("c.settings_title"), w("c.settings_note"), collapsed=True)
    sec.tables.append(Table(w("c.settings_title"), frame, index=False))
    numbers = frame.assign(
        A=[setting_value(v) for v in frame["A"]], B=[setting_value(v) for v in frame["B"]]
    )
    return sec, Sheet(w("c.sheet_settings"), numbers)


def side_names(comparison: Comparison, column: str) -> list[str]:
    """Each row's run (A or B) by its name: the label or name of its folder, and the
    scenario where the folder holds several."""
    side = 0 if column == "scenario_a" else 1
    manifest = comparison.manifests[side]
    name = run_name(manifest, comparison.a if side == 0 else comparison.b)
    several = isinstance(manifest.get("scenarios"), dict) and len(manifest["scenarios"]) > 1
    labels = comparison.table[column].astype(str)
    return [f"{name}: {label}" if several else name for label in labels]


def difference_section(comparison: Comparison, w: Words) -> tuple[Section, Sheet]:
    """The 'all' dimension as text per group and measure; every dimension as numbers."""
    t = comparison.table
    shown = t[t["dimension"] == "all"]
    frame = pd.DataFrame(
        {
            w("col.scenario"): shown["scenario_b"].astype(str).to_numpy(),
            w("col.group"): [w.label("group", g) for g in shown["group"]],
            w("col.metric"): [w.label("metric", m) for m in shown["metric"]],
            "A": [
                value_text(w, m, v) for m, v in zip(shown["metric"], shown["mean_a"], strict=True)
            ],
            "B": [
                value_text(w, m, v) for m, v in zip(shown["metric"], shown["mean_b"], strict=True)
            ],
            w("col.diff"): [
                diff_cell(w, m, d, lo, hi, bool(sig))
                for m, d, lo, hi, sig in zip(
                    shown["metric"],
                    shown["diff_mean"],
                    shown["diff_ci_low"],
                    shown["diff_ci_high"],
                    shown["significant"],
                    strict=True,
                )
            ],
        }
    )
    sec = Section("differences", w("c.differences"), w("c.differences_note"), collapsed=True)
    sec.tables.append(Table(w("c.differences"), frame, index=False))
    share = t["metric"].isin(SHARE_METRICS).to_numpy()
    points = np.where(share, 100.0, 1.0)  # differences of shares in percentage points
    numbers = pd.DataFrame(
        {
            "A": side_names(comparison, "scenario_a"),
            "B": side_names(comparison, "scenario_b"),
            w("c.col_dimension"): [w.label("dimension", d) for d in t["dimension"].astype(str)],
            w("col.level"): [
                level_label(w, d, x)
                for d, x in zip(t["dimension"].astype(str), t["level"].astype(str), strict=True)
            ],
            w("col.group"): [w.label("group", g) for g in t["group"]],
            w("col.metric"): [w.label("metric", m) for m in t["metric"]],
            w("c.col_mean_a"): t["mean_a"].to_numpy(dtype=float),
            w("c.col_mean_b"): t["mean_b"].to_numpy(dtype=float),
            w("col.diff"): t["diff_mean"].to_numpy(dtype=float) * points,
            w("col.low"): t["diff_ci_low"].to_numpy(dtype=float) * points,
            w("col.high"): t["diff_ci_high"].to_numpy(dtype=float) * points,
            w("col.n"): t["n"].to_numpy(dtype=np.int64),
            w("c.col_paired"): [w("yes") if p else w("no") for p in t["paired"]],
            w("col.significant"): [w("yes") if s else w("no") for s in t["significant"]],
        }
    )
    sheet = Sheet(
        w("sheet.differences"),
        numbers,
        {w("col.n"): "int"},
        share_rows=share,
        points_unit=w("pp_short"),
        points_columns=(w("col.diff"), w("col.low"), w("col.high")),
    )
    return sec, sheet


def build(comparison: Comparison, lang: str) -> Report:
    w = Words(lang)
    man_a, man_b = comparison.manifests
    name_a, name_b = run_name(man_a, comparison.a), run_name(man_b, comparison.b)
    lines = headline(comparison, w)
    settings, settings_sheet = settings_section(comparison, w)
    differences, numbers = difference_section(comparison, w)
    facts = [
        ("A", f"{name_a}: {comparison.a}"),
        ("B", f"{name_b}: {comparison.b}"),
        *[(w("c.window"), f"{p.a.window} ({pair_name(comparison, p)})") for p in comparison.pairs],
        *[(w("seed"), f"{p.a.seed} / {p.b.seed}") for p in comparison.pairs[:1]],
        (w("generated"), f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"),
    ]
    changes = [
        w("c.side_label", side=side, label=m["label"])
        for side, m in (("A", man_a), ("B", man_b))
        if m.get("label")
    ]
    fig = forest(comparison, w)
    other = next(code for code in LANGS if code != lang)
    unit = " ".join(
        dict.fromkeys(w(f"c.{'paired' if p.paired else 'unpaired'}") for p in comparison.pairs)
    )
    return Report(
        lang=lang,
        title=w("c.title", a=name_a, b=name_b),
        description=unit,
        changes=changes,
        headline_title=w("headline"),
        question=w("c.question", a=name_a, b=name_b),
        headline=lines,
        figures=[fig] if fig is not None else [],
        about_title=w("about_title"),
        about=[w("c.about"), w("about_not")],
        sections=[settings, differences],
        glossary_title=w("glossary"),
        glossary=[
            (w(f"term.{t}"), w(f"meaning.{t}"))
            for t in ("success_rate", "interval", "points", "replication", "paired", "beyond_noise")
        ],
        facts_title=w("provenance"),
        facts=facts,
        sheets=[
            Sheet(w("sheet.headline"), pd.DataFrame({w("col.text"): [x.text for x in lines]})),
            numbers,
            settings_sheet,
            Sheet(
                w("sheet.provenance"),
                pd.DataFrame(facts, columns=[w("col.item_key"), w("col.value")]),
            ),
        ],
        other_lang=(file_names(other, STEM)["html"], w("lang_other")),
    )


def write_compare_report(
    comparison: Comparison, folder: Path, lang: str | None = None
) -> dict[str, Path]:
    """compare.<lang>.html, .md and .xlsx in `folder` (made if needed), for `lang` or
    both languages; keyed like 'en.html'."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for code in [lang] if lang else list(LANGS):
        for kind, path in write_pages(build(comparison, code), folder, STEM).items():
            paths[f"{code}.{kind}"] = path
    return paths
