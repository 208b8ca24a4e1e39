"""The reports' words and numbers in English and Dutch: one catalogue, one formatter.

Every sentence, heading, column header and label a report shows comes from
`CATALOGUE`, where each entry holds both languages side by side, so a missing
translation shows in review and in `tests/test_report.py`. Numbers, percentages and
dates are formatted by babel for the language's locale (Dutch: decimal comma,
thousands point). Values that are the analyst's own (scenario labels, place names)
are shown as given, unless the experiment gives the scenario a name per language.

Dutch terms follow the agreement and Entree: slaagkans, meettijd, aanbodmodel,
loting, directe bemiddeling, statushouders, doorstromers, vrije toewijzingsruimte.
"""

from __future__ import annotations

import datetime as dt
import math

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LANGS = ("en", "nl")
LOCALES = {"en": "en_GB", "nl": "nl_NL"}

# Entries that are the same word in both languages, with the reason. The test that
# Dutch differs from English allows exactly these.
SAME_IN_BOTH = {
    "col.scenario": "'scenario' is the Dutch word too",
    "col.n": "'n' is the statistical symbol in both",
    "channel.all": "'all' reads as a code in the tables; see group.all for prose",
    "sheet.quotas": "'Quota' is the Dutch word too",
    "h_paid_item": "a pattern of two values, no words",
    "h_run_named": "a pattern of two values, no words",
    "label": "'label' is the Dutch word too",
    "term.meettijd": "Entree's own Dutch term, used in English too",
    "term.scenario": "'scenario' is the Dutch word too",
    "term.label": "'label' is the Dutch word too",
    "changes_label": "'variant' is the Dutch word too",
    "x.effect": "'effect' is the Dutch word too",
    "c.setting_item": "a pattern of three values, no words",
    "c.side_label": "a pattern of two values, no words",
    "x.status": "'status' is the Dutch word too",
}

CATALOGUE: dict[str, dict[str, str]] = {
    # Page structure.
    "title": {"en": "allocsim report", "nl": "allocsim-rapportage"},
    "headline": {"en": "In short", "nl": "In het kort"},
    "time_views": {"en": "Over time", "nl": "In de tijd"},
    "provenance": {"en": "How these figures were made", "nl": "Hoe deze cijfers zijn gemaakt"},
    "lang_other": {"en": "Nederlandse versie", "nl": "English version"},
    "generated": {"en": "Generated", "nl": "Gemaakt op"},
    "replications": {"en": "Replications per scenario", "nl": "Replicaties per scenario"},
    "seed": {
        "en": "Root seed",
        "nl": "Startwaarde (seed)",
    },
    "window": {"en": "Evaluation window", "nl": "Evaluatieperiode"},
    "version": {"en": "allocsim version", "nl": "allocsim-versie"},
    "command": {
        "en": "Command",
        "nl": "Aanroep",
    },
    "executor": {"en": "Executor", "nl": "Uitvoering"},
    "baseline": {"en": "Baseline", "nl": "Basis"},
    "configuration": {"en": "Configuration", "nl": "Configuratie"},
    "date_range": {"en": "{start} to {end}", "nl": "{start} tot en met {end}"},
    "interval_range": {"en": "{low} to {high}", "nl": "{low} tot {high}"},
    # Headline sentences.
    "h_effect": {
        "en": "{treatment} against {control}: {the} {metric} of {group} was {t_value} against "
        "{c_value}, a difference of {diff} (95% interval {interval}, {n} paired "
        "replications).",
        "nl": "{treatment} tegenover {control}: {the} {metric} van {group} was {t_value} "
        "tegenover {c_value}, een verschil van {diff} (95%-interval {interval}, {n} "
        "gepaarde replicaties).",
    },
    "h_effect_none": {
        "en": "The model sees no effect larger than chance at {n} replications.",
        "nl": "Het model ziet bij {n} replicaties geen effect dat groter is dan toeval.",
    },
    "h_lettings": {
        "en": "In absolute numbers: {t_lettings} lettings to {group} in the window against "
        "{c_lettings}: about {per_year} a year {more} (95% interval {interval}).",
        "nl": "In aantallen: {t_lettings} verhuringen aan {group} in de periode tegenover "
        "{c_lettings}: ongeveer {per_year} per jaar {more} (95%-interval {interval}).",
    },
    "h_lettings_none": {
        "en": "The number of lettings to {group} ({t_lettings} against {c_lettings} in the "
        "window) did not change by more than chance would.",
        "nl": "Het aantal verhuringen aan {group} ({t_lettings} tegenover {c_lettings} in de "
        "periode) veranderde niet meer dan toeval zou doen.",
    },
    "more": {"en": "more", "nl": "meer"},
    "fewer": {"en": "fewer", "nl": "minder"},
    "h_paid": {
        "en": "At the expense of: the success rate fell for {groups}.",
        "nl": "Ten koste van: de slaagkans daalde voor {groups}.",
    },
    "h_paid_item": {"en": "{group} ({diff})", "nl": "{group} ({diff})"},
    "h_paid_none": {
        "en": "No other group's success rate fell by more than chance would.",
        "nl": "Bij geen andere groep daalde de slaagkans meer dan toeval zou doen.",
    },
    "h_paid_none_any": {
        "en": "No group's success rate fell by more than chance would.",
        "nl": "Bij geen enkele groep daalde de slaagkans meer dan toeval zou doen.",
    },
    "h_window": {
        "en": "Would the real data of {window} show it? If the model is right, {sign} "
        "possible real outcomes would show a change in this direction, and {seen} a change "
        "too large to be chance (by the usual test at the 5% level).",
        "nl": "Zouden de echte gegevens van {window} het laten zien? Als het model klopt, "
        "laten {sign} mogelijke echte uitkomsten een verandering in deze richting zien, en "
        "{seen} een verandering die te groot is om toeval te zijn (volgens de "
        "gebruikelijke toets op 5%).",
    },
    "twenty_about": {"en": "about {k} in 20", "nl": "ongeveer {k} van de 20"},
    "twenty_all": {
        "en": "all 20 of 20",
        "nl": "alle 20 van de 20",
    },
    "twenty_none": {"en": "hardly any of 20", "nl": "vrijwel geen van de 20"},
    "h_window_verdict_no": {
        "en": "So the review may well not see the effect, even if it is there.",
        "nl": "De evaluatie ziet het effect dus mogelijk niet, ook als het er is.",
    },
    "h_window_verdict_yes": {
        "en": "So the review can expect to see the effect.",
        "nl": "De evaluatie kan het effect dus naar verwachting zien.",
    },
    "h_quota": {
        "en": "The data would show the effect clearly in at least 16 of 20 outcomes from a "
        "pilot of {quota} homes a year on.",
        "nl": "Vanaf een pilot van {quota} woningen per jaar laten de gegevens het effect in "
        "minstens 16 van de 20 uitkomsten duidelijk zien.",
    },
    "h_quota_smallest": {
        "en": "Even the smallest pilot simulated ({quota} homes a year) is large enough for the "
        "data to show its effect clearly (in at least 16 of 20 outcomes); smaller pilots were "
        "not simulated.",
        "nl": "Zelfs de kleinste gesimuleerde pilot ({quota} woningen per jaar) is groot genoeg "
        "om het effect duidelijk te laten zien (in minstens 16 van de 20 uitkomsten); kleinere "
        "pilots zijn niet gesimuleerd.",
    },
    "h_quota_none": {
        "en": "None of the pilots simulated (up to {quota} homes a year) would show its "
        "effect clearly in 16 of 20 outcomes.",
        "nl": "Geen van de gesimuleerde pilots (tot {quota} woningen per jaar) laat het "
        "effect in 16 van de 20 uitkomsten duidelijk zien.",
    },
    "h_scenario_changes": {
        "en": "{scenario} against {baseline}: {changes}.",
        "nl": "{scenario} tegenover {baseline}: {changes}.",
    },
    "h_change_item": {
        "en": "success rate of {group} {diff} (95% interval {interval})",
        "nl": "slaagkans van {group} {diff} (95%-interval {interval})",
    },
    "h_no_changes": {
        "en": "no group's success rate changed by more than chance would",
        "nl": "bij geen groep veranderde de slaagkans meer dan toeval zou doen",
    },
    "h_run": {
        "en": "Over {window}, {lettings} homes were let: {offer} through the offer model, "
        "{lottery} by lottery and {direct} by direct allocation. Of the active house "
        "seekers, {rate} "
        "found a home.",
        "nl": "In de periode {window} werden {lettings} woningen verhuurd: {offer} via het "
        "aanbodmodel, {lottery} via loting en {direct} via directe bemiddeling. Van de actief "
        "woningzoekenden vond {rate} een woning.",
    },
    "h_village": {
        "en": "Of the villages' senior-suitable homes, {t65} went to people aged 65 or over "
        "against {c65} ({d65}, 95% interval {i65}), and {t_same} to people from the same "
        "village against {c_same} ({d_same}, 95% interval {i_same}).",
        "nl": "Van de seniorgeschikte woningen in de kernen ging {t65} naar 65-plussers "
        "tegenover {c65} ({d65}, 95%-interval {i65}), en {t_same} naar mensen uit dezelfde "
        "kern tegenover {c_same} ({d_same}, 95%-interval {i_same}).",
    },
    "h_run_named": {"en": "{scenario}: {text}", "nl": "{scenario}: {text}"},
    "h_figure": {
        "en": "Success rate by group and scenario (95% intervals)",
        "nl": "Slaagkans per groep en scenario (95%-intervallen)",
    },
    "and": {"en": "and", "nl": "en"},
    # The comparison's report (allocsim.reports.compare_report).
    "c.title": {"en": "{b} against {a}", "nl": "{b} tegenover {a}"},
    "c.question": {
        "en": "What changes from {a} (A) to {b} (B), and by more than chance?",
        "nl": "Wat verandert er van {a} (A) naar {b} (B), en meer dan toeval?",
    },
    "c.paired": {
        "en": "Paired: both runs used the same chance events (root seed, window, burn-in and "
        "replications), so a difference comes from the changed settings, not from chance.",
        "nl": "Gepaard: beide doorrekeningen gebruikten dezelfde toevalsgebeurtenissen "
        "(startwaarde, periode, inloop en replicaties), dus een verschil komt door de gewijzigde "
        "instellingen, niet door toeval.",
    },
    "c.unpaired": {
        "en": "Not paired: the runs used different chance events (root seed, burn-in or "
        "replications differ), so the intervals are wider (Welch).",
        "nl": "Niet gepaard: de doorrekeningen gebruikten andere toevalsgebeurtenissen "
        "(startwaarde, inloop of replicaties verschillen), dus de intervallen zijn breder "
        "(Welch).",
    },
    "c.paired_short": {
        "en": "A paired comparison of two finished runs",
        "nl": "Een gepaarde vergelijking van twee afgeronde doorrekeningen",
    },
    "c.unpaired_short": {
        "en": "An unpaired comparison of two finished runs",
        "nl": "Een ongepaarde vergelijking van twee afgeronde doorrekeningen",
    },
    "c.same_settings": {
        "en": "B has the same settings as A.",
        "nl": "B heeft dezelfde instellingen als A.",
    },
    "c.settings": {
        "en": "B differs from A in {n} settings: {items}.",
        "nl": "B verschilt van A in {n} instellingen: {items}.",
    },
    "c.settings_one": {
        "en": "B differs from A in one setting: {items}.",
        "nl": "B verschilt van A in één instelling: {items}.",
    },
    "c.setting_item": {"en": "{setting} {a} → {b}", "nl": "{setting} {a} → {b}"},
    "c.settings_more": {
        "en": "And {n} more (under 'Settings that differ').",
        "nl": "En nog {n} (onder 'Instellingen die verschillen').",
    },
    "c.lettings": {
        "en": "Lettings in the window: {a} in A, {b} in B, a difference of {diff} (95% "
        "interval {interval}).",
        "nl": "Verhuringen in de periode: {a} in A, {b} in B, een verschil van {diff} "
        "(95%-interval {interval}).",
    },
    "c.changed": {
        "en": "Changed by more than chance: {items}.",
        "nl": "Meer veranderd dan toeval: {items}.",
    },
    "c.unchanged": {
        "en": "No group's success rate changed by more than chance.",
        "nl": "Bij geen groep veranderde de slaagkans meer dan toeval.",
    },
    "c.forest": {
        "en": "B minus A: success rate per group, with 95% intervals",
        "nl": "B min A: slaagkans per groep, met 95%-intervallen",
    },
    "c.settings_title": {"en": "Settings that differ", "nl": "Instellingen die verschillen"},
    "c.settings_note": {
        "en": "Every resolved setting whose value differs between the two runs (names and "
        "descriptions aside).",
        "nl": "Elke instelling waarvan de waarde tussen de twee runs verschilt (namen en "
        "beschrijvingen buiten beschouwing).",
    },
    "c.sheet_settings": {"en": "Settings", "nl": "Instellingen"},
    "c.col_setting": {"en": "setting", "nl": "instelling"},
    "c.differences": {"en": "Differences, B minus A", "nl": "Verschillen, B min A"},
    "c.differences_note": {
        "en": "Per group and measure over the whole window, with 95% intervals; * the interval "
        "excludes zero. The workbook also holds the breakdown by channel, municipality, village, "
        "period and quota.",
        "nl": "Per groep en maatstaf over de hele periode, met 95%-intervallen; * het interval "
        "bevat nul niet. Het werkboek bevat ook de uitsplitsing per kanaal, gemeente, kern, "
        "periode en quotum.",
    },
    "c.col_dimension": {"en": "dimension", "nl": "dimensie"},
    "c.col_mean_a": {"en": "mean A", "nl": "gemiddelde A"},
    "c.col_mean_b": {"en": "mean B", "nl": "gemiddelde B"},
    "c.col_paired": {"en": "paired", "nl": "gepaard"},
    "c.window": {"en": "Window", "nl": "Periode"},
    "c.side_label": {"en": "{side}: {label}", "nl": "{side}: {label}"},
    "c.about": {
        "en": "Two finished runs of the model, compared: each figure is a mean over "
        "replications; B minus A with its 95% interval.",
        "nl": "Twee afgeronde doorrekeningen van het model, vergeleken: elk cijfer is een "
        "gemiddelde over replicaties; B min A met het 95%-interval.",
    },
    # The exploration's report (allocsim.explore.report).
    "x.mode.set": {"en": "set", "nl": "vaste waarde"},
    "x.mode.scale": {"en": "scaled", "nl": "geschaald"},
    "x.mode.tilt": {"en": "tilted", "nl": "gekanteld"},
    "x.mode.share": {"en": "share", "nl": "aandeel"},
    "x.dist.uniform": {"en": "uniform", "nl": "gelijkverdeeld"},
    "x.dist.loguniform": {"en": "log-uniform", "nl": "log-gelijkverdeeld"},
    "x.dist.triangular": {"en": "triangular", "nl": "driehoeksverdeling"},
    "x.no_points": {
        "en": "{text}: no point was kept, so the exploration cannot judge it.",
        "nl": "{text}: er is geen punt behouden, dus de verkenning kan hier niet over oordelen.",
    },
    "x.verdict_detect": {
        "en": "{text}: it holds at {holds} of the {n} points kept (the review's data would show "
        "it clearly in at least {target} of possible outcomes, even at the unfavourable end of "
        "the effect's interval), fails at {fails} and cannot be told at {unclear}.",
        "nl": "{text}: dit houdt stand in {holds} van de {n} behouden punten (de gegevens van "
        "de evaluatie laten het in minstens {target} van de mogelijke uitkomsten duidelijk zien, "
        "ook aan de ongunstige kant van het interval van het effect), houdt geen stand in "
        "{fails} en is onbeslist in {unclear}.",
    },
    "x.power_span": {
        "en": "The power ranges from {min} to {max} (median {median}).",
        "nl": "Het onderscheidingsvermogen loopt van {min} tot {max} (mediaan {median}).",
    },
    "x.verdict_effect": {
        "en": "{text}: it holds at {holds} of the {n} points kept, fails at {fails} and cannot "
        "be told apart from noise at {unclear}.",
        "nl": "{text}: dit houdt stand in {holds} van de {n} behouden punten, houdt geen stand "
        "in {fails} en is niet van toeval te onderscheiden in {unclear}.",
    },
    "x.range": {
        "en": "The effect ranges from {min} to {max} over the points (median {median}; nine in "
        "ten points between {p05} and {p95}).",
        "nl": "Het effect loopt over de punten van {min} tot {max} (mediaan {median}; negen op "
        "de tien punten tussen {p05} en {p95}).",
    },
    "x.too_few": {
        "en": "Too few points to rank the assumptions.",
        "nl": "Te weinig punten om de aannames te rangschikken.",
    },
    "x.nothing_stands_out": {
        "en": "No single assumption stands out at this number of points: the largest "
        "first-order index, {name} {s1}, has an interval from {lo} to {hi}.",
        "nl": "Bij dit aantal punten springt geen enkele aanname eruit: de grootste "
        "eerste-orde-index, {name} {s1}, heeft een interval van {lo} tot {hi}.",
    },
    "x.matter_item": {
        "en": "{name} (first-order index {s1}, 95% interval {lo} to {hi}; a higher value "
        "{direction} the effect)",
        "nl": "{name} (eerste-orde-index {s1}, 95%-interval {lo} tot {hi}; een hogere waarde "
        "{direction} het effect)",
    },
    "x.raises": {
        "en": "raises",
        "nl": "vergroot",
    },
    "x.lowers": {
        "en": "lowers",
        "nl": "verkleint",
    },
    "x.matters": {
        "en": "What matters most: {items}.",
        "nl": "Wat het meest uitmaakt: {items}.",
    },
    "x.everywhere": {
        "en": "It holds at every point kept: no assumption within its range overturns it.",
        "nl": "Dit houdt stand in elk behouden punt: geen aanname binnen haar bandbreedte "
        "weerlegt het.",
    },
    "x.nowhere": {
        "en": "It holds at no point kept.",
        "nl": "Dit houdt in geen enkel behouden punt stand.",
    },
    "x.and": {
        "en": " and ",
        "nl": " en ",
    },
    "x.above": {
        "en": "{name} is above {value}",
        "nl": "{name} boven {value} ligt",
    },
    "x.at_most": {
        "en": "{name} is at most {value}",
        "nl": "{name} hoogstens {value} is",
    },
    "x.region": {
        "en": "Where it does not hold: mainly where {conditions} ({k} of the {m} points there; "
        "they are {k} of the {total} points where it does not hold).",
        "nl": "Waar het geen stand houdt: vooral waar {conditions} ({k} van de {m} punten daar; "
        "dat zijn {k} van de {total} punten waar het geen stand houdt).",
    },
    "x.region_hint": {
        "en": "With {n} points such a region is a hint to test with more points, not a finding.",
        "nl": "Met {n} punten is zo'n gebied een aanwijzing om met meer punten te toetsen, geen "
        "bevinding.",
    },
    "x.conclusion": {
        "en": "conclusion",
        "nl": "conclusie",
    },
    "x.holds": {
        "en": "holds",
        "nl": "houdt stand",
    },
    "x.fails": {
        "en": "fails",
        "nl": "houdt geen stand",
    },
    "x.unclear": {
        "en": "cannot tell",
        "nl": "onbeslist",
    },
    "x.span": {
        "en": "effect, or share of outcomes showing it, over the points: median (5% to 95% of "
        "points)",
        "nl": "effect, of aandeel uitkomsten dat het laat zien, over de punten: mediaan (5% tot "
        "95% van de punten)",
    },
    "x.effect": {
        "en": "effect",
        "nl": "effect",
    },
    "x.power": {
        "en": "share of outcomes showing it clearly",
        "nl": "aandeel uitkomsten dat het duidelijk laat zien",
    },
    "x.glance": {
        "en": "Conclusions at a glance",
        "nl": "De conclusies in één oogopslag",
    },
    "x.uncertainty": {
        "en": "assumption",
        "nl": "aanname",
    },
    "x.s1": {
        "en": "first-order index (RBD-FAST)",
        "nl": "eerste-orde-index (RBD-FAST)",
    },
    "x.s1_interval": {
        "en": "95% interval",
        "nl": "95%-interval",
    },
    "x.rho": {
        "en": "rank correlation",
        "nl": "rangcorrelatie",
    },
    "x.sensitivity": {
        "en": "Which assumptions matter",
        "nl": "Welke aannames ertoe doen",
    },
    "x.keys": {
        "en": "settings",
        "nl": "instellingen",
    },
    "x.how": {
        "en": "how",
        "nl": "hoe",
    },
    "x.range_col": {
        "en": "range",
        "nl": "bandbreedte",
    },
    "x.reason": {
        "en": "reason",
        "nl": "onderbouwing",
    },
    "x.uncertainties": {
        "en": "The uncertainties and their reasons",
        "nl": "De onzekerheden en hun onderbouwing",
    },
    "x.target": {
        "en": "figure",
        "nl": "cijfer",
    },
    "x.observed": {
        "en": "observed",
        "nl": "waargenomen",
    },
    "x.median_sim": {
        "en": "simulated (median of points)",
        "nl": "gesimuleerd (mediaan van de punten)",
    },
    "x.error_range": {
        "en": "relative error (min to max)",
        "nl": "relatieve afwijking (min tot max)",
    },
    "x.within": {
        "en": "points within",
        "nl": "punten binnen de marge",
    },
    "x.history": {
        "en": "History matching: the region's 2020-2021 figures",
        "nl": "Toetsing aan de cijfers van de regio over 2020-2021 (history matching)",
    },
    "x.scenarios": {
        "en": "Success rate per group and scenario across the kept points",
        "nl": "Slaagkans per groep en scenario over de behouden punten",
    },
    "x.verdict": {
        "en": "verdict",
        "nl": "oordeel",
    },
    "x.per_point": {
        "en": "Each point",
        "nl": "Elk punt",
    },
    "x.point": {
        "en": "point",
        "nl": "punt",
    },
    "x.status": {
        "en": "status",
        "nl": "status",
    },
    "x.points_line": {
        "en": "{drawn} points of the uncertainty space ({sampling}), {reps} replications of "
        "each of {n_scen} scenarios per point, common random numbers.",
        "nl": "{drawn} punten van de onzekerheidsruimte ({sampling}), per punt {reps} "
        "replicaties van elk van {n_scen} scenario's, met gemeenschappelijke toevalsgetallen.",
    },
    "x.hm_off": {
        "en": "History matching is off: every point counts, whether or not the region world "
        "would still reproduce the 2020-2021 figures there.",
        "nl": "Toetsing aan de cijfers van 2020-2021 staat uit: elk punt telt, ook als de regio "
        "daar de cijfers van 2020-2021 niet meer zou nabootsen.",
    },
    "x.glance_note": {
        "en": "Share of the kept points where each conclusion holds, fails, or cannot be told "
        "apart from noise at {reps} replications per point; the effect is treatment minus "
        "control, its range over the points.",
        "nl": "Aandeel van de behouden punten waar elke conclusie standhoudt, niet standhoudt, "
        "of bij {reps} replicaties per punt niet van toeval te onderscheiden is; het effect is "
        "behandeling min controle, de spreiding over de punten.",
    },
    "x.title": {
        "en": "Robustness under uncertainty",
        "nl": "Robuustheid bij onzekerheid",
    },
    "x.verdict_line": {
        "en": "{text}: holds at {holds} of the {n} points kept; {span}.",
        "nl": "{text}: houdt stand in {holds} van de {n} behouden punten; {span}.",
    },
    "x.effect_span_short": {
        "en": "effect {median} (nine in ten points between {p05} and {p95})",
        "nl": "effect {median} (negen op de tien punten tussen {p05} en {p95})",
    },
    "x.power_span_short": {
        "en": "the data show it clearly in {median} of outcomes (nine in ten points between "
        "{p05} and {p95})",
        "nl": "de gegevens laten het in {median} van de uitkomsten duidelijk zien (negen op de "
        "tien punten tussen {p05} en {p95})",
    },
    "x.median_range": {
        "en": "{median} ({low} to {high})",
        "nl": "{median} ({low} tot {high})",
    },
    "x.median_range_col": {
        "en": "median (5% to 95% of points)",
        "nl": "mediaan (5% tot 95% van de punten)",
    },
    "x.points_kept": {
        "en": "points kept",
        "nl": "behouden punten",
    },
    "x.measure": {
        "en": "measure",
        "nl": "maatstaf",
    },
    "x.unit": {
        "en": "unit",
        "nl": "eenheid",
    },
    "x.q_p05": {
        "en": "5% of points",
        "nl": "5% van de punten",
    },
    "x.q_median": {
        "en": "median",
        "nl": "mediaan",
    },
    "x.q_p95": {
        "en": "95% of points",
        "nl": "95% van de punten",
    },
    "x.low": {
        "en": "low",
        "nl": "ondergrens",
    },
    "x.high": {
        "en": "high",
        "nl": "bovengrens",
    },
    "x.peak": {
        "en": "most likely",
        "nl": "meest waarschijnlijk",
    },
    "x.error_min": {
        "en": "smallest relative error",
        "nl": "kleinste relatieve afwijking",
    },
    "x.error_max": {
        "en": "largest relative error",
        "nl": "grootste relatieve afwijking",
    },
    "x.status.kept": {
        "en": "kept",
        "nl": "behouden",
    },
    "x.status.set_aside": {
        "en": "set aside",
        "nl": "afgevallen",
    },
    "x.status.failed": {
        "en": "failed",
        "nl": "mislukt",
    },
    "x.status.not_run": {
        "en": "not run",
        "nl": "niet gedraaid",
    },
    "x.axis_effect": {
        "en": "effect (the conclusion's unit)",
        "nl": "effect (eenheid van de conclusie)",
    },
    "x.forest": {
        "en": "Each conclusion's effect over the points kept: median, and the range of nine in "
        "ten points",
        "nl": "Het effect van elke conclusie over de behouden punten: mediaan, en het bereik "
        "van negen op de tien punten",
    },
    "x.forest_note": {
        "en": "The bar is the spread over the assumptions' ranges, not a confidence interval.",
        "nl": "De balk is de spreiding over de bandbreedtes van de aannames, geen "
        "betrouwbaarheidsinterval.",
    },
    "x.figure": {
        "en": "Effect at each point against the assumption that matters most ({name})",
        "nl": "Effect per punt tegen de aanname die het meest uitmaakt ({name})",
    },
    "x.hm_on": {
        "en": "History matching: a point counts only if the Entree region world (at {scale} of "
        "its size, {hm_reps}) reproduces every 2020-2021 figure within {tol}. {aside} of the "
        "{drawn} points contradict those figures and are set aside; {kept} are kept.",
        "nl": "Toetsing aan de cijfers van 2020-2021: een punt telt alleen als de Entree-regio "
        "(op {scale} van haar omvang, {hm_reps}) elk cijfer van 2020-2021 binnen {tol} nabootst. "
        "{aside} van de {drawn} punten zijn daarmee in strijd en vallen af; {kept} blijven over.",
    },
    "x.rep_one": {
        "en": "one replication",
        "nl": "één replicatie",
    },
    "x.rep_many": {
        "en": "{n} replications",
        "nl": "{n} replicaties",
    },
    "x.failed_points": {
        "en": "Points that failed or were not run count nowhere: {n} (see manifest.json).",
        "nl": "Punten die mislukten of niet gedraaid zijn, tellen nergens mee: {n} (zie "
        "manifest.json).",
    },
    "x.points": {
        "en": "Points drawn",
        "nl": "Getrokken punten",
    },
    "x.spec": {
        "en": "Exploration spec",
        "nl": "Verkenningsbestand",
    },
    "x.question": {
        "en": "Which conclusions of the review still hold when the model's uncertain "
        "assumptions take other values within their ranges?",
        "nl": "Welke conclusies van de evaluatie houden stand als de onzekere aannames van het "
        "model andere waarden binnen hun bandbreedte aannemen?",
    },
    "x.about": {
        "en": "Model output over many points of the uncertainty space: each point is the model "
        "with other values of its uncertain assumptions, run with the same chance events in "
        "every scenario.",
        "nl": "Uitkomsten van het model over veel punten van de onzekerheidsruimte: elk punt is "
        "het model met andere waarden van zijn onzekere aannames, gedraaid met dezelfde "
        "toevalsgebeurtenissen in elk scenario.",
    },
    "x.term_point": {
        "en": "point",
        "nl": "punt",
    },
    "x.meaning_point": {
        "en": "One set of values of the uncertain assumptions, each within its range.",
        "nl": "Eén stel waarden van de onzekere aannames, elk binnen haar bandbreedte.",
    },
    "x.term_s1": {
        "en": "first-order index",
        "nl": "eerste-orde-index",
    },
    "x.meaning_s1": {
        "en": "The share of the effect's spread over the points that one assumption explains on "
        "its own (0 to 1).",
        "nl": "Het deel van de spreiding van het effect over de punten dat één aanname op "
        "zichzelf verklaart (0 tot 1).",
    },
    # Questions the reviews ask (the first screen's first line).
    "q.starter_pilot": {
        "en": "Did the starter pilot give young starters (18-27) a better chance of a home, "
        "who paid for it, and would the data of {window} show it?",
        "nl": "Gaf de starterspilot jonge starters (18-27 jaar) meer kans op een woning, wie "
        "betaalde daarvoor, en zouden de gegevens van {window} dat laten zien?",
    },
    "q.village_rule": {
        "en": "Who got the senior-suitable homes in Loo and Groessen under the village rule "
        "(how old, from which village, how many lettings), and what did the rule leave "
        "for lottery in the core towns, over {window}?",
        "nl": "Wie kregen met de kernenafspraak de seniorgeschikte woningen in Loo en "
        "Groessen (hoe oud, uit welke kern, hoeveel verhuringen), en wat liet de afspraak "
        "over voor loting in de hoofdkernen, over {window}?",
    },
    "h_village_lettings": {
        "en": "These homes had {t_lettings} lettings through adverts over {window} (against "
        "{c_lettings} without the rule), averaged over the replications: the answer rests "
        "on so few lettings that one household more or less moves it.",
        "nl": "Deze woningen hadden over {window} {t_lettings} verhuringen via advertenties "
        "(tegenover {c_lettings} zonder de afspraak), gemiddeld over de replicaties: het "
        "antwoord rust op zo weinig verhuringen dat één huishouden meer of minder het "
        "verschuift.",
    },
    "h_core": {
        "en": "Lottery lettings in the core town {place}: {t_value} against {c_value} over "
        "the window, a difference of {diff} (95% interval {interval}).",
        "nl": "Verhuringen via loting in de hoofdkern {place}: {t_value} tegenover {c_value} "
        "in de periode, een verschil van {diff} (95%-interval {interval}).",
    },
    "core_lottery": {
        "en": "lottery lettings, core town {place}",
        "nl": "verhuringen via loting, hoofdkern {place}",
    },
    "level.core": {"en": "core town {place}", "nl": "hoofdkern {place}"},
    # Figures and their axes.
    "fig_effect_review": {
        "en": "The effect: {treatment} minus {control}, with 95% intervals",
        "nl": "Het effect: {treatment} min {control}, met 95%-intervallen",
    },
    "fig_effect": {
        "en": "The effect of each scenario against {baseline}: success rate per group, with "
        "95% intervals",
        "nl": "Het effect van elk scenario tegenover {baseline}: slaagkans per groep, met "
        "95%-intervallen",
    },
    "fig_effect_note": {
        "en": "A point right of the line is a rise; where an interval crosses the line, the "
        "difference may be chance.",
        "nl": "Een punt rechts van de lijn is een stijging; snijdt het interval de lijn, dan "
        "kan het verschil toeval zijn.",
    },
    "alt_effect": {
        "en": "Forest plot of {n} differences with their 95% intervals",
        "nl": "Verschillen met hun 95%-intervallen ({n} rijen)",
    },
    "fig_context": {
        "en": "The {metric} of {group} per scenario (95% intervals)",
        "nl": "De {metric} van {group} per scenario (95%-intervallen)",
    },
    "axis_diff_points": {
        "en": "difference (percentage points)",
        "nl": "verschil (procentpunt)",
    },
    "axis_diff_years": {"en": "difference (years)", "nl": "verschil (jaar)"},
    "axis_diff_number": {"en": "difference (lettings)", "nl": "verschil (verhuringen)"},
    "axis_per_tertial": {"en": "{what} per tertial", "nl": "{what} per tertiaal"},
    "axis_per_month": {"en": "{what} per month", "nl": "{what} per maand"},
    "axis_households": {"en": "households", "nl": "huishoudens"},
    "axis_success_tertial": {
        "en": "success rate in the tertial",
        "nl": "slaagkans in het tertiaal",
    },
    "axis_responses": {"en": "responses per advert", "nl": "reacties per advertentie"},
    "period_note": {
        "en": "A success rate depends on the period's length: the longer the period, the more "
        "of its active seekers find a home (over a tertial fewer than over a year). Compare "
        "rates over periods of the same length only.",
        "nl": "Een slaagkans hangt af van de lengte van de periode: hoe langer de periode, hoe "
        "meer actief woningzoekenden een woning vinden (over een tertiaal minder dan over een "
        "jaar). Vergelijk slaagkansen alleen over even lange periodes.",
    },
    "part_year_note": {
        "en": "A year only partly inside the window counts only its months inside it.",
        "nl": "Een jaar dat maar deels in de periode valt, telt alleen de maanden daarbinnen.",
    },
    # What the figures are and are not.
    "about_title": {
        "en": "What these figures are, and are not",
        "nl": "Wat deze cijfers wel en niet zijn",
    },
    "about_model": {
        "en": "Model output: per scenario the mean of {replications} simulated replications of "
        "the allocation rules, with 95% intervals over the replications. They say what the rules "
        "do in the model, not what happened.",
        "nl": "Uitkomsten van een model: per scenario het gemiddelde van {replications} "
        "gesimuleerde replicaties van de toewijzingsregels, met 95%-intervallen over de "
        "replicaties. Ze laten zien wat de regels in het model doen, niet wat er gebeurd is.",
    },
    "about_synthetic": {
        "en": "The housing stock is synthetic: built from published totals for Duiven and "
        "Westervoort, not from Vivare's own files.",
        "nl": "De woningvoorraad is synthetisch: opgebouwd uit gepubliceerde totalen voor "
        "Duiven en Westervoort, niet uit de eigen bestanden van Vivare.",
    },
    "about_own_stock": {
        "en": "The housing stock is the analyst's own file (stock.csv_path in the settings).",
        "nl": "De woningvoorraad komt uit het eigen bestand van de analist (stock.csv_path in "
        "de instellingen).",
    },
    "about_calibration": {
        "en": "How households search and respond was calibrated on the Entree region's "
        "published figures for 2020 and 2021 and checked against a later year.",
        "nl": "Hoe huishoudens zoeken en reageren is gekalibreerd op de gepubliceerde cijfers "
        "van de regio Entree over 2020 en 2021 en getoetst aan een later jaar.",
    },
    "about_not": {
        "en": "This is not a forecast for individual households and not the review itself: the "
        "review compares these expectations with what Vivare registered.",
        "nl": "Dit is geen voorspelling voor afzonderlijke huishoudens en ook niet de evaluatie "
        "zelf; bij de evaluatie worden deze verwachtingen vergeleken met de registratie van "
        "Vivare.",
    },
    # Labels and settings of the run.
    "label": {"en": "Label", "nl": "Label"},
    "setting": {"en": "Setting changed", "nl": "Gewijzigde instelling"},
    "changes_label": {
        "en": "variant: {label}",
        "nl": "variant: {label}",
    },
    "changes_set": {"en": "changed: {setting} = {value}", "nl": "gewijzigd: {setting} = {value}"},
    # Quota notes.
    "quota_part_year": {
        "en": "{years}: only part of the year is inside the window ({window}); its limit is "
        "the agreement's whole-year number, its use only the months inside the window.",
        "nl": "{years}: maar een deel van het jaar valt in de periode ({window}); de limiet is "
        "het afgesproken aantal voor het hele jaar, het gebruik alleen dat van de maanden "
        "binnen de periode.",
    },
    "quota_history": {
        "en": "Years before the scenario's rules start ({date}) show the limits of the rules "
        "then in force.",
        "nl": "Jaren voordat de regels van het scenario ingaan ({date}) tonen de limieten van "
        "de regels die toen golden.",
    },
    "quota_requested_sh": {
        "en": "Status holders' cap: 'requested' counts every vacancy that a waiting status "
        "holder fitted while the cap was full, so one household can be counted many times; "
        "it is larger than the limit by design.",
        "nl": "Plafond statushouders: 'gevraagd' telt elke vrijgekomen woning waarvoor een "
        "wachtende statushouder in aanmerking kwam terwijl het plafond vol was; één "
        "huishouden kan dus vaak meetellen, en het getal is daarom groter dan de limiet.",
    },
    "quota_requested": {
        "en": "Starter labels and lottery: 'requested' is what the rules asked for; what was "
        "asked for beyond the limit went to the offer model.",
        "nl": "Starterslabels en loting: 'gevraagd' is wat de regels vroegen; wat boven de "
        "limiet gevraagd werd, ging naar het aanbodmodel.",
    },
    "quota_lettings": {
        "en": "'Lettings' here are the year's allocation decisions; elsewhere in the report "
        "a letting counts when its tenancy starts in the window, so the totals can differ "
        "by the homes decided in one year and moved into in the next.",
        "nl": "'Verhuringen' zijn hier de toewijzingsbesluiten van het jaar; elders in de "
        "rapportage telt een verhuring als de huur in de periode ingaat, dus de totalen "
        "kunnen verschillen met de woningen die in het ene jaar zijn toegewezen en in het "
        "volgende betrokken.",
    },
    "review_quota_note": {
        "en": "Out of 20 possible real outcomes of the data window: how many show the change "
        "in the expected direction, and how many show it clearly (by a one-sided test at "
        "the 5% level against no pilot).",
        "nl": "Van de 20 mogelijke echte uitkomsten van de evaluatieperiode: hoeveel de "
        "verandering in de verwachte richting laten zien, en hoeveel duidelijk (volgens een "
        "eenzijdige toets op 5% tegenover geen pilot).",
    },
    "in_twenty": {"en": "{k} in 20", "nl": "{k} van de 20"},
    "col.level": {"en": "part", "nl": "onderdeel"},
    "col.replication": {"en": "replication", "nl": "replicatie"},
    "sheet.replications": {"en": "Per replication", "nl": "Per replicatie"},
    "sheet.review_figures": {"en": "Review figures", "nl": "Evaluatiecijfers"},
    # Glossary.
    "glossary": {"en": "Words used here", "nl": "Begrippen"},
    "term.success_rate": {"en": "success rate", "nl": "slaagkans"},
    "meaning.success_rate": {
        "en": "The share of a group's active house seekers who found a home in the period.",
        "nl": "Het aandeel van de actief woningzoekenden in een groep dat in de periode een "
        "woning vond.",
    },
    "term.active": {"en": "active house seeker", "nl": "actief woningzoekende"},
    "meaning.active": {
        "en": "A registered household that responded to at least one advert in the period.",
        "nl": "Een ingeschreven huishouden dat in de periode op minstens één advertentie "
        "reageerde.",
    },
    "term.meettijd": {"en": "meettijd", "nl": "meettijd"},
    "meaning.meettijd": {
        "en": "The time counted for the offer model's ranking: since registration, or the "
        "years in the current home (Entree's rule).",
        "nl": "De tijd die telt voor de volgorde in het aanbodmodel: sinds inschrijving, of "
        "de woonduur in de huidige woning (regel van Entree).",
    },
    "term.offer": {"en": "offer model", "nl": "aanbodmodel"},
    "meaning.offer": {
        "en": "Homes advertised and let to the candidate first in line (priority, then meettijd).",
        "nl": "Woningen geadverteerd en verhuurd aan de kandidaat die vooraan staat (voorrang, "
        "dan meettijd).",
    },
    "term.lottery": {"en": "lottery", "nl": "loting"},
    "meaning.lottery": {
        "en": "Homes let to a candidate drawn by lot; at most 15% of a municipality's vacancies.",
        "nl": "Woningen verhuurd aan een kandidaat die door loting is gekozen; hoogstens 15% "
        "van de vrijgekomen woningen van een gemeente.",
    },
    "term.direct": {"en": "direct allocation", "nl": "directe bemiddeling"},
    "meaning.direct": {
        "en": "A home offered to one household without an advert, for example to status holders.",
        "nl": "Een woning aangeboden aan één huishouden zonder advertentie, bijvoorbeeld aan "
        "statushouders.",
    },
    "term.interval": {"en": "95% interval", "nl": "95%-interval"},
    "meaning.interval": {
        "en": "The range that holds the model's true mean with 95% confidence, given the "
        "replications run.",
        "nl": "Het bereik waarbinnen het werkelijke gemiddelde van het model met 95% "
        "zekerheid ligt, gegeven de gedraaide replicaties.",
    },
    "term.points": {"en": "percentage point", "nl": "procentpunt"},
    "meaning.points": {
        "en": "The difference between two percentages: from 2% to 5% is 3 percentage points.",
        "nl": "Het verschil tussen twee percentages: van 2% naar 5% is 3 procentpunt.",
    },
    "term.replication": {"en": "replication", "nl": "replicatie"},
    "meaning.replication": {
        "en": "One simulated course of events; replications differ only by chance.",
        "nl": "Eén gesimuleerd verloop; replicaties verschillen alleen door toeval.",
    },
    "term.paired": {"en": "paired difference", "nl": "gepaard verschil"},
    "meaning.paired": {
        "en": "Scenarios are run with the same chance events, so a difference comes from the "
        "rule, not from chance.",
        "nl": "Scenario's draaien met dezelfde toevalsgebeurtenissen, zodat een verschil door "
        "de regel komt en niet door toeval.",
    },
    "term.scenario": {"en": "scenario", "nl": "scenario"},
    "meaning.scenario": {
        "en": "A set of allocation rules: as agreed, or a variant to compare with.",
        "nl": "Een set toewijzingsregels: zoals afgesproken, of een variant om mee te vergelijken.",
    },
    "term.beyond_noise": {"en": "larger than chance", "nl": "groter dan toeval"},
    "meaning.beyond_noise": {
        "en": "The 95% interval of a difference does not include zero, so chance alone does not "
        "explain it.",
        "nl": "Het 95%-interval van een verschil bevat nul niet, dus toeval alleen verklaart "
        "het niet.",
    },
    "term.in_twenty": {"en": "k in 20 outcomes", "nl": "k van de 20 uitkomsten"},
    "meaning.in_twenty": {
        "en": "How often the real data of the review would show the change, if the model "
        "is right: the review sees one outcome of many possible ones.",
        "nl": "Hoe vaak de echte gegevens van de evaluatie de verandering zouden laten zien, "
        "als het model klopt: de evaluatie ziet één uitkomst van vele mogelijke.",
    },
    "term.tertial": {"en": "tertial", "nl": "tertiaal"},
    "meaning.tertial": {
        "en": "A period of four months (a third of a year): T1 January-April, T2 May-August, T3 "
        "September-December.",
        "nl": "Een periode van vier maanden (een derde van een jaar): T1 januari-april, T2 "
        "mei-augustus, T3 september-december.",
    },
    "term.label": {"en": "label", "nl": "label"},
    "meaning.label": {
        "en": "A home set aside for a group (starters, seniors) under a pilot.",
        "nl": "Een woning die in een pilot voor een groep (starters, senioren) wordt gereserveerd.",
    },
    # Sections and notes.
    "success_rate": {"en": "Success rate by group", "nl": "Slaagkans per groep"},
    "success_rate_note": {
        "en": "Lettings to the group divided by its active seekers over the window; mean over "
        "replications with a 95% interval (Wilson's, which stays between 0% and 100%).",
        "nl": "Verhuringen aan de groep gedeeld door het aantal actief woningzoekenden in "
        "die groep in de periode; gemiddelde over replicaties met 95%-interval (volgens "
        "Wilson, dat altijd tussen 0% en 100% blijft).",
    },
    "differences": {"en": "Differences against the baseline", "nl": "Verschillen met de basis"},
    "differences_note": {
        "en": "Paired differences (the same random numbers in every scenario), scenario "
        "minus baseline, in percentage points, with 95% interval; * the interval excludes "
        "zero.",
        "nl": "Gepaarde verschillen (dezelfde toevalsgetallen in elk scenario), scenario min "
        "basis, in procentpunten, met 95%-interval; * het interval bevat nul niet.",
    },
    "lettings_channel": {"en": "Lettings by channel", "nl": "Verhuringen per kanaal"},
    "meettijd_channel": {
        "en": "Meettijd of new tenants by channel (median, years)",
        "nl": "Meettijd van nieuwe huurders per kanaal (mediaan, jaren)",
    },
    "status_holders": {
        "en": "Status holders: monthly lettings against an even spread",
        "nl": "Statushouders: verhuringen per maand tegenover gelijkmatige spreiding",
    },
    "status_holders_note": {
        "en": "Under clause 1.13 status holders are housed evenly over the year; the dashed "
        "line is the mean per month.",
        "nl": "Volgens afspraak 1.13 worden statushouders gelijkmatig over het jaar gehuisvest; "
        "de stippellijn is het gemiddelde per maand.",
    },
    "quotas": {"en": "Quota and cap use", "nl": "Gebruik van quota en plafonds"},
    "quotas_note": {
        "en": "limit: the agreed number, or share × vacancies; used: realised; requested: "
        "what the rules asked for (requested minus used was displaced or refused).",
        "nl": "limiet: het afgesproken aantal, of aandeel × mutaties; gebruikt: gerealiseerd; "
        "gevraagd: wat de regels vroegen (gevraagd min gebruikt is verdrongen of geweigerd).",
    },
    "review": {"en": "Review", "nl": "Evaluatie"},
    "review_quota": {
        "en": "What the data window could show, per yearly quota",
        "nl": "Wat de evaluatieperiode kan laten zien, per jaarlijks quotum",
    },
    "who_paid": {
        "en": "Change per group",
        "nl": "Verandering per groep",
    },
    "village": {
        "en": "Who got the senior-suitable homes in the villages",
        "nl": "Wie kreeg de seniorgeschikte woningen in de kernen",
    },
    "core": {
        "en": "Lottery lettings left for the core towns",
        "nl": "Lotingsverhuringen die overblijven voor de hoofdkernen",
    },
    "time_note": {
        "en": "Per tertial (T1 January-April, T2 May-August, T3 September-December, the "
        "agreements' reporting periods); mean over replications.",
        "nl": "Per tertiaal (T1 januari-april, T2 mei-augustus, T3 september-december, de "
        "rapportageperiodes van de afspraken); gemiddelde over replicaties.",
    },
    "time_lettings": {"en": "Lettings by channel", "nl": "Verhuringen per kanaal"},
    "time_active": {"en": "Active house seekers", "nl": "Actief woningzoekenden"},
    "time_success": {"en": "Success rate by group", "nl": "Slaagkans per groep"},
    "time_responses": {
        "en": "Responses per advert by channel",
        "nl": "Reacties per advertentie per kanaal",
    },
    "years_table": {"en": "Per calendar year", "nl": "Per kalenderjaar"},
    "even": {"en": "even spread", "nl": "gelijkmatige spreiding"},
    # Column headers.
    "col.scenario": {"en": "scenario", "nl": "scenario"},
    "col.group": {"en": "group", "nl": "groep"},
    "col.channel": {"en": "channel", "nl": "kanaal"},
    "col.metric": {"en": "measure", "nl": "maatstaf"},
    "col.period": {"en": "period", "nl": "periode"},
    "col.month": {"en": "month", "nl": "maand"},
    "col.mean": {"en": "mean", "nl": "gemiddelde"},
    "col.low": {"en": "95% low", "nl": "ondergrens 95%"},
    "col.high": {"en": "95% high", "nl": "bovengrens 95%"},
    "col.interval": {"en": "95% interval", "nl": "95%-interval"},
    "col.n": {"en": "n", "nl": "n"},
    "col.diff": {"en": "difference", "nl": "verschil"},
    "col.significant": {
        "en": "larger than chance",
        "nl": "groter dan toeval",
    },
    "col.municipality": {"en": "municipality", "nl": "gemeente"},
    "col.year": {"en": "year", "nl": "jaar"},
    "col.item": {"en": "item", "nl": "onderdeel"},
    "col.limit": {"en": "limit", "nl": "limiet"},
    "col.used": {"en": "used", "nl": "gebruikt"},
    "col.requested": {"en": "requested", "nl": "gevraagd"},
    "col.quota": {"en": "quota per year", "nl": "quotum per jaar"},
    "col.p_sign": {
        "en": "outcomes in the expected direction",
        "nl": "uitkomsten in de verwachte richting",
    },
    "col.power": {
        "en": "outcomes with a clear effect",
        "nl": "uitkomsten met een duidelijk effect",
    },
    "col.item_key": {"en": "item", "nl": "gegeven"},
    "col.value": {"en": "value", "nl": "waarde"},
    "col.text": {"en": "text", "nl": "tekst"},
    "yes": {"en": "yes", "nl": "ja"},
    "no": {"en": "no", "nl": "nee"},
    # Sheet names (at most 31 characters, no []:*?/\).
    "sheet.headline": {"en": "In short", "nl": "In het kort"},
    "sheet.success": {"en": "Success rates", "nl": "Slaagkansen"},
    "sheet.differences": {"en": "Differences", "nl": "Verschillen"},
    "sheet.channels": {"en": "Channels", "nl": "Kanalen"},
    "sheet.time": {"en": "Over time", "nl": "In de tijd"},
    "sheet.quotas": {"en": "Quota", "nl": "Quota"},
    "sheet.review": {"en": "Review", "nl": "Evaluatie"},
    "sheet.provenance": {"en": "Provenance", "nl": "Herkomst"},
    # Groups (seekers' groups at the window's start).
    "group.all": {"en": "all seekers", "nl": "alle woningzoekenden"},
    "group.listed": {"en": "registered seekers", "nl": "ingeschreven woningzoekenden"},
    "group.urgent": {"en": "urgent seekers", "nl": "urgenten"},
    "group.status_holder": {"en": "status holders", "nl": "statushouders"},
    "group.senior_65plus": {"en": "seniors 65+", "nl": "senioren 65+"},
    "group.starter_18_27": {"en": "starters aged 18-27", "nl": "starters van 18-27 jaar"},
    "group.starter_other": {"en": "other starters", "nl": "overige starters"},
    "group.mover": {"en": "movers", "nl": "doorstromers"},
    # Channels.
    "channel.offer": {"en": "offer model", "nl": "aanbodmodel"},
    "channel.lottery": {"en": "lottery", "nl": "loting"},
    "channel.direct": {"en": "direct allocation", "nl": "directe bemiddeling"},
    "channel.all": {"en": "all", "nl": "alle"},
    # Metrics.
    "metric.lettings": {"en": "lettings", "nl": "verhuringen"},
    "metric.lettings_via_adverts": {
        "en": "lettings through adverts",
        "nl": "verhuringen via advertenties",
    },
    "metric.active_seekers": {"en": "active seekers", "nl": "actief woningzoekenden"},
    "metric.registered_seekers": {"en": "registered seekers", "nl": "ingeschrevenen"},
    "metric.success_rate": {"en": "success rate", "nl": "slaagkans"},
    "metric.lettings_offer": {"en": "lettings, offer model", "nl": "verhuringen aanbodmodel"},
    "metric.lettings_lottery": {"en": "lettings by lottery", "nl": "verhuringen via loting"},
    "metric.lettings_direct": {"en": "direct allocations", "nl": "directe bemiddelingen"},
    "metric.chain_moves_per_letting": {
        "en": "share of lettings that free a home",
        "nl": "aandeel verhuringen dat een woning vrijmaakt",
    },
    "metric.adverts_closed": {"en": "adverts closed", "nl": "gesloten advertenties"},
    "metric.adverts_unlet": {"en": "adverts not let", "nl": "niet-verhuurde advertenties"},
    "metric.responses_per_advert_offer": {
        "en": "responses per advert, offer model",
        "nl": "reacties per advertentie, aanbodmodel",
    },
    "metric.responses_per_advert_lottery": {
        "en": "responses per advert, lottery",
        "nl": "reacties per advertentie, loting",
    },
    "metric.meettijd_median_years": {
        "en": "median meettijd (years)",
        "nl": "mediane meettijd (jaren)",
    },
    "metric.meettijd_mean_years": {
        "en": "mean meettijd (years)",
        "nl": "gemiddelde meettijd (jaren)",
    },
    "metric.search_median_days": {
        "en": "median search time (days)",
        "nl": "mediane zoektijd (dagen)",
    },
    "metric.refusals_per_letting": {
        "en": "refusals per letting",
        "nl": "weigeringen per verhuring",
    },
    "metric.vacant_days_mean": {"en": "mean days vacant", "nl": "gemiddelde leegstand (dagen)"},
    "metric.responses_per_advert": {
        "en": "responses per advert",
        "nl": "reacties per advertentie",
    },
    "metric.chain_length_mean": {
        "en": "mean moving-chain length",
        "nl": "gemiddelde lengte verhuisketen",
    },
    "metric.never_responding_share": {
        "en": "share never responding",
        "nl": "aandeel dat nooit reageert",
    },
    "metric.tenant_age_mean": {"en": "mean age", "nl": "gemiddelde leeftijd"},
    # Levels of the review dimension.
    "level.village_senior_homes": {
        "en": "the new tenants of the villages' senior-suitable homes",
        "nl": "de nieuwe huurders van seniorgeschikte woningen in de kernen",
    },
    "metric.share_65plus": {"en": "share aged 65+", "nl": "aandeel 65+"},
    "metric.share_same_village": {
        "en": "share from the same village",
        "nl": "aandeel uit dezelfde kern",
    },
    "metric.share_movers_from_stock": {
        "en": "share of movers from the stock",
        "nl": "aandeel doorstromers",
    },
    "metric.family_homes_freed": {
        "en": "family homes freed",
        "nl": "vrijgekomen eengezinswoningen",
    },
    "metric.chain_moves_set_off": {
        "en": "further lettings set off",
        "nl": "vervolgverhuringen in gang gezet",
    },
    "metric.lottery_lettings": {"en": "lottery lettings", "nl": "lotingsverhuringen"},
    # Dimensions of the metrics (the comparison's workbook).
    "dimension.all": {"en": "whole window", "nl": "hele periode"},
    "dimension.channel": {"en": "channel", "nl": "kanaal"},
    "dimension.municipality": {"en": "municipality", "nl": "gemeente"},
    "dimension.village": {"en": "village", "nl": "kern"},
    "dimension.tertial": {"en": "tertial", "nl": "tertiaal"},
    "dimension.year": {"en": "calendar year", "nl": "kalenderjaar"},
    "dimension.month": {"en": "month", "nl": "maand"},
    "dimension.quota": {"en": "quota and caps", "nl": "quota en plafonds"},
    "dimension.review": {"en": "review", "nl": "evaluatie"},
    "dimension.kind": {"en": "kind of household", "nl": "soort huishouden"},
    "metric.limit": {"en": "limit", "nl": "limiet"},
    "metric.used": {"en": "used", "nl": "gebruikt"},
    "metric.requested": {"en": "requested", "nl": "gevraagd"},
    # Quota and cap items.
    "item.vacancies": {"en": "vacancies", "nl": "mutaties"},
    "item.transformed": {
        "en": "withdrawn (transformation)",
        "nl": "onttrokken (transformatie)",
    },
    "item.lettings": {"en": "lettings", "nl": "verhuringen"},
    "item.free_room": {"en": "free allocation room (15%)", "nl": "vrije toewijzingsruimte (15%)"},
    "item.lottery_cap": {"en": "lottery cap (15%)", "nl": "lotingsplafond (15%)"},
    "item.lottery_general": {"en": "lottery, general", "nl": "loting, algemeen"},
    "item.lottery_starter_pilot": {
        "en": "lottery, starter pilot",
        "nl": "loting, starterspilot",
    },
    "item.lottery_village_rule": {
        "en": "lottery, village rule",
        "nl": "loting, kernenafspraak",
    },
    "item.starter_labels": {"en": "starter labels", "nl": "starterslabels"},
    "item.starter_lottery": {"en": "starter labels, lottery", "nl": "starterslabels, loting"},
    "item.starter_offer": {
        "en": "starter labels, offer model",
        "nl": "starterslabels, aanbodmodel",
    },
    "item.status_holder_cap": {
        "en": "status holders cap (10%)",
        "nl": "plafond statushouders (10%)",
    },
    "item.status_holder_task_persons": {
        "en": "status holders task (persons)",
        "nl": "taakstelling statushouders (personen)",
    },
    "item.status_holder_backlog_persons": {
        "en": "status holders backlog (persons)",
        "nl": "achterstand statushouders (personen)",
    },
    "item.urgent_share": {"en": "urgent share {place}", "nl": "aandeel urgenten {place}"},
    # Seeker kinds (tertial rows per kind).
    "kind.starter": {"en": "starters", "nl": "starters (nieuwe huishoudens)"},
    "kind.mover_stock": {"en": "movers from the stock", "nl": "doorstromers uit de voorraad"},
    "kind.mover_elsewhere": {"en": "movers from elsewhere", "nl": "verhuizers van elders"},
    "kind.urgent": {"en": "urgent seekers", "nl": "urgenten"},
    "kind.status_holder": {"en": "status holders", "nl": "statushouders"},
    "kind.sheltered_outflow": {
        "en": "outflow from sheltered housing",
        "nl": "uitstroom beschermd wonen",
    },
    # Units and others.
    "pp": {"en": "percentage points", "nl": "procentpunt"},
    "pp_short": {"en": "pp", "nl": "%-punt"},
    "the": {"en": "the", "nl": "de"},
    "the_neuter": {"en": "the", "nl": "het"},
    "executor.serial": {"en": "serial", "nl": "na elkaar"},
    "executor.processes": {"en": "local processes", "nl": "lokale processen"},
    "executor.dask": {"en": "Dask cluster", "nl": "Dask-cluster"},
    "sheet.by_month": {"en": "By month", "nl": "Per maand"},
    "years_unit": {"en": "years", "nl": "jaar"},
    "homes_unit": {"en": "homes", "nl": "woningen"},
}


def text(lang: str, key: str) -> str:
    """The catalogue's text for `key` in `lang` (KeyError names a missing entry)."""
    return CATALOGUE[key][lang]


class Words:
    """The catalogue and babel's formats for one language."""

    def __init__(self, lang: str) -> None:
        if lang not in LANGS:
            raise ValueError(f"language {lang!r}: one of {', '.join(LANGS)}")
        self.lang = lang
        self.locale = LOCALES[lang]

    def __call__(self, key: str, **values: object) -> str:
        return text(self.lang, key).format(**values) if values else text(self.lang, key)

    def label(self, kind: str, key: str) -> str:
        """A group, channel, metric, item or kind by its code; codes the catalogue does
        not hold (places, the analyst's own labels) are shown as given."""
        entry = CATALOGUE.get(f"{kind}.{key}")
        if entry is not None:
            return entry[self.lang]
        if kind == "item" and key.startswith("urgent_share_"):
            return self("item.urgent_share", place=key.removeprefix("urgent_share_"))
        if kind == "level" and key.startswith("core_"):
            return self("level.core", place=key.removeprefix("core_"))
        if kind == "group" and key.startswith("kind_"):
            return self.label("kind", key.removeprefix("kind_"))
        return key

    # Numbers.
    def number(self, value: float, digits: int = 1) -> str:
        if value is None or math.isnan(value):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        text = str(format_decimal(value, format=pattern, locale=self.locale))
        return "−" + text[1:] if text.startswith("-") else text  # a minus, not a hyphen

    def percent(self, share: float, digits: int = 1) -> str:
        if share is None or math.isnan(share):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "") + "%"
        return str(format_percent(share, format=pattern, locale=self.locale))

    def _signed(self, value: float, digits: int) -> str:
        """'+1.2', '−0.8' or '0.0': the sign of the rounded value, so no '−0.0'."""
        rounded = round(value, digits)
        sign = "+" if rounded > 0 else ("−" if rounded < 0 else "")
        return f"{sign}{self.number(abs(rounded), digits)}"

    def points(self, diff: float, digits: int = 1) -> str:
        """A difference of shares in signed percentage points: '+1.2 percentage points'."""
        if diff is None or math.isnan(diff):
            return "–"
        return f"{self._signed(diff * 100, digits)} {self('pp')}"

    def points_range(self, low: float, high: float, digits: int = 1) -> str:
        """'+2.6 to +3.0 percentage points'."""
        if low is None or math.isnan(low):
            return "–"
        bare = {k: self._signed(x * 100, digits) for k, x in (("low", low), ("high", high))}
        return f"{self('interval_range', **bare)} {self('pp')}"

    def signed(self, diff: float, digits: int = 1) -> str:
        if diff is None or math.isnan(diff):
            return "–"
        return self._signed(diff, digits)

    def article(self, metric: str) -> str:
        """The article before a metric's label: Dutch 'het' for 'aandeel' and 'aantal'."""
        neuter = self.label("metric", metric).startswith(("aandeel", "aantal"))
        return self("the_neuter" if neuter else "the")

    def date(self, day: dt.date | str) -> str:
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        return str(format_date(day, format="long", locale=self.locale))

    def join(self, items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {self('and')} {items[-1]}"
