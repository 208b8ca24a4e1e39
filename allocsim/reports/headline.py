"""What the first screen says: each review's question and its answer in plain words,
with intervals and the number of lettings behind it; the effects the forest plot shows.

A review kind declares its question and the figures that answer it (`QUESTIONS`): the
starter review asks whether young starters' chance of a home rose and who paid for it;
the village review asks who got the villages' senior-suitable homes (how old, from
where, how many lettings) and what the rule left for lottery in the core towns. An
experiment without a review says what each scenario changed against its baseline; a
single run says what happened.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocsim.analysis.review import Detectability, detectability
from allocsim.domain import GROUP_LABELS
from allocsim.i18n import Words
from allocsim.reports.figures import Effect
from allocsim.reports.formats import (
    beyond_noise,
    date_range,
    diff_range,
    diff_text,
    in_twenty,
    unit_of,
    value_text,
)
from allocsim.reports.inputs import Inputs
from allocsim.reports.page import Line

GROUPS = ("all", *GROUP_LABELS)
SENIOR_HOMES = "review/village_senior_homes/all"


@dataclass(frozen=True)
class Question:
    """A review kind: its question (a catalogue key) and the paired differences that
    answer it, in the order the first screen and the forest plot show them. `{muni}`
    in a metric id stands for each municipality in the results."""

    key: str
    effects: tuple[str, ...]
    lettings: str  # the lettings the answer rests on (a metric id)


QUESTIONS = {
    "starter_pilot": Question(
        "q.starter_pilot",
        tuple(f"all/all/{g}/success_rate" for g in GROUPS),
        "all/all/starter_18_27/lettings",
    ),
    "village_rule": Question(
        "q.village_rule",
        (
            f"{SENIOR_HOMES}/tenant_age_mean",
            f"{SENIOR_HOMES}/share_65plus",
            f"{SENIOR_HOMES}/share_same_village",
            "review/core_{muni}/all/lottery_lettings",
        ),
        f"{SENIOR_HOMES}/lettings",
    ),
}


def expand(inputs: Inputs, metric_ids: tuple[str, ...]) -> list[str]:
    """`{muni}` replaced by each municipality whose metric the results hold."""
    out = []
    for metric_id in metric_ids:
        if "{muni}" not in metric_id:
            out.append(metric_id)
            continue
        for muni in sorted(set(inputs.summary["level"].astype(str))):
            if muni.startswith("core_"):
                out.append(metric_id.replace("core_{muni}", muni))
    return out


def effect_label(w: Words, metric_id: str) -> str:
    """A row of the forest plot in words: 'success rate, starters aged 18-27'."""
    dimension, level, group, metric = metric_id.split("/")
    if dimension == "review" and level.startswith("core_"):
        return w("core_lottery", place=level.removeprefix("core_"))
    if dimension == "review":
        return w.label("metric", metric)
    return w.label("group", group)


def review_effects(inputs: Inputs, w: Words, review: dict) -> list[Effect]:
    """The paired differences (treatment - control) the review's question asks for."""
    question = QUESTIONS[review["kind"]]
    effects = []
    for metric_id in expand(inputs, question.effects):
        mean, low, high, _ = inputs.paired(review["control"], review["treatment"], metric_id)
        if np.isfinite(mean):
            effects.append(Effect(effect_label(w, metric_id), mean, low, high, unit_of(metric_id)))
    return effects


def scenario_effects(inputs: Inputs, w: Words) -> list[Effect]:
    """Each scenario's paired difference in success rate per group against the baseline."""
    c = inputs.comparison
    if c.empty:
        return []
    part = c[(c["dimension"] == "all") & (c["metric"] == "success_rate")]
    effects = []
    for scenario in inputs.scenarios:
        mine = part[part["scenario"] == scenario].set_index("group")
        for g in GROUPS:
            if g in mine.index:
                r = mine.loc[g]
                effects.append(
                    Effect(
                        w.label("group", g),
                        float(r["diff_mean"]),
                        float(r["diff_ci_low"]),
                        float(r["diff_ci_high"]),
                        unit_of("success_rate"),
                        inputs.scenario_name(w.lang, scenario),
                    )
                )
    return effects


def review_detectability(inputs: Inputs, review: dict) -> Detectability:
    start, end = review["data_window_start"], review["data_window_end"]
    return detectability(
        inputs.metrics,
        inputs.comparison,
        review["treatment"],
        review["control"],
        review["metric"],
        f"{start} .. {end}",
        review.get("quota_scenarios", {}),
    )


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def review_question(inputs: Inputs, w: Words, review: dict) -> str:
    window = date_range(w, str(review["data_window_start"]), str(review["data_window_end"]))
    return w(QUESTIONS[review["kind"]].key, window=window)


def review_headline(inputs: Inputs, w: Words, review: dict, det: Detectability) -> list[Line]:
    """The answer: the review's measure in both scenarios with the paired difference and
    its interval, the lettings behind it, what else the question asks, who paid, and what
    the real data could show."""
    treatment, control, metric_id = review["treatment"], review["control"], review["metric"]
    dimension, level, group, metric = metric_id.split("/")
    who = w.label("level", level) if dimension == "review" else w.label("group", group)
    t_name = inputs.scenario_name(w.lang, treatment)
    c_name = inputs.scenario_name(w.lang, control)
    interval = diff_range(w, metric, det.effect_ci_low, det.effect_ci_high)
    lines = [
        Line(
            w(
                "h_effect",
                treatment=capital(t_name),
                control=c_name,
                the=w.article(metric),
                metric=w.label("metric", metric),
                group=who,
                t_value=value_text(w, metric, inputs.value(treatment, metric_id)),
                c_value=value_text(w, metric, inputs.value(control, metric_id)),
                diff=diff_text(w, metric, det.expected_effect),
                interval=interval,
                n=det.n_pairs,
            ),
            interval,
        )
    ]
    if not beyond_noise(det.effect_ci_low, det.effect_ci_high):
        lines.append(Line(w("h_effect_none", n=det.n_pairs)))
    if review["kind"] == "village_rule":
        lines += village_lines(inputs, w, treatment, control)
    else:
        lines.append(lettings_line(inputs, w, treatment, control, group))
    lines.append(
        Line(who_paid(inputs, w, treatment, control, group if metric == "success_rate" else ""))
    )
    lines.append(window_line(w, det))
    return lines


def lettings_line(inputs: Inputs, w: Words, treatment: str, control: str, group: str) -> Line:
    """Lettings to the group in the window, and the paired change per year with its
    interval when it is beyond noise."""
    lets_id = f"all/all/{group}/lettings"
    counts = {
        "t_lettings": w.number(inputs.value(treatment, lets_id), 1),
        "c_lettings": w.number(inputs.value(control, lets_id), 1),
        "group": w.label("group", group),
    }
    mean, low, high, _ = inputs.paired(control, treatment, lets_id)
    years = inputs.years()
    if not beyond_noise(low, high) or not np.isfinite(years) or years <= 0:
        return Line(w("h_lettings_none", **counts))
    sign = 1.0 if mean > 0 else -1.0
    interval = w(
        "interval_range",
        low=w.number(min(sign * low, sign * high) / years, 1),
        high=w.number(max(sign * low, sign * high) / years, 1),
    )
    return Line(
        w(
            "h_lettings",
            **counts,
            per_year=w.number(abs(mean) / years, 1),
            more=w("more" if mean > 0 else "fewer"),
            interval=interval,
        ),
        w.number(abs(mean) / years, 1),
    )


def village_lines(inputs: Inputs, w: Words, treatment: str, control: str) -> list[Line]:
    """The village review's other figures: how many lettings the senior homes had, who
    got them (65+, same village), and the core towns' lottery lettings."""
    values = {}
    for key, metric in (("65", "share_65plus"), ("_same", "share_same_village")):
        metric_id = f"{SENIOR_HOMES}/{metric}"
        mean, low, high, _ = inputs.paired(control, treatment, metric_id)
        values[f"t{key}"] = w.percent(inputs.value(treatment, metric_id), 0)
        values[f"c{key}"] = w.percent(inputs.value(control, metric_id), 0)
        values[f"d{key}"] = w.points(mean)
        values[f"i{key}"] = w.points_range(low, high)
    lets = f"{SENIOR_HOMES}/lettings"
    lines = [
        Line(
            w(
                "h_village_lettings",
                t_lettings=w.number(inputs.value(treatment, lets), 1),
                c_lettings=w.number(inputs.value(control, lets), 1),
                window=date_range(w, *inputs.window),
            ),
            w.number(inputs.value(treatment, lets), 1),
        ),
        Line(w("h_village", **values)),
    ]
    for metric_id in expand(inputs, ("review/core_{muni}/all/lottery_lettings",)):
        mean, low, high, _ = inputs.paired(control, treatment, metric_id)
        if not np.isfinite(mean):
            continue
        interval = w("interval_range", low=w.signed(low), high=w.signed(high))
        lines.append(
            Line(
                w(
                    "h_core",
                    place=metric_id.split("/")[1].removeprefix("core_"),
                    t_value=w.number(inputs.value(treatment, metric_id), 1),
                    c_value=w.number(inputs.value(control, metric_id), 1),
                    diff=w.signed(mean),
                    interval=interval,
                ),
                interval,
            )
        )
    return lines


def who_paid(inputs: Inputs, w: Words, treatment: str, control: str, exclude: str) -> str:
    items = []
    for g in GROUP_LABELS:
        if g == exclude:
            continue
        mean, _, high, _ = inputs.paired(control, treatment, f"all/all/{g}/success_rate")
        if high < 0:
            items.append(w("h_paid_item", group=w.label("group", g), diff=w.points(mean)))
    if items:
        return w("h_paid", groups=w.join(items))
    return w("h_paid_none" if exclude else "h_paid_none_any")


def window_line(w: Words, det: Detectability) -> Line:
    """What the real data could show, in plain words: out of 20 possible real outcomes,
    how many show the change's direction and how many show it clearly (beyond chance
    at the usual 5% level)."""
    window = det.data_window
    start, _, end = window.partition(" .. ")
    if end:
        window = date_range(w, start, end)
    sign, seen = twenty(w, det.p_right_sign), twenty(w, det.power)
    verdict = "h_window_verdict_yes" if det.power >= 0.8 else "h_window_verdict_no"
    text = w("h_window", window=window, sign=sign, seen=seen) + " " + w(verdict)
    return Line(text, seen)


def twenty(w: Words, share: float) -> str:
    """A probability as a count of 20 possible outcomes, in words."""
    k = in_twenty(share)
    return w("twenty_all") if k == 20 else (w("twenty_none") if k == 0 else w("twenty_about", k=k))


def quota_sentence(w: Words, det: Detectability, quotas: dict) -> str:
    if det.smallest_quota_80 is None:
        return w("h_quota_none", quota=w.number(max(quotas.values()), 0))
    if det.smallest_quota_80 <= min(quotas.values()):
        return w("h_quota_smallest", quota=w.number(det.smallest_quota_80, 0))
    return w("h_quota", quota=w.number(det.smallest_quota_80, 0))


def experiment_headline(inputs: Inputs, w: Words) -> list[Line]:
    """The baseline in numbers, then what each scenario changed beyond noise."""
    base = inputs.baseline
    name = inputs.scenario_name(w.lang, base)
    lines = [Line(w("h_run_named", scenario=capital(name), text=run_text(inputs, w, base)))]
    c = inputs.comparison
    for scenario in inputs.scenarios:
        if scenario == base or c.empty:
            continue
        part = c[
            (c["scenario"] == scenario)
            & (c["dimension"] == "all")
            & (c["metric"] == "success_rate")
            & c["significant"].astype(bool)
        ]
        part = part.reindex(part["diff_mean"].abs().sort_values(ascending=False).index)[:4]
        changes = [
            w(
                "h_change_item",
                group=w.label("group", r.group),
                diff=w.points(r.diff_mean),
                interval=w.points_range(r.diff_ci_low, r.diff_ci_high),
            )
            for r in part.itertuples()
        ]
        lines.append(
            Line(
                w(
                    "h_scenario_changes",
                    scenario=capital(inputs.scenario_name(w.lang, scenario)),
                    baseline=name,
                    changes=w.join(changes) if changes else w("h_no_changes"),
                )
            )
        )
    return lines


def run_text(inputs: Inputs, w: Words, scenario: str) -> str:
    start, end = inputs.window

    def lets(channel: str) -> str:
        return w.number(inputs.value(scenario, f"channel/{channel}/all/lettings"), 0)

    return w(
        "h_run",
        window=date_range(w, start, end) if start else "",
        lettings=w.number(inputs.value(scenario, "all/all/all/lettings"), 0),
        offer=lets("offer"),
        lottery=lets("lottery"),
        direct=lets("direct"),
        rate=w.percent(inputs.value(scenario, "all/all/all/success_rate")),
    )


def run_headline(inputs: Inputs, w: Words) -> list[Line]:
    scenario = inputs.scenarios[0]
    lettings = w.number(inputs.value(scenario, "all/all/all/lettings"), 0)
    return [Line(run_text(inputs, w, scenario), lettings)]
