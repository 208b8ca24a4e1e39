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
    "seed": {"en": "Root seed", "nl": "Startgetal (seed)"},
    "window": {"en": "Evaluation window", "nl": "Evaluatieperiode"},
    "version": {"en": "allocsim version", "nl": "allocsim-versie"},
    "command": {"en": "Command", "nl": "Opdracht"},
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
        "en": "The model sees no effect beyond noise at {n} replications.",
        "nl": "Het model ziet bij {n} replicaties geen effect dat boven de ruis uitkomt.",
    },
    "h_lettings": {
        "en": "In absolute numbers: {t_lettings} lettings to {group} in the window against "
        "{c_lettings}: about {per_year} a year {more} (95% interval {interval}).",
        "nl": "In aantallen: {t_lettings} verhuringen aan {group} in de periode tegenover "
        "{c_lettings}: ongeveer {per_year} per jaar {more} (95%-interval {interval}).",
    },
    "h_lettings_none": {
        "en": "The number of lettings to {group} ({t_lettings} against {c_lettings} in the "
        "window) did not change beyond noise.",
        "nl": "Het aantal verhuringen aan {group} ({t_lettings} tegenover {c_lettings} in de "
        "periode) veranderde niet boven de ruis uit.",
    },
    "more": {"en": "more", "nl": "meer"},
    "fewer": {"en": "fewer", "nl": "minder"},
    "h_paid": {
        "en": "Who paid for it: the success rate fell for {groups}.",
        "nl": "Wie betaalde de prijs: de slaagkans daalde voor {groups}.",
    },
    "h_paid_item": {"en": "{group} ({diff})", "nl": "{group} ({diff})"},
    "h_paid_none": {
        "en": "No other group's success rate fell beyond noise.",
        "nl": "Bij geen andere groep daalde de slaagkans boven de ruis uit.",
    },
    "h_paid_none_any": {
        "en": "No group's success rate fell beyond noise.",
        "nl": "Bij geen enkele groep daalde de slaagkans boven de ruis uit.",
    },
    "h_window": {
        "en": "What a real review with data from {window} can see: one possible outcome shows "
        "a change in the expected direction with probability {p_sign}, and a change that is "
        "significant in a one-sided 5% test against the world without the measure with "
        "probability {power} (estimated from {n} replications per scenario).",
        "nl": "Wat een echte evaluatie met gegevens van {window} kan zien: één mogelijke "
        "uitkomst laat met {p_sign} kans een verandering in de verwachte richting zien, en "
        "met {power} kans een verandering die bij een eenzijdige toets (5%) significant is "
        "tegenover de wereld zonder de maatregel (geschat uit {n} replicaties per scenario).",
    },
    "h_window_verdict_no": {
        "en": "So the data cannot be expected to show the effect.",
        "nl": "De gegevens zullen het effect dus naar verwachting niet laten zien.",
    },
    "h_window_verdict_yes": {
        "en": "So the data can be expected to show the effect.",
        "nl": "De gegevens zullen het effect dus naar verwachting laten zien.",
    },
    "h_quota": {
        "en": "The smallest yearly quota whose effect the data would show with 80% "
        "probability: {quota} homes.",
        "nl": "Het kleinste jaarlijkse quotum waarvan de gegevens het effect met 80% kans "
        "laten zien: {quota} woningen.",
    },
    "h_quota_smallest": {
        "en": "Already the smallest simulated yearly quota ({quota} homes) would show its "
        "effect with 80% probability; smaller quotas were not simulated.",
        "nl": "Al het kleinste gesimuleerde jaarlijkse quotum ({quota} woningen) laat het "
        "effect met 80% kans zien; kleinere quota zijn niet gesimuleerd.",
    },
    "h_quota_none": {
        "en": "None of the simulated quotas (up to {quota} homes a year) would show its "
        "effect with 80% probability.",
        "nl": "Geen van de gesimuleerde quota (tot {quota} woningen per jaar) laat het effect "
        "met 80% kans zien.",
    },
    "h_scenario_changes": {
        "en": "{scenario} against {baseline}: {changes}.",
        "nl": "{scenario} tegenover {baseline}: {changes}.",
    },
    "h_change_item": {
        "en": "success rate of {group} {diff}",
        "nl": "slaagkans van {group} {diff}",
    },
    "h_no_changes": {
        "en": "no group's success rate changed beyond noise",
        "nl": "bij geen groep veranderde de slaagkans meer dan de ruis",
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
        "en": "Clause 1.13 asks for status holders spread evenly over the year; the dashed "
        "line is the mean per month.",
        "nl": "Afspraak 1.13 vraagt statushouders gelijkmatig over het jaar te spreiden; de "
        "stippellijn is het gemiddelde per maand.",
    },
    "quotas": {"en": "Quota and cap use", "nl": "Gebruik van quota en plafonds"},
    "quotas_note": {
        "en": "limit: the agreed number, or share x vacancies; used: realised; requested: "
        "what the rules asked for (requested minus used was displaced or refused).",
        "nl": "limiet: het afgesproken aantal, of aandeel x mutaties; gebruikt: gerealiseerd; "
        "gevraagd: wat de regels vroegen (gevraagd min gebruikt is verdrongen of geweigerd).",
    },
    "review": {"en": "Review", "nl": "Evaluatie"},
    "review_quota": {
        "en": "What the data window could show, per yearly quota",
        "nl": "Wat de evaluatieperiode kan laten zien, per jaarlijks quotum",
    },
    "who_paid": {
        "en": "Who bore the cost: change per group",
        "nl": "Wie betaalde: verandering per groep",
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
    "col.significant": {"en": "beyond noise", "nl": "boven de ruis"},
    "col.municipality": {"en": "municipality", "nl": "gemeente"},
    "col.year": {"en": "year", "nl": "jaar"},
    "col.item": {"en": "item", "nl": "onderdeel"},
    "col.limit": {"en": "limit", "nl": "limiet"},
    "col.used": {"en": "used", "nl": "gebruikt"},
    "col.requested": {"en": "requested", "nl": "gevraagd"},
    "col.quota": {"en": "quota per year", "nl": "quotum per jaar"},
    "col.p_sign": {
        "en": "P(right direction)",
        "nl": "kans op de juiste richting",
    },
    "col.power": {"en": "P(seen, 5% test)", "nl": "kans zichtbaar (toets 5%)"},
    "col.item_key": {"en": "key", "nl": "sleutel"},
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
    # Quota and cap items.
    "item.vacancies": {"en": "vacancies", "nl": "mutaties"},
    "item.transformed": {"en": "transformed", "nl": "getransformeerd"},
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
        if kind == "group" and key.startswith("kind_"):
            return self.label("kind", key.removeprefix("kind_"))
        return key

    # Numbers.
    def number(self, value: float, digits: int = 1) -> str:
        if value is None or math.isnan(value):
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return str(format_decimal(value, format=pattern, locale=self.locale))

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
