"""Reports of a run or experiment folder: a self-contained HTML page, Markdown, Excel.

Only this layer formats numbers. Tables come from `summary.csv`, `comparison.csv`
and `metrics.parquet`; figures are matplotlib PNGs, embedded in the HTML as data
URIs and written next to the Markdown. Dutch labels use the agreement's terms.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from allocsim.errors import ConfigError, Problem  # noqa: E402
from allocsim.paths import read_manifest, read_table, replace_file, write_text
from allocsim.review import detectability  # noqa: E402

TEXT = {
    "en": {
        "title": "allocsim report",
        "scenario": "scenario",
        "group": "group",
        "channel": "channel",
        "month": "month",
        "success_rate": "Success rate by group",
        "success_rate_note": "Lettings to the group divided by its active seekers over the window; "
        "mean over replications with 95% interval.",
        "differences": "Differences against the baseline",
        "differences_note": "Paired differences (same random numbers in every scenario), "
        "scenario minus baseline, 95% interval; * the interval excludes zero.",
        "lettings_channel": "Lettings by channel",
        "meettijd_channel": "Meettijd of new tenants by channel (median, years)",
        "status_holders": "Status holders: monthly lettings against an even spread",
        "status_holders_note": "Clause 1.13 asks for arrivals spread evenly over the year; "
        "the line is the mean per month.",
        "quotas": "Quota and cap use",
        "quotas_note": "limit: the agreed number or share x vacancies; used: realised; "
        "requested: what the rules asked for (requested - used was displaced or refused).",
        "review": "Review",
        "expected": "Model's expected effect",
        "data_window": "What the data window could show",
        "who_paid": "Who bore the cost: change in success rate per group",
        "mean": "mean",
        "interval": "95% interval",
        "n": "replications",
        "even": "even spread",
        "lettings": "lettings",
        "meettijd": "meettijd (years)",
        "item": "item",
        "limit": "limit",
        "used": "used",
        "requested": "requested",
        "metric": "metric",
        "value": "value",
        "p_right_sign": "P(observed difference has the expected sign)",
        "power": "P(effect seen: one-sided 5% test)",
        "smallest_quota": "Smallest yearly quota seen with 80% probability",
        "none_reached": "none of the simulated quotas",
        "quota": "quota per year",
        "village": "Who got the senior-suitable homes in the villages",
        "core": "Lottery lettings left for the core towns",
        "generated": "Generated",
        "replications": "Replications per scenario",
        "seed": "Root seed",
        "baseline": "Baseline",
    },
    "nl": {
        "title": "allocsim rapportage",
        "scenario": "scenario",
        "group": "groep",
        "channel": "kanaal",
        "month": "maand",
        "success_rate": "Slaagkans per groep",
        "success_rate_note": "Verhuringen aan de groep gedeeld door haar actief woningzoekenden in "
        "de periode; gemiddelde over replicaties met 95%-interval.",
        "differences": "Verschillen ten opzichte van de basis",
        "differences_note": "Gepaarde verschillen (dezelfde toevalsgetallen in elk scenario), "
        "scenario min basis, 95%-interval; * het interval bevat nul niet.",
        "lettings_channel": "Verhuringen per kanaal (aanbodmodel, loting, direct)",
        "meettijd_channel": "Meettijd van nieuwe huurders per kanaal (mediaan, jaren)",
        "status_holders": "Statushouders: verhuringen per maand tegenover gelijkmatige spreiding",
        "status_holders_note": "Afspraak 1.13 vraagt om gelijkmatige spreiding over het jaar; de "
        "lijn is het gemiddelde per maand.",
        "quotas": "Gebruik van quota en plafonds (loting, statushouders, vrije toewijzingsruimte)",
        "quotas_note": "limiet: het afgesproken aantal of aandeel x mutaties; gebruikt: "
        "gerealiseerd; gevraagd: wat de regels vroegen (gevraagd - gebruikt is verdrongen).",
        "review": "Evaluatie",
        "expected": "Verwacht effect volgens het model",
        "data_window": "Wat de gegevens van de evaluatieperiode kunnen laten zien",
        "who_paid": "Wie betaalde: verandering in slaagkans per groep",
        "mean": "gemiddelde",
        "interval": "95%-interval",
        "n": "replicaties",
        "even": "gelijkmatige spreiding",
        "lettings": "verhuringen",
        "meettijd": "meettijd (jaren)",
        "item": "onderdeel",
        "limit": "limiet",
        "used": "gebruikt",
        "requested": "gevraagd",
        "metric": "maat",
        "value": "waarde",
        "p_right_sign": "Kans dat het waargenomen verschil het verwachte teken heeft",
        "power": "Kans dat het effect zichtbaar is (eenzijdige toets, 5%)",
        "smallest_quota": "Kleinste jaarlijkse quotum dat met 80% kans zichtbaar is",
        "none_reached": "geen van de gesimuleerde quota",
        "quota": "quotum per jaar",
        "village": "Wie kreeg de seniorgeschikte woningen in de kernen",
        "core": "Lotingswoningen die overblijven voor de hoofdkernen",
        "generated": "Gemaakt",
        "replications": "Replicaties per scenario",
        "seed": "Startwaarde (seed)",
        "baseline": "Basis",
    },
}

LABELS = {
    "nl": {
        "offer": "aanbodmodel",
        "lottery": "loting",
        "direct": "directe bemiddeling",
        "all": "alle",
        "urgent": "urgenten",
        "status_holder": "statushouders",
        "senior_65plus": "senioren 65+",
        "starter_18_27": "starters 18-27",
        "starter_other": "overige starters",
        "mover": "doorstromers",
        "free_room": "vrije toewijzingsruimte",
        "lottery_cap": "lotingsplafond",
        "lottery_general": "loting (algemeen)",
        "lottery_starter_pilot": "loting (starterspilot)",
        "lottery_village_rule": "loting (kernenafspraak)",
        "starter_labels": "starterslabels",
        "starter_lottery": "starterslabels loting",
        "starter_offer": "starterslabels aanbodmodel",
        "status_holder_cap": "plafond statushouders (10%)",
        "status_holder_task_persons": "taakstelling statushouders (personen)",
        "status_holder_backlog_persons": "achterstand statushouders (personen)",
        "vacancies": "mutaties",
        "lettings": "verhuringen",
        "transformed": "getransformeerd",
        "success_rate": "slaagkans",
        "tenant_age_mean": "gemiddelde leeftijd huurder",
        "share_65plus": "aandeel 65+",
        "share_same_village": "aandeel uit dezelfde kern",
        "share_movers_from_stock": "aandeel doorstromers",
        "family_homes_freed": "vrijgekomen gezinswoningen",
        "chain_moves_set_off": "verhuisketen: vervolgverhuringen",
        "lottery_lettings": "lotingsverhuringen",
    },
    "en": {},
}


def label(lang: str, key: str) -> str:
    return LABELS.get(lang, {}).get(key, key.replace("_", " "))


@dataclass
class Section:
    title: str
    note: str = ""
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


def _fig_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _fmt(mean: float, lo: float, hi: float, digits: int = 3) -> str:
    if np.isnan(lo):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def load(run_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    manifest_path = run_dir / "manifest.json"
    if not manifest_path.is_file() or not (run_dir / "summary.csv").is_file():
        raise ConfigError(
            [Problem(str(run_dir), "", "", "a finished run folder (manifest.json, summary.csv)")]
        )
    manifest = read_manifest(manifest_path)
    summary = read_table(run_dir / "summary.csv", lambda p: pd.read_csv(p, dtype={"level": str}))
    if "scenario" not in summary.columns:
        summary.insert(0, "scenario", manifest.get("scenario", run_dir.name))
    comp_path = run_dir / "comparison.csv"
    comparison = (
        pd.read_csv(comp_path, dtype={"level": str}) if comp_path.is_file() else pd.DataFrame()
    )
    metrics = read_table(run_dir / "metrics.parquet", pd.read_parquet)
    if "scenario" not in metrics.columns:
        metrics.insert(0, "scenario", manifest.get("scenario", run_dir.name))
    return manifest, summary, comparison, metrics


def build_sections(
    manifest: dict,
    summary: pd.DataFrame,
    comparison: pd.DataFrame,
    metrics: pd.DataFrame,
    lang: str,
) -> list[Section]:
    t = TEXT[lang]
    scenarios = list(dict.fromkeys(summary["scenario"]))
    sections = []

    # Success rate by group per scenario.
    sr = summary[(summary["dimension"] == "all") & (summary["metric"] == "success_rate")]
    sec = Section(t["success_rate"], t["success_rate_note"])
    table = sr.assign(
        cell=[
            _fmt(m, lo, hi, 4)
            for m, lo, hi in zip(sr["mean"], sr["ci_low"], sr["ci_high"], strict=True)
        ],
        group=[label(lang, g) for g in sr["group"]],
    ).pivot_table(index="group", columns="scenario", values="cell", aggfunc="first")
    sec.tables.append((t["success_rate"], table.reindex(columns=scenarios)))
    groups = [g for g in sr["group"].unique() if g != "all"]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / max(1, len(scenarios))
    for i, scen in enumerate(scenarios):
        part = sr[sr["scenario"] == scen].set_index("group").reindex(groups)
        x = np.arange(len(groups)) + i * width
        err = np.vstack([part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]])
        ax.bar(x, part["mean"], width, yerr=np.nan_to_num(err), capsize=3, label=scen)
    ax.set_xticks(np.arange(len(groups)) + width * (len(scenarios) - 1) / 2)
    ax.set_xticklabels([label(lang, g) for g in groups], rotation=20)
    ax.set_ylabel(label(lang, "success_rate"))
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    sec.figures.append((t["success_rate"], _fig_png(fig)))
    sections.append(sec)

    # Differences against the baseline.
    if not comparison.empty:
        c = comparison[
            (comparison["dimension"] == "all") & (comparison["metric"] == "success_rate")
        ]
        cells = [
            _fmt(m, lo, hi, 4) + (" *" if s else "")
            for m, lo, hi, s in zip(
                c.diff_mean, c.diff_ci_low, c.diff_ci_high, c.significant, strict=True
            )
        ]
        table = c.assign(cell=cells, group=[label(lang, g) for g in c["group"]]).pivot_table(
            index="group", columns="scenario", values="cell", aggfunc="first"
        )
        sec = Section(t["differences"], t["differences_note"])
        sec.text.append(f"{t['baseline']}: {manifest.get('spec', {}).get('baseline', '')}")
        sec.tables.append((t["differences"], table))
        sections.append(sec)

    # Lettings by channel, meettijd by channel.
    ch = summary[(summary["dimension"] == "channel") & (summary["group"] == "all")]
    for metric, title, digits in (
        ("lettings", t["lettings_channel"], 1),
        ("meettijd_median_years", t["meettijd_channel"], 2),
    ):
        part = ch[ch["metric"] == metric]
        sec = Section(title)
        table = part.assign(
            cell=[
                _fmt(m, lo, hi, digits)
                for m, lo, hi in zip(part["mean"], part["ci_low"], part["ci_high"], strict=True)
            ],
            channel=[label(lang, x) for x in part["level"]],
        ).pivot_table(index="channel", columns="scenario", values="cell", aggfunc="first")
        sec.tables.append((title, table.reindex(columns=scenarios)))
        wide = part.pivot_table(index="level", columns="scenario", values="mean", aggfunc="first")
        fig, ax = plt.subplots(figsize=(7, 3.5))
        wide.reindex(columns=scenarios).rename(index=lambda x: label(lang, x)).plot.bar(
            ax=ax, rot=0
        )
        ax.set_ylabel(t["lettings"] if metric == "lettings" else t["meettijd"])
        ax.set_xlabel(t["channel"])
        ax.legend(fontsize=8)
        sec.figures.append((title, _fig_png(fig)))
        sections.append(sec)

    # Monthly status-holder lettings.
    months = sorted(summary.loc[summary["dimension"] == "month", "level"].unique())
    if months:
        mo = summary[(summary["dimension"] == "month") & (summary["group"] == "status_holder")]
        sec = Section(t["status_holders"], t["status_holders_note"])
        wide = mo.pivot_table(index="level", columns="scenario", values="mean", aggfunc="first")
        wide = wide.reindex(index=months, columns=scenarios).fillna(0.0)
        fig, ax = plt.subplots(figsize=(9, 3.5))
        for scen in wide.columns:
            ax.plot(wide.index, wide[scen], marker="o", label=scen)
        ax.axhline(float(wide.to_numpy().mean()), color="grey", linestyle="--", label=t["even"])
        ax.set_ylabel(t["lettings"])
        ax.tick_params(axis="x", rotation=60)
        ax.legend(fontsize=8)
        sec.figures.append((t["status_holders"], _fig_png(fig)))
        sec.tables.append((t["status_holders"], wide.round(2)))
        sections.append(sec)

    # Quota and cap use.
    q = summary[summary["dimension"] == "quota"]
    if len(q):
        sec = Section(t["quotas"], t["quotas_note"])
        wide = q.pivot_table(
            index=["scenario", "level", "group"], columns="metric", values="mean", aggfunc="first"
        )
        wide = wide.reindex(
            columns=[c for c in ("limit", "used", "requested") if c in wide.columns]
        )
        wide.index = wide.index.set_levels([label(lang, g) for g in wide.index.levels[2]], level=2)
        wide.columns = [t[c] for c in wide.columns]
        sec.tables.append((t["quotas"], wide.round(1)))
        sections.append(sec)

    review = manifest.get("spec", {}).get("review")
    if review:
        sections.extend(review_sections(review, summary, comparison, metrics, lang))
    return sections


def review_sections(
    review: dict, summary: pd.DataFrame, comparison: pd.DataFrame, metrics: pd.DataFrame, lang: str
) -> list[Section]:
    t = TEXT[lang]
    window = f"{review['data_window_start']} .. {review['data_window_end']}"
    det = detectability(
        metrics,
        comparison,
        review["treatment"],
        review["control"],
        review["metric"],
        window,
        review.get("quota_scenarios", {}),
    )
    sec = Section(f"{t['review']}: {review['title']}")
    sec.text.append(
        f"<b>{t['expected']}</b> ({review['treatment']} - {review['control']}, "
        f"{label(lang, review['metric'].split('/')[-1])}, {review['metric'].split('/')[2]}): "
        f"{_fmt(det.expected_effect, det.effect_ci_low, det.effect_ci_high, 4)} "
        f"({det.n_pairs} {t['n']})."
    )
    sec.text.append(
        f"<b>{t['data_window']}</b> ({window}): {t['p_right_sign']}: {det.p_right_sign:.2f}; "
        f"{t['power']}: {det.power:.2f}."
    )
    if len(det.by_quota):
        smallest = (
            f"{det.smallest_quota_80:g}" if det.smallest_quota_80 is not None else t["none_reached"]
        )
        sec.text.append(f"{t['smallest_quota']}: <b>{smallest}</b>.")
        sec.tables.append(
            (
                t["quota"],
                det.by_quota.rename(
                    columns={
                        "quota_per_year": t["quota"],
                        "scenario": t["scenario"],
                        "p_right_sign": t["p_right_sign"],
                        "power": t["power"],
                    }
                )
                .set_index(t["quota"])
                .round(3),
            )
        )
    if not comparison.empty:
        c = comparison[
            (comparison["scenario"] == review["treatment"])
            & (comparison["dimension"] == "all")
            & (comparison["metric"].isin(["success_rate", "lettings"]))
        ]
        if len(c):
            who = c.assign(
                cell=[
                    _fmt(m, lo, hi, 4) + (" *" if s else "")
                    for m, lo, hi, s in zip(
                        c.diff_mean, c.diff_ci_low, c.diff_ci_high, c.significant, strict=True
                    )
                ],
                group=[label(lang, g) for g in c["group"]],
            ).pivot_table(index="group", columns="metric", values="cell", aggfunc="first")
            sec.tables.append((t["who_paid"], who))
    if review["kind"] == "village_rule":
        vs = summary[
            (summary["dimension"] == "review") & (summary["level"] == "village_senior_homes")
        ]
        sec.tables.append(
            (
                t["village"],
                vs.assign(metric=[label(lang, m) for m in vs["metric"]])
                .pivot_table(index="metric", columns="scenario", values="mean", aggfunc="first")
                .round(3),
            )
        )
        core = summary[
            (summary["dimension"] == "review") & summary["level"].str.startswith("core_")
        ]
        sec.tables.append(
            (
                t["core"],
                core.assign(level=core["level"].str.removeprefix("core_"))
                .pivot_table(index="level", columns="scenario", values="mean", aggfunc="first")
                .round(1),
            )
        )
    return [sec]


def _html_table(frame: pd.DataFrame) -> str:
    return frame.to_html(border=0, classes="t", na_rep="", escape=True)


CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
h1{border-bottom:2px solid #444} h2{margin-top:2em;border-bottom:1px solid #ccc}
table.t{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}
table.t td,table.t th{border:1px solid #ddd;padding:3px 6px;text-align:right}
.note{color:#555;font-size:0.9em} img{max-width:100%}
"""


def write_report(run_dir: Path, lang: str = "en") -> dict[str, Path]:
    """Write report.html, report.md (with figures/) and report.xlsx into `run_dir`."""
    manifest, summary, comparison, metrics = load(run_dir)
    t = TEXT[lang]
    sections = build_sections(manifest, summary, comparison, metrics, lang)
    name = (
        manifest.get("name") or manifest.get("experiment") or manifest.get("scenario", run_dir.name)
    )
    desc = manifest.get("spec", {}).get("description") or manifest.get("config", {}).get(
        "description", ""
    )
    reps = manifest.get("replications")
    head = [
        f"{t['generated']}: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"{t['replications']}: {reps}",
        f"{t['seed']}: {manifest.get('root_seed')}",
    ]
    figdir = run_dir / "figures"
    figdir.mkdir(exist_ok=True)
    html_parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(t['title'])}: {html.escape(name)}</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(t['title'])}: {html.escape(name)}</h1>",
        f"<p>{html.escape(desc)}</p>",
        f"<p class='note'>{' &middot; '.join(html.escape(h) for h in head)}</p>",
    ]
    md = [f"# {t['title']}: {name}", "", desc, "", " · ".join(head), ""]
    sheets: dict[str, pd.DataFrame] = {}
    fig_no = 0
    for sec in sections:
        html_parts.append(f"<h2>{html.escape(sec.title)}</h2>")
        md += [f"## {sec.title}", ""]
        if sec.note:
            html_parts.append(f"<p class='note'>{html.escape(sec.note)}</p>")
            md += [sec.note, ""]
        for line in sec.text:
            html_parts.append(f"<p>{line}</p>")
            md += [line.replace("<b>", "**").replace("</b>", "**"), ""]
        for title, png in sec.figures:
            fig_no += 1
            path = figdir / f"figure-{fig_no}.png"
            replace_file(path, partial(Path.write_bytes, data=png))
            data = base64.b64encode(png).decode()
            html_parts.append(
                f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>"
            )
            md += [f"![{title}](figures/{path.name})", ""]
        for title, table in sec.tables:
            if title != sec.title:
                html_parts.append(f"<h3>{html.escape(title)}</h3>")
                md += [f"### {title}", ""]
            html_parts.append(_html_table(table))
            md += [table.to_markdown(), ""]
            sheet = "".join(ch for ch in title if ch.isalnum() or ch == " ")[:28] or "table"
            while sheet in sheets:
                sheet = sheet[:26] + str(len(sheets))
            sheets[sheet] = table
    html_parts.append("</body></html>")
    paths = {
        "html": run_dir / "report.html",
        "md": run_dir / "report.md",
        "xlsx": run_dir / "report.xlsx",
    }
    write_text(paths["html"], "\n".join(html_parts))
    write_text(paths["md"], "\n".join(md))
    replace_file(paths["xlsx"], lambda tmp: _write_workbook(tmp, sheets))
    return paths


def _write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for sheet, table in sheets.items():
            table.to_excel(writer, sheet_name=sheet)
