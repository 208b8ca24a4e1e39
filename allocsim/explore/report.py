"""The exploration's report, in English and Dutch: `report.<lang>.html` (self-contained)
and `report.<lang>.xlsx`. Only this module formats numbers (babel: a decimal comma in
Dutch); every sentence of both languages is in `TEXT`."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from babel.numbers import format_decimal, format_percent  # noqa: E402

from allocsim.explore.analysis import Box  # noqa: E402
from allocsim.explore.spec import Conclusion, Exploration  # noqa: E402
from allocsim.explore.tables import Tables  # noqa: E402
from allocsim.paths import replace_file, write_text  # noqa: E402
from allocsim.reports.report import Sheet, write_workbook  # noqa: E402

LOCALES = {"en": "en_GB", "nl": "nl_NL"}
HINT_BELOW = 40  # kept points below which a failing region reads as a hint
MATTERS_ABOVE = 0.05  # an assumption is named when its index's interval starts here

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Robustness under uncertainty",
        "generated": "Generated",
        "seed": "root seed",
        "points_line": "{drawn} points of the uncertainty space ({sampling}), {reps} "
        "replications of each of {n_scen} scenarios per point, common random numbers.",
        "hm_on": "History matching: a point counts only if the Entree region world (at "
        "{scale} of its size, {hm_reps} replication(s)) reproduces every 2020-2021 figure "
        "within {tol}. {aside} of the {drawn} points contradict those figures and are set "
        "aside; {kept} are kept.",
        "hm_off": "History matching is off: every point counts, whether or not the region "
        "world would still reproduce the 2020-2021 figures there.",
        "failed_points": "{n} point(s) failed or were not run (see manifest.json) and count "
        "nowhere.",
        "glance": "Conclusions at a glance",
        "glance_note": "Share of the kept points where each conclusion holds, fails, or "
        "cannot be told apart from noise at {reps} replications per point; the effect is "
        "treatment minus control, its range over the points.",
        "conclusion": "conclusion",
        "holds": "holds",
        "fails": "fails",
        "unclear": "cannot tell",
        "span": "effect, or power for the data window: median (5%-95% of points)",
        "verdict_effect": "{text}: it holds at {holds} of the {n} points kept, fails at "
        "{fails} and cannot be told apart from noise at {unclear}.",
        "verdict_detect": "{text}: it holds at {holds} of the {n} points kept (the power of "
        "a one-sided 5% test reaches {target} even at the unfavourable end of the effect's "
        "interval), fails at {fails} and cannot be told at {unclear}.",
        "range": "The effect ranges from {min} to {max} over the points (median {median}; "
        "nine in ten points between {p05} and {p95}).",
        "power_span": "The power ranges from {min} to {max} (median {median}).",
        "matters": "What matters most: {items}.",
        "matter_item": "{name} (first-order index {s1}, 95% interval {lo} to {hi}; a "
        "higher value {direction} the effect)",
        "raises": "raises",
        "lowers": "lowers",
        "nothing_stands_out": "No single assumption stands out at this number of points: "
        "the largest first-order index, {name} {s1}, has an interval from {lo} to {hi}.",
        "too_few": "Too few points to rank the assumptions.",
        "no_points": "{text}: no point was kept, so the exploration cannot judge it.",
        "region": "Where it does not hold: mainly where {conditions} ({k} of the {m} points "
        "there; they are {k} of the {total} points where it does not hold).",
        "region_hint": "With {n} points such a region is a hint to test with more points, not "
        "a finding.",
        "everywhere": "It holds at every point kept: no assumption within its range overturns it.",
        "nowhere": "It holds at no point kept.",
        "above": "{name} is above {value}",
        "at_most": "{name} is at most {value}",
        "and": " and ",
        "points_unit": " points",
        "sensitivity": "Which assumptions matter",
        "uncertainty": "assumption",
        "s1": "first-order index (RBD-FAST)",
        "s1_interval": "95% interval",
        "rho": "rank correlation",
        "figure": "Effect at each point against the assumption that matters most",
        "uncertainties": "The uncertainties and their reasons",
        "keys": "settings",
        "how": "how",
        "range_col": "range",
        "reason": "reason",
        "history": "History matching: the region's 2020-2021 figures",
        "target": "figure",
        "observed": "observed",
        "median_sim": "simulated (median of points)",
        "error_range": "relative error (min to max)",
        "within": "points within",
        "scenarios": "Success rate per group and scenario across the kept points",
        "scenario": "scenario",
        "group": "group",
        "median_range": "median (5%-95% of points)",
        "per_point": "Each point",
        "point": "point",
        "status": "status",
        "verdict": "verdict",
        "effect": "effect",
        "power": "power",
        "interval": "95% interval",
        "none": "none",
    },
    "nl": {
        "title": "Robuustheid bij onzekerheid",
        "generated": "Gemaakt",
        "seed": "startgetal (seed)",
        "points_line": "{drawn} punten van de onzekerheidsruimte ({sampling}), per punt "
        "{reps} replicaties van elk van {n_scen} scenario's, met gemeenschappelijke "
        "toevalsgetallen.",
        "hm_on": "Toetsing aan de cijfers van 2020-2021: een punt telt alleen als de "
        "Entree-regio (op {scale} van haar omvang, {hm_reps} replicatie(s)) elk cijfer van "
        "2020-2021 binnen "
        "{tol} nabootst. {aside} van de {drawn} punten zijn daarmee in strijd en vallen af; "
        "{kept} blijven over.",
        "hm_off": "Toetsing aan de cijfers van 2020-2021 staat uit: elk punt telt, ook als de "
        "regio daar de cijfers van 2020-2021 niet meer zou nabootsen.",
        "failed_points": "{n} punt(en) mislukt of niet gedraaid (zie manifest.json); die "
        "tellen nergens mee.",
        "glance": "De conclusies in één oogopslag",
        "glance_note": "Aandeel van de behouden punten waar elke conclusie standhoudt, niet "
        "standhoudt, of bij {reps} replicaties per punt niet van toeval te onderscheiden is; "
        "het effect is behandeling min controle, de spreiding over de punten.",
        "conclusion": "conclusie",
        "holds": "houdt stand",
        "fails": "houdt geen stand",
        "unclear": "onbeslist",
        "span": "effect, of onderscheidingsvermogen voor het datavenster: mediaan (5%-95% "
        "van de punten)",
        "verdict_effect": "{text}: dit houdt stand in {holds} van de {n} behouden punten, "
        "houdt geen stand in {fails} en is niet van toeval te onderscheiden in {unclear}.",
        "verdict_detect": "{text}: dit houdt stand in {holds} van de {n} behouden punten (het "
        "onderscheidingsvermogen van een eenzijdige toets op 5% haalt {target}, zelfs aan "
        "de ongunstige kant van het betrouwbaarheidsinterval van het effect), houdt geen "
        "stand in {fails} en is onbeslist in {unclear}.",
        "range": "Het effect loopt over de punten van {min} tot {max} (mediaan {median}; "
        "negen op de tien punten tussen {p05} en {p95}).",
        "power_span": "Het onderscheidingsvermogen loopt van {min} tot {max} (mediaan {median}).",
        "matters": "Wat het meest uitmaakt: {items}.",
        "matter_item": "{name} (eerste-orde-index {s1}, 95%-interval {lo} tot {hi}; een "
        "hogere waarde {direction} het effect)",
        "raises": "vergroot",
        "lowers": "verkleint",
        "nothing_stands_out": "Bij dit aantal punten springt geen enkele aanname eruit: de "
        "grootste eerste-orde-index, {name} {s1}, heeft een interval van {lo} tot {hi}.",
        "too_few": "Te weinig punten om de aannames te rangschikken.",
        "no_points": "{text}: er is geen punt behouden, dus de verkenning kan hier niet over "
        "oordelen.",
        "region": "Waar het geen stand houdt: vooral waar {conditions} ({k} van de {m} "
        "punten daar; dat zijn {k} van de {total} punten waar het geen stand houdt).",
        "region_hint": "Met {n} punten is zo'n gebied een aanwijzing om met meer punten te "
        "toetsen, geen bevinding.",
        "everywhere": "Dit houdt stand in elk behouden punt: geen aanname binnen haar "
        "bandbreedte weerlegt het.",
        "nowhere": "Dit houdt in geen enkel behouden punt stand.",
        "above": "{name} boven {value} ligt",
        "at_most": "{name} hoogstens {value} is",
        "and": " en ",
        "points_unit": " procentpunt",
        "sensitivity": "Welke aannames ertoe doen",
        "uncertainty": "aanname",
        "s1": "eerste-orde-index (RBD-FAST)",
        "s1_interval": "95%-interval",
        "rho": "rangcorrelatie",
        "figure": "Effect per punt tegen de aanname die het meest uitmaakt",
        "uncertainties": "De onzekerheden en hun onderbouwing",
        "keys": "instellingen",
        "how": "hoe",
        "range_col": "bandbreedte",
        "reason": "onderbouwing",
        "history": "Toetsing aan de cijfers van de regio over 2020-2021 (history matching)",
        "target": "cijfer",
        "observed": "waargenomen",
        "median_sim": "gesimuleerd (mediaan van de punten)",
        "error_range": "relatieve afwijking (min tot max)",
        "within": "punten binnen de marge",
        "scenarios": "Slaagkans per groep en scenario over de behouden punten",
        "scenario": "scenario",
        "group": "groep",
        "median_range": "mediaan (5%-95% van de punten)",
        "per_point": "Elk punt",
        "point": "punt",
        "status": "status",
        "verdict": "oordeel",
        "effect": "effect",
        "power": "onderscheidingsvermogen",
        "interval": "95%-interval",
        "none": "geen",
    },
}

VERDICT_WORDS = {
    "en": {"holds": "holds", "fails": "fails", "unclear": "cannot tell"},
    "nl": {"holds": "houdt stand", "fails": "houdt geen stand", "unclear": "onbeslist"},
}
GROUP_WORDS = {
    "en": {
        "all": "all households",
        "urgent": "urgent",
        "status_holder": "status holders",
        "senior_65plus": "seniors (65+)",
        "starter_18_27": "starters aged 18-27",
        "starter_other": "starters aged 28+",
        "mover": "movers",
    },
    "nl": {
        "all": "alle huishoudens",
        "urgent": "urgenten",
        "status_holder": "statushouders",
        "senior_65plus": "senioren (65+)",
        "starter_18_27": "starters van 18-27 jaar",
        "starter_other": "starters van 28 jaar en ouder",
        "mover": "doorstromers",
    },
}
STATUS_WORDS = {
    "en": {"kept": "kept", "set aside": "set aside", "failed": "failed", "not run": "not run"},
    "nl": {
        "kept": "behouden",
        "set aside": "afgevallen",
        "failed": "mislukt",
        "not run": "niet gedraaid",
    },
}


# ------------------------------------------------------------------- numbers


def number(value: float, lang: str, digits: int = 2, sign: bool = False) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if sign:
        pattern = f"+{pattern};-{pattern}"
    return str(format_decimal(value, format=pattern, locale=LOCALES[lang]))


def percent(value: float, lang: str, digits: int = 0) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return str(format_percent(value, format=pattern, locale=LOCALES[lang]))


def is_share(metric_id: str) -> bool:
    """A share in [0, 1] (success_rate, share_65plus, never_responding_share): its
    effects read as percentage points."""
    name = metric_id.split("/")[3]
    return name.endswith(("_rate", "_share")) or name.startswith("share_")


def effect_text(value: float, c: Conclusion, lang: str) -> str:
    """An effect in readable units: a share's difference in percentage points, others in
    the conclusion's own unit."""
    if is_share(c.metric):
        return number(value * 100, lang, 1, sign=True) + TEXT[lang]["points_unit"]
    unit = c.units.get(lang)  # type: ignore[call-overload]
    shown = number(value, lang, 2 if abs(value) < 10 else 1, sign=True)
    return f"{shown} {unit}" if unit else shown


def unit_value(value: float, lang: str) -> str:
    """An uncertainty's value: three significant digits."""
    if not np.isfinite(value):
        return "–"
    digits = max(0, 2 - int(np.floor(np.log10(abs(value))))) if value else 0
    return number(value, lang, min(digits, 4))


# ----------------------------------------------------------------- sentences


def describe(
    c: Conclusion,
    row: pd.Series,
    sens: pd.DataFrame,
    box: Box | None,
    exploration: Exploration,
    lang: str,
) -> list[str]:
    """The plain-language paragraph of one conclusion."""
    t = TEXT[lang]
    n = int(row["points_kept"])
    frac = {k: percent(row[f"share_{k}"], lang) for k in ("holds", "fails", "unclear")}
    text = c.en if lang == "en" else c.nl
    if n == 0:
        return [t["no_points"].format(text=text)]
    out = []
    if c.kind == "detectable":
        out.append(
            t["verdict_detect"].format(text=text, n=n, target=percent(c.power, lang), **frac)
        )
        out.append(
            t["power_span"].format(
                **{k: percent(row[f"power_{k}"], lang) for k in ("min", "max", "median")}
            )
        )
    else:
        out.append(t["verdict_effect"].format(text=text, n=n, **frac))
    out.append(
        t["range"].format(
            **{
                k: effect_text(row[f"effect_{k}"], c, lang)
                for k in ("min", "max", "median", "p05", "p95")
            }
        )
    )
    ranked = sens.dropna(subset=["s1"])
    if ranked.empty:
        out.append(t["too_few"])
    else:
        strong = ranked[ranked["s1_low"] >= MATTERS_ABOVE].head(3)
        if strong.empty:
            top = ranked.iloc[0]
            out.append(
                t["nothing_stands_out"].format(
                    name=top["uncertainty"],
                    s1=number(top["s1"], lang),
                    lo=number(top["s1_low"], lang),
                    hi=number(top["s1_high"], lang),
                )
            )
        else:
            items = [
                t["matter_item"].format(
                    name=r["uncertainty"],
                    s1=number(r["s1"], lang),
                    lo=number(r["s1_low"], lang),
                    hi=number(r["s1_high"], lang),
                    direction=t["raises"] if r["rho"] * c.sign >= 0 else t["lowers"],
                )
                for _, r in strong.iterrows()
            ]
            out.append(t["matters"].format(items="; ".join(items)))
    if n:
        if box is None:
            out.append(t["everywhere"] if row["share_holds"] == 1.0 else t["nowhere"])
        else:
            conditions = t["and"].join(
                (t["above"] if cond.above else t["at_most"]).format(
                    name=cond.name,
                    value=unit_value(
                        float(
                            exploration.uncertainties[cond.index].value(np.array([cond.threshold]))[
                                0
                            ]
                        ),
                        lang,
                    ),
                )
                for cond in box.conditions
            )
            out.append(
                t["region"].format(
                    conditions=conditions,
                    k=box.n_not_holding,
                    m=box.n_points,
                    total=box.n_not_holding_total,
                )
            )
            if n < HINT_BELOW:
                out.append(t["region_hint"].format(n=n))
    return out


# ------------------------------------------------------------------- tables


def glance_table(tables: Tables, exploration: Exploration, lang: str) -> pd.DataFrame:
    t = TEXT[lang]
    rows = []
    for c, (_, row) in zip(
        exploration.spec.conclusions, tables.conclusions.iterrows(), strict=True
    ):
        if c.kind == "detectable":
            span = (
                f"{percent(row['power_median'], lang)} ({percent(row['power_p05'], lang)} – "
                f"{percent(row['power_p95'], lang)})"
            )
        else:
            span = (
                f"{effect_text(row['effect_median'], c, lang)} "
                f"({effect_text(row['effect_p05'], c, lang)} – "
                f"{effect_text(row['effect_p95'], c, lang)})"
            )
        rows.append(
            {
                t["conclusion"]: c.en if lang == "en" else c.nl,
                t["holds"]: percent(row["share_holds"], lang),
                t["fails"]: percent(row["share_fails"], lang),
                t["unclear"]: percent(row["share_unclear"], lang),
                t["span"]: span,
            }
        )
    return pd.DataFrame(rows)


def sensitivity_table(sens: pd.DataFrame, lang: str, top: int = 8) -> pd.DataFrame:
    t = TEXT[lang]
    s = sens.dropna(subset=["s1"]).head(top)
    return pd.DataFrame(
        {
            t["uncertainty"]: s["uncertainty"],
            t["s1"]: [number(v, lang) for v in s["s1"]],
            t["s1_interval"]: [
                f"{number(a, lang)} – {number(b, lang)}" if np.isfinite(a) else "–"
                for a, b in zip(s["s1_low"], s["s1_high"], strict=True)
            ],
            t["rho"]: [number(v, lang, sign=True) for v in s["rho"]],
        }
    )


def uncertainty_table(exploration: Exploration, lang: str) -> pd.DataFrame:
    t = TEXT[lang]
    rows = []
    for u in exploration.uncertainties:
        span = f"{unit_value(u.low, lang)} – {unit_value(u.high, lang)}"
        if u.peak is not None:
            span += f" ({unit_value(u.peak, lang)})"
        rows.append(
            {
                t["uncertainty"]: u.name,
                t["keys"]: ", ".join(u.keys),
                t["how"]: f"{u.mode}, {u.distribution}",
                t["range_col"]: span,
                t["reason"]: u.reason,
            }
        )
    return pd.DataFrame(rows)


def history_table(tables: Tables, lang: str) -> pd.DataFrame:
    t = TEXT[lang]
    h = tables.history
    if h.empty:
        return pd.DataFrame()
    rows = []
    for target, part in h.groupby("target", sort=False):
        err = part["relative_error"].to_numpy(dtype=float)
        rows.append(
            {
                t["target"]: target,
                t["observed"]: number(
                    float(part["observed"].iloc[0]), lang, 3 if part["observed"].iloc[0] < 1 else 0
                ),
                t["median_sim"]: number(
                    float(part["simulated"].median()),
                    lang,
                    3 if part["observed"].iloc[0] < 1 else 0,
                ),
                t[
                    "error_range"
                ]: f"{percent(np.nanmin(err), lang, 1)} – {percent(np.nanmax(err), lang, 1)}",
                t["within"]: percent(float(part["within"].mean()), lang),
            }
        )
    return pd.DataFrame(rows)


def scenario_name(exploration: Exploration, label: str, lang: str) -> str:
    """A scenario's name in the language, where the experiment gives one."""
    for ref in exploration.experiment.scenarios:
        if ref.label == label:
            return str(getattr(ref, "names", {}).get(lang, label))
    return label


def scenario_table(tables: Tables, exploration: Exploration, lang: str) -> pd.DataFrame:
    t = TEXT[lang]
    s = tables.scenarios
    if s.empty:
        return pd.DataFrame()
    return pd.DataFrame(
        {
            t["scenario"]: [scenario_name(exploration, x, lang) for x in s["scenario"]],
            t["group"]: [GROUP_WORDS[lang].get(g, g) for g in s["group"]],
            t["median_range"]: [
                f"{percent(m, lang, 1)} ({percent(a, lang, 1)} – {percent(b, lang, 1)})"
                for m, a, b in zip(s["median"], s["p05"], s["p95"], strict=True)
            ],
        }
    )


def point_table(tables: Tables, exploration: Exploration, lang: str) -> pd.DataFrame:
    """Each point's status and, per conclusion, its verdict (the workbook's long sheet)."""
    t = TEXT[lang]
    frame = tables.points.copy()
    frame["status"] = frame["status"].map(STATUS_WORDS[lang])
    for c in exploration.spec.conclusions:
        part = tables.by_point[tables.by_point["conclusion"] == c.name].set_index("point")
        frame[f"{c.name}: {t['effect']}"] = frame["point"].map(part["effect"])
        frame[f"{c.name}: {t['verdict']}"] = (
            frame["point"].map(part["verdict"]).map(VERDICT_WORDS[lang])
        )
    return frame.rename(columns={"point": t["point"], "status": t["status"]})


# ------------------------------------------------------------------- figures


def _figure(
    c: Conclusion,
    part: pd.DataFrame,
    unit: pd.DataFrame,
    sens: pd.DataFrame,
    exploration: Exploration,
    lang: str,
) -> bytes | None:
    ranked = sens.dropna(subset=["s1"])
    if ranked.empty or part.empty:
        return None
    name = str(ranked.iloc[0]["uncertainty"])
    u = next(x for x in exploration.uncertainties if x.name == name)
    x = u.value(unit.set_index("point").loc[part["point"], name].to_numpy())
    y = part["power" if c.kind == "detectable" else "effect"].to_numpy(dtype=float)
    scale = 100.0 if (c.kind != "detectable" and is_share(c.metric)) else 1.0
    fig, ax = plt.subplots(figsize=(6.0, 3.2))
    colours = {"holds": "#1b7837", "fails": "#b2182b", "unclear": "#999999"}
    for verdict, colour in colours.items():
        sel = part["verdict"].to_numpy() == verdict
        ax.scatter(x[sel], y[sel] * scale, s=18, color=colour, label=VERDICT_WORDS[lang][verdict])
    ax.axhline(0, color="#444", lw=0.6)
    ax.set_xlabel(name)
    unit = TEXT[lang]["points_unit"].strip() if scale == 100.0 else c.units.get(lang, "")  # type: ignore[call-overload]
    label = TEXT[lang]["effect"] + (f" ({unit})" if unit else "")
    ax.set_ylabel(label if c.kind != "detectable" else TEXT[lang]["power"])
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(c.en if lang == "en" else c.nl, fontsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


CSS = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
h1{border-bottom:2px solid #444} h2{margin-top:2em;border-bottom:1px solid #ccc}
table.t{border-collapse:collapse;font-size:0.85em;margin:0.5em 0}
table.t td,table.t th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
.note{color:#555;font-size:0.9em} img{max-width:100%}
"""


def _html_table(frame: pd.DataFrame) -> str:
    return frame.to_html(border=0, classes="t", index=False, na_rep="", escape=True)


def write_report(
    out: Path, exploration: Exploration, tables: Tables, n_reps: int, lang: str
) -> dict[str, Path]:
    """report.<lang>.html and report.<lang>.xlsx in `out`."""
    t = TEXT[lang]
    spec = exploration.spec
    counts = tables.points["status"].value_counts()
    drawn = len(tables.points)
    parts = [
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(t['title'])}: {html.escape(spec.name)}</title>"
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(t['title'])}: {html.escape(spec.name)}</h1>",
        f"<p>{html.escape(spec.description)}</p>",
    ]
    head = t["points_line"].format(
        drawn=drawn,
        sampling="Latin hypercube" if spec.sampling == "lhs" else "Sobol",
        reps=n_reps,
        n_scen=len(exploration.scenarios),
    )
    if exploration.region is not None:
        hm = spec.history_matching
        head += " " + t["hm_on"].format(
            scale=number(hm.scale, lang),
            hm_reps=hm.replications,
            tol=percent(hm.tolerance, lang),
            aside=int(counts.get("set aside", 0)),
            drawn=drawn,
            kept=int(counts.get("kept", 0)),
        )
    else:
        head += " " + t["hm_off"]
    lost = int(counts.get("failed", 0) + counts.get("not run", 0))
    if lost:
        head += " " + t["failed_points"].format(n=lost)
    parts.append(f"<p>{html.escape(head)}</p>")
    parts.append(
        f"<p class='note'>{t['generated']}: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · "
        f"{t['seed']} {exploration.seed}</p>"
    )
    glance = glance_table(tables, exploration, lang)
    parts += [
        f"<h2>{t['glance']}</h2>",
        f"<p class='note'>{html.escape(t['glance_note'].format(reps=n_reps))}</p>",
        _html_table(glance),
    ]
    sheets: dict[str, pd.DataFrame] = {t["glance"][:31]: glance}
    for c, (_, row) in zip(spec.conclusions, tables.conclusions.iterrows(), strict=True):
        sens = tables.sensitivity[tables.sensitivity["conclusion"] == c.name]
        parts.append(f"<h2>{html.escape(c.en if lang == 'en' else c.nl)}</h2>")
        for line in describe(c, row, sens, tables.boxes.get(c.name), exploration, lang):
            parts.append(f"<p>{html.escape(line)}</p>")
        table = sensitivity_table(sens, lang)
        if len(table):
            parts += [f"<h3>{t['sensitivity']}</h3>", _html_table(table)]
            sheets[f"{c.name}"[:31]] = sensitivity_table(sens, lang, top=len(sens))
        part = tables.by_point[tables.by_point["conclusion"] == c.name]
        png = _figure(c, part, tables.unit, sens, exploration, lang)
        if png is not None:
            data = base64.b64encode(png).decode()
            parts.append(
                f"<img alt='{html.escape(t['figure'])}' src='data:image/png;base64,{data}'>"
            )
    for title, frame in (
        (t["scenarios"], scenario_table(tables, exploration, lang)),
        (t["history"], history_table(tables, lang)),
        (t["uncertainties"], uncertainty_table(exploration, lang)),
    ):
        if len(frame):
            parts += [f"<h2>{html.escape(title)}</h2>", _html_table(frame)]
            sheets[title[:31]] = frame
    sheets[t["per_point"]] = point_table(tables, exploration, lang)
    # The same figures as numbers, for the reader's own tables.
    sheets["data conclusions"] = tables.conclusions
    sheets["data conclusion-points"] = tables.by_point
    sheets["data sensitivity"] = tables.sensitivity
    parts.append("</body></html>")
    paths = {"html": out / f"report.{lang}.html", "xlsx": out / f"report.{lang}.xlsx"}
    write_text(paths["html"], "\n".join(parts))
    replace_file(paths["xlsx"], lambda tmp: _workbook(tmp, sheets))
    return paths


def _workbook(path: Path, sheets: dict[str, Any]) -> None:
    """The workbook as `allocsim report` writes one: bold frozen headers, filters, widths,
    number formats and sheet names Excel accepts."""
    write_workbook(
        path, [Sheet(name, frame.reset_index(drop=True)) for name, frame in sheets.items()]
    )
