"""The 2022 agreements in whole runs on the small world: each rule shows in the records."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

from allocsim.config import Config
from allocsim.engine import simulate
from allocsim.world import build_stock
from tests.conftest import small_config


def run_with(
    changes: dict[str, Any], end: dt.date = dt.date(2023, 1, 1)
) -> dict[str, pd.DataFrame]:
    data = small_config(end_date=end).model_dump()
    for path, value in changes.items():
        node = data
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    cfg = Config.model_validate(data)
    return simulate(cfg, build_stock(cfg), 0)


def decided_in_run(lets: pd.DataFrame) -> pd.DataFrame:
    """Lettings of homes that fell vacant in the run: their channel and label were decided
    under the scenario's rules (a home labelled in the history may be let after day 0)."""
    return lets[lets.day - lets.vacant_days >= 0]


def ages(out: dict[str, pd.DataFrame], offers: pd.DataFrame) -> np.ndarray:
    s = out["seekers"].set_index("seeker_id").loc[offers.seeker_id]
    return s.age_at_entry.to_numpy() + (offers.day.to_numpy() - s.entry_day.to_numpy()) / 365.25


def test_starter_pilot_labels_and_winners() -> None:
    out = run_with({})
    lets = out["lettings"]
    pilot = lets[lets.rule == "starter_pilot"]
    # Labels of 2022: homes that fell vacant in 2022 (a late-2021 label may be let in 2022).
    labelled_2022 = pilot[pilot.day - pilot.vacant_days >= 0]
    q = out["quotas"].set_index(["municipality", "item"])
    for muni, quota in (("Duiven", 8), ("Westervoort", 6)):
        assert len(labelled_2022[labelled_2022.municipality == muni]) <= quota
        assert q.loc[(muni, "starter_labels"), "used"] <= quota
    assert set(pilot.channel) <= {"offer", "lottery"}
    # A pilot home goes to an eligible starter unless every eligible starter invited
    # before the winner refused or did not come.
    offers = out["offers"]
    for advert in pilot.advert_id:
        cand = offers[offers.advert_id == advert]
        winner = cand[cand.outcome == "accepted"]
        if (cand.priority == 0).any() and int(winner.priority.iloc[0]) != 0:
            outcomes = set(cand.loc[cand.priority == 0, "outcome"].astype(str))
            assert outcomes <= {"refused", "no_show"}


def test_village_rule_channels_and_senior_option() -> None:
    areas = small_config().model_dump()["stock"]["areas"]
    for area in areas:
        if area["village"] in ("Loo", "Groessen"):
            area["n_homes"] = 400
    out = run_with({"policies.village_rule.senior_priority_age": 65.0, "stock.areas": areas})
    lets = out["lettings"]
    village = lets[lets.village.isin(["Loo", "Groessen"]) & (lets.channel != "direct")]
    assert set(village.rule) <= {"village_rule", "starter_pilot"}
    offers = out["offers"]
    vr_adverts = out["adverts"]
    vr_offer = vr_adverts[(vr_adverts.rule == "village_rule") & (vr_adverts.channel == "offer")]
    first = offers[offers.advert_id.isin(vr_offer.advert_id) & (offers.priority == 0)]
    assert len(first) > 0
    assert (ages(out, first) >= 65.0).all()
    # Without the village rule no home is labelled by it.
    out_off = run_with({"policies.village_rule.enabled": False})
    assert "village_rule" not in set(decided_in_run(out_off["lettings"]).rule)


def test_lottery_cap_counts_every_lottery_use() -> None:
    out = run_with({"policies.lottery_cap.cap_share": {"Duiven": 0.05, "Westervoort": 0.05}})
    lets, q = decided_in_run(out["lettings"]), out["quotas"]
    for muni in ("Duiven", "Westervoort"):
        row = q[(q.municipality == muni) & (q.item == "lottery_cap")].iloc[0]
        assert row.used <= row.limit
        vac = q[(q.municipality == muni) & (q.item == "vacancies")].used.iloc[0]
        assert (lets[(lets.municipality == muni)].channel == "lottery").sum() <= 0.05 * vac
        assert row.requested > row.used  # the tight cap displaced lottery uses


def test_status_holders_direct_capped_and_spread() -> None:
    # The full world (the task is sized for it), with a short pilot and burn-in.
    cfg = Config.model_validate({"run": {"pilot_years": 10.0, "burnin_years": 2.0}})
    out = simulate(cfg, build_stock(cfg), 0)
    lets, q = out["lettings"], out["quotas"]
    sh = lets[lets.seeker_kind == "status_holder"]
    assert (sh.channel == "direct").all() and len(sh) > 0
    # The cap counted from the lettings themselves, not from the ledger that enforces it:
    # at each direct letting's vacancy, the status holders' direct lettings of the year so
    # far are at most 10% of the municipality's vacancies so far (those let by the
    # horizon: a lower bound, so the check is if anything stricter than the rule).
    vacated = lets.day - lets.vacant_days
    checked = 0
    for muni in ("Duiven", "Westervoort"):
        row = q[(q.municipality == muni) & (q.item == "status_holder_cap")].iloc[0]
        assert row.used <= row.limit
        here = (lets.municipality == muni) & (vacated >= 0)
        direct = np.sort(vacated[here & (lets.seeker_kind == "status_holder")].to_numpy())
        vacancies = np.sort(vacated[here].to_numpy())
        for k, t in enumerate(direct, start=1):
            so_far = np.searchsorted(vacancies, t, side="right")
            assert k <= math.floor(0.10 * so_far + 1e-9), (muni, t, k, so_far)
            checked += 1
        # The ledger counts the same decisions; one decided late in December whose tenancy
        # starts after the horizon is in the ledger but not among the run's lettings.
        assert row.used - 2 <= len(direct) <= row.used
    assert checked > 10
    months = (sh.day // 30.4).astype(int)
    assert months.nunique() >= 9  # spread over the year, not lumped
    # Housed persons never exceed the year's arrivals plus those already waiting on day 0
    # (the burn-in's backlog).
    seekers = out["seekers"]
    waiting = seekers[
        (seekers.kind == "status_holder") & (seekers.entry_day < 0) & (seekers.outcome_day >= 0)
    ]
    backlog = waiting.groupby("origin_municipality", observed=True).household_size.sum()
    task = q[q.item == "status_holder_task_persons"]
    for row in task.itertuples():
        assert row.used <= row.requested + backlog.get(row.municipality, 0), row


def test_status_holders_who_refuse_direct_allocation_stay_in_the_queue() -> None:
    """allocation.p_refuse_direct: when every offer is refused no status holder is housed
    directly and the homes go to adverts; when none is, some are (the same world)."""
    direct = {}
    for p in (0.0, 1.0):
        lets = run_with({"allocation.p_refuse_direct": p})["lettings"]
        direct[p] = int((lets.channel == "direct").sum())
        assert (lets.channel != "direct").sum() > 0
    assert direct[1.0] == 0 < direct[0.0]


def test_sheltered_outflow_is_urgent() -> None:
    out = run_with(
        {"policies.sheltered_outflow.households_per_year": {"Duiven": 40.0, "Westervoort": 40.0}}
    )
    lets = out["lettings"]
    sheltered = lets[lets.seeker_kind == "sheltered_outflow"]
    assert len(sheltered) > 0 and set(sheltered.group) == {"urgent"}
    offers = out["offers"].merge(out["seekers"][["seeker_id", "kind"]], on="seeker_id")
    assert set(offers.loc[offers.kind == "sheltered_outflow", "priority"]) <= {0, 1}


def test_custom_rule_caps_urgent_share() -> None:
    out = run_with(
        {
            "policies.custom": [{"neighbourhood": "Broeklanden", "max_share_urgent": 0.0}],
            "policies.sheltered_outflow.households_per_year": {"Duiven": 30.0, "Westervoort": 30.0},
        }
    )
    lets = decided_in_run(out["lettings"])
    broek = lets[lets.neighbourhood == "Broeklanden"]
    assert len(broek) > 0
    assert not broek.seeker_kind.isin(["urgent", "sheltered_outflow"]).any()
    other = lets[lets.neighbourhood != "Broeklanden"]
    assert other.seeker_kind.isin(["urgent", "sheltered_outflow"]).any()


def test_new_build_first_letting_and_demolition() -> None:
    project = {
        "name": "Test",
        "municipality": "Duiven",
        "village": "Loo",
        "neighbourhood": "Loo-Noord",
        "completion_date": dt.date(2022, 6, 1),
        "n_homes": 6,
        "dwelling_type": "senior",
        "bedrooms": 2,
        "rent_2021": 600.0,
        "senior_suitable": True,
        "first_channel": "lottery",
        "demolishes": 2,
    }
    data = small_config(end_date=dt.date(2023, 1, 1)).model_dump()
    data["new_build"]["projects"] = [project]
    cfg = Config.model_validate(data)
    stock = build_stock(cfg)
    out = simulate(cfg, stock, 0)
    lets = out["lettings"]
    new = lets[lets.neighbourhood == "Loo-Noord"]
    start = (dt.date(2022, 6, 1) - dt.date(2022, 1, 1)).days
    assert len(new) >= 1 and (new.day >= start).all()
    first = new[new.vacancy_cause == "new_build"]
    assert set(first.rule) == {"new_build"} and set(first.channel) <= {"lottery", "offer"}
    gone = stock.home_id[np.isfinite(stock.withdraw_day)]
    assert len(gone) == 2
    withdrawn_day = float(stock.withdraw_day[np.isfinite(stock.withdraw_day)][0])
    assert not ((lets.home_id.isin(gone)) & (lets.day > withdrawn_day + 60)).any()


def test_transformation_removes_large_homes() -> None:
    out = run_with({"policies.transformation.share_withdrawn": 1.0}, end=dt.date(2025, 1, 1))
    stock = build_stock(small_config())
    large = stock.home_id[stock.bedrooms >= 4]
    assert not decided_in_run(out["lettings"]).home_id.isin(large).any()
    q = out["quotas"]
    assert q.loc[q.item == "transformed", "used"].sum() > 0


def test_burn_in_is_not_recorded() -> None:
    out = run_with({}, end=dt.date(2022, 4, 1))
    assert (out["lettings"].day >= 0).all() and len(out["lettings"]) > 0
    assert (out["adverts"].close_day >= 0).all()
    assert (out["responses"].day >= 0).all()
    assert set(out["quotas"].year) == {2022}
    # The seekers table holds the households on the list at some time in the run.
    assert (out["seekers"].outcome_day >= 0).all()


def test_households_drawn_ahead_follow_the_settings_in_force() -> None:
    """The sheltered outflow is drawn ahead for the whole run (a plan): a scenario that
    raises it at the policy start registers at its own rate from then on (about 400 a
    year against 9), while one that changes another rule registers exactly the households
    its history planned (the same keys, birth days and registration days)."""
    from allocsim.engine import simulate_scenarios

    base = small_config(end_date=dt.date(2024, 1, 1))
    data = base.model_dump()
    data["policies"]["sheltered_outflow"]["households_per_year"] = {
        "Duiven": 200.0,
        "Westervoort": 200.0,
    }
    raised = Config.model_validate(data)
    data = base.model_dump()
    data["policies"]["starter_pilot"]["enabled"] = False
    other = Config.model_validate(data)
    outs = simulate_scenarios([base, raised, other], build_stock(base), 0, record_offers=False)
    after = []
    for out in outs:
        s = out["seekers"]
        s = s[(s.kind == "sheltered_outflow") & (s.entry_day >= 0)]
        after.append(s.sort_values("seeker_id")[["birth_day", "entry_day"]].to_numpy())
    years = 2.0
    assert len(after[0]) / years < 30 and abs(len(after[1]) / years - 400) < 4 * np.sqrt(800) / 2
    np.testing.assert_array_equal(after[0], after[2])


def test_quota_limits_are_the_rules_in_force_that_year() -> None:
    """A year before run.policy_start is held to the history's limits, and its quota rows
    say so: a scenario without the starter pilot whose history has it shows 2021's labels
    against the history's quota (8 and 6), 2022's against 0; the lottery cap and the
    status holders' cap follow the history's shares in 2021 and the scenario's in 2022."""
    data = small_config(
        start_date=dt.date(2021, 1, 1),
        end_date=dt.date(2023, 1, 1),
        policy_start=dt.date(2022, 1, 1),
    ).model_dump()
    data["history_policies"] = {
        "starter_pilot": {"enabled": True, "quota_per_year": {"Duiven": 8, "Westervoort": 6}},
        "lottery_cap": {"cap_share": {"Duiven": 0.15, "Westervoort": 0.15}},
        "status_holders": {"cap_share": 0.10},
    }
    data["policies"]["starter_pilot"]["enabled"] = False
    data["policies"]["lottery_cap"]["cap_share"] = {"Duiven": 0.30, "Westervoort": 0.30}
    data["policies"]["status_holders"]["cap_share"] = 0.20
    cfg = Config.model_validate(data)
    q = simulate(cfg, build_stock(cfg), 0)["quotas"].set_index(["year", "municipality", "item"])
    for muni, quota in (("Duiven", 8), ("Westervoort", 6)):
        assert q.loc[(2021, muni, "starter_labels"), "limit"] == quota
        assert q.loc[(2022, muni, "starter_labels"), "limit"] == 0
        assert q.loc[(2022, muni, "starter_labels"), "used"] == 0
        for year, share in ((2021, 0.15), (2022, 0.30)):
            vacancies = q.loc[(year, muni, "vacancies"), "used"]
            limit = q.loc[(year, muni, "lottery_cap"), "limit"]
            assert limit == math.floor(share * vacancies + 1e-9)
        for year, share in ((2021, 0.10), (2022, 0.20)):
            vacancies = q.loc[(year, muni, "vacancies"), "used"]
            limit = q.loc[(year, muni, "status_holder_cap"), "limit"]
            assert limit == math.floor(share * vacancies + 1e-9)
    assert q.loc[(slice(None), slice(None), "starter_labels"), "used"].sum() > 0
