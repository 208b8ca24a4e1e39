"""The scenario schema: one typed, frozen model holding every default.

A scenario is a TOML file that may `extends` another (read by `allocsim.loader`, which
also applies `--set key.path=value` overrides through the same validation). Every default
number carries its source or the word "assumption" in its description; the
README's config reference is generated from these descriptions
(`allocsim config-reference`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from allocsim.domain import GroupAges


class Section(BaseModel):
    """Every settings table: unknown keys refused, frozen, and no nan or inf anywhere
    (a day, age, rent or share must be a finite number)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_or_false_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        """`seed = true` is a slip, not the number 1 (pydantic would take it as 1)."""
        if isinstance(value, bool) and info.field_name is not None:
            annotation = cls.model_fields[info.field_name].annotation
            kinds = set(get_args(annotation)) or {annotation}
            if bool not in kinds and kinds & {int, float}:
                raise ValueError("a number, not true or false")
        return value


Share = float  # documented as a number in [0, 1]


def fill_from_defaults(value: Any, defaults: Mapping[str, BaseModel]) -> Any:
    """Partial entries of a fixed-key table (dwelling types, seeker kinds) are completed
    from the defaults, so `--set seekers.kinds.starter.leave_per_year=0.1` or a TOML
    table with one key changes just that key."""
    if not isinstance(value, dict):
        return value
    unknown = sorted(set(value) - set(defaults))
    if unknown:
        raise ValueError(f"keys among {', '.join(defaults)} (unknown: {', '.join(unknown)})")
    out: dict[str, Any] = {k: d.model_dump() for k, d in defaults.items()}
    for key, entry in value.items():
        out[key] = {**out[key], **entry} if isinstance(entry, dict) else entry
    return out


def share(default: float, doc: str) -> Any:
    return Field(default, ge=0.0, le=1.0, description=doc)


# --------------------------------------------------------------------------- run


class RunConfig(Section):
    start_date: dt.date = Field(dt.date(2022, 1, 1), description="First simulated day.")
    end_date: dt.date = Field(
        dt.date(2023, 1, 1), description="Horizon (exclusive). Seekers still waiting are censored."
    )
    burnin_years: float = Field(
        10.0,
        ge=0.0,
        le=200.0,
        allow_inf_nan=False,
        description="Years each replication simulates before start_date from its own seed state "
        "(negative days; not recorded, not in metrics). Trends (registrations, turnover, rents, "
        "income limits) are held at their start_date level. Assumption from measurement: 10 "
        "years after a pilot seed. Shorter ones fail the warm-up check against 20 years "
        "(`allocsim check-steady`, each replication its own pilot, 7 December 2026): at 2 years "
        "the lettings' interval reaches past the 5% margin (40 replications each), at 5 years "
        "seniors' success rate is 4% below that at 20 (interval 1.1%..7.1%, 100 each); see "
        "README 'Steady state' for 10 against 20. The window's flows (lettings, success "
        "rates) of two replications of one pilot are independent at any burn-in from 1 year "
        "(correlations within noise of zero over 200 pilots), the list's size is not (0.45 at "
        "2 years, 0.20 at 10): benchmarks/pilot_independence.py.",
    )
    seed_state: Literal["pilot", "profiles", "list"] = Field(
        "pilot",
        description="Where a replication's burn-in starts. 'pilot': the end state of a long "
        "run of the same history (pilot_years; one of run.pilots), resampled per replication: "
        "the waiting list "
        "bootstrapped, the homes' registration dates and tenants permuted within dwelling "
        "type, every household's demographic exit drawn anew (given that it is there since "
        "its exit was first drawn), so each "
        "replication starts near the stationary state yet from its own draw. 'profiles': a "
        "list drawn from the kind profiles (registered_per_home), far from stationary. 'list': "
        "the analyst's waiting list (seekers.list_csv_path) on start_date, the homes' other "
        "tenants from the pilot; needs burnin_years = 0.",
    )
    pilot_years: float = Field(
        80.0,
        ge=0.0,
        le=200.0,
        allow_inf_nan=False,
        description="Length of the pilot run (seed_state = 'pilot'), computed once per history "
        "and process. Assumption from measurement: the slowest mode, the tenants' "
        "registration dates (kept until the household leaves the stock), settles in about 80 "
        "years from the profile seed in the bundled world; `allocsim check-steady` measures "
        "what remains.",
    )
    pilots: int = Field(
        1,
        ge=1,
        le=10_000,
        description="Independent pilot runs (seed_state = 'pilot'); replication r starts from "
        "pilot r mod pilots. One pilot is one draw of the slow state (the tenants' ages and "
        "registration dates), shared by the replications that start from it: their figures "
        "vary around that draw's level, not the model's. Assumption: 1, as a pilot costs 80 "
        "simulated years; the price is that a run's levels of the slow stocks carry its "
        "pilot's draw: two replications of one pilot correlate 0.20 in the registered "
        "seekers on start_date at a 10-year burn-in, while their lettings and success rates "
        "in the window are independent (correlations within noise of zero; 200 pilots, trends "
        "off, 7 December 2026, after each replication drew its households' exits anew; before, "
        "copied from the pilot, they correlated 0.30: benchmarks/pilot_independence.py, README "
        "'Steady state'). Scenarios of one history start from the same draw, so their "
        "differences are less exposed. `allocsim check-steady` gives each replication its own.",
    )
    policy_start: dt.date | None = Field(
        None,
        description="Date from which `policies` apply; before it the rules of "
        "`history_policies` do, so scenarios that differ only in policies share their history "
        "and it is simulated once per replication. Default: start_date.",
    )
    trend_base_date: dt.date | None = Field(
        None,
        description="Date at which trend factors (arrivals, turnover) are 1; default start_date. "
        "Fix it when one parameter set must serve runs of several years.",
    )
    seed: int = Field(
        20211207, ge=0, description="Root seed (default: signing date of the agreement)."
    )
    replications: int = Field(1, ge=1, le=100_000, description="Independent replications.")


# ------------------------------------------------------------------------- stock


class Area(Section):
    municipality: str
    village: str
    n_homes: int = Field(
        ge=0,
        le=1_000_000,
        description="Vivare social rental homes in the village (at most a million: the whole "
        "Entree region has about 90,000).",
    )
    neighbourhoods: tuple[str, ...] = Field(min_length=1)


class DwellingType(Section):
    share: float = Field(ge=0.0, le=1.0, description="Share of the stock of this type.")
    bedroom_shares: dict[int, float] = Field(description="Share of homes by number of bedrooms.")
    senior_suitable_share: float = Field(
        ge=0.0, le=1.0, description="Share with bedroom and bathroom on the ground floor."
    )
    turnover_per_year: float = Field(
        ge=0.0,
        le=1.0,
        description="Yearly hazard of falling vacant for a reason other than the tenant's "
        "demography (death, care and moving away come from `demography`): the non-demographic "
        "remainder of turnover.",
    )
    rent_2021_base: float = Field(
        ge=0.0, description="Mean monthly rent of a 1-bedroom home, 2021."
    )
    rent_2021_per_bedroom: float = Field(ge=0.0, description="Extra rent per extra bedroom.")
    rent_2021_sd: float = Field(ge=0.0, description="Spread of rents around the mean.")


DWELLING_TYPES = ("single_family", "apartment", "senior")


def _default_areas() -> tuple[Area, ...]:
    # Assumption: Vivare's stock per village is not public. Duiven (about 25,000
    # inhabitants) is taken to have about 2,600 Vivare homes and Westervoort (about
    # 15,000) about 2,300: social rent is a larger share of Westervoort's housing.
    # Loo (~1,000 inhabitants) and Groessen (~2,000) get a village-sized share.
    # Replace with Vivare's stock file (stock.csv_path) for real work.
    return (
        Area(
            municipality="Duiven",
            village="Duiven",
            n_homes=2300,
            neighbourhoods=("Centrum", "Spotvogelstraat", "Eilandje", "Horsterhoek", "Ploen"),
        ),
        Area(municipality="Duiven", village="Loo", n_homes=110, neighbourhoods=("Loo",)),
        Area(municipality="Duiven", village="Groessen", n_homes=190, neighbourhoods=("Groessen",)),
        Area(
            municipality="Westervoort",
            village="Westervoort",
            n_homes=2300,
            neighbourhoods=("Broeklanden", "Dorp", "Vredenburg", "Schans"),
        ),
    )


def _default_dwelling_types() -> dict[str, DwellingType]:
    # Assumption: shares and rents typical of a Dutch corporation's stock in a
    # suburban municipality. Turnover here is the remainder that is not the tenant's
    # demography (death, care and moving away by age, `demography`, give the rest of the
    # exogenous vacancies); chain moves inside the stock add to both, for about 6% in all
    # (DOMAIN.md: mutatiegraad ~6%). Calibrated: the levels are fitted to Entree's
    # households housed in 2020-2021 together with the hazard of moving away (parameter
    # 'exits', calibration/entree-2020-2021/: 0.846 times 0.61%, 1.13% and 1.04% a year,
    # 95% interval 0.43-1.26 times).
    return {
        "single_family": DwellingType(
            share=0.50,
            bedroom_shares={2: 0.10, 3: 0.70, 4: 0.20},
            senior_suitable_share=0.03,
            turnover_per_year=0.00516,
            rent_2021_base=500.0,
            rent_2021_per_bedroom=45.0,
            rent_2021_sd=50.0,
        ),
        "apartment": DwellingType(
            share=0.38,
            bedroom_shares={1: 0.25, 2: 0.55, 3: 0.20},
            senior_suitable_share=0.30,
            turnover_per_year=0.00956,
            rent_2021_base=470.0,
            rent_2021_per_bedroom=55.0,
            rent_2021_sd=50.0,
        ),
        "senior": DwellingType(
            share=0.12,
            bedroom_shares={1: 0.30, 2: 0.70},
            senior_suitable_share=1.0,
            turnover_per_year=0.00880,
            rent_2021_base=520.0,
            rent_2021_per_bedroom=50.0,
            rent_2021_sd=40.0,
        ),
    }


class StockConfig(Section):
    source: Literal["synthetic", "csv"] = Field(
        "synthetic", description="Generate the stock from the shares below, or read `csv_path`."
    )
    csv_path: str | None = Field(
        None, description="CSV of homes (columns in the README); relative to the config file."
    )
    synthetic_seed: int = Field(
        2021, ge=0, description="Seed of the synthetic stock; same stock in every replication."
    )
    areas: tuple[Area, ...] = Field(
        default_factory=_default_areas,
        description="Villages and their homes. Assumption (Vivare's stock is not public): "
        "Duiven core 2,300, Loo 110, Groessen 190, Westervoort 2,300 homes, from population "
        "(Duiven ~25,000, Westervoort ~15,000 inhabitants) and a larger social share in "
        "Westervoort. Replace with stock.csv_path.",
    )
    dwelling_types: dict[str, DwellingType] = Field(
        default_factory=_default_dwelling_types,
        description="Shares, bedrooms, rents and turnover by dwelling type. Assumption: typical "
        "of a suburban corporation; exogenous turnover ~4.8%/year, plus chain moves ~6-7% "
        "(DOMAIN.md: mutatiegraad ~6%).",
    )
    rent_increase_per_year: float = Field(
        0.033,
        ge=-0.1,
        le=0.2,
        description="Yearly rent indexation from the 2021 price level. Source: maximum rent "
        "increase for social homes 1 July 2022, 3.3% (Rijksoverheid).",
    )
    turnover_trend_per_year: float = Field(
        0.0,
        ge=-0.5,
        le=1.0,
        description="Yearly growth of the turnover hazard from run.trend_base_date. Assumption: "
        "flat. The region's 2020-2021 fit gives -0.035 (95% interval -0.059 to -0.011, "
        "parameter 'turnover_trend'), which the region configs set; one year's growth is not "
        "extrapolated to the local world.",
    )
    notice_days: float = Field(
        30.0,
        ge=0.0,
        description="Tenant's notice period before a chain move frees the old home."
        " Source: one month minimum notice (Burgerlijk Wetboek 7:271).",
    )
    rent_min_2021: float = Field(
        380.0, ge=0.0, description="Floor of synthetic rents. Assumption: lowest social rents."
    )
    rent_max_2021: float = Field(
        752.33, ge=0.0, description="Ceiling of synthetic rents: liberalisation limit 2021."
    )

    @field_validator("dwelling_types", mode="before")
    @classmethod
    def _fill_types(cls, value: Any) -> Any:
        return fill_from_defaults(value, _default_dwelling_types())

    @model_validator(mode="after")
    def _check(self) -> StockConfig:
        problems = []
        if set(self.dwelling_types) != set(DWELLING_TYPES):
            problems.append(f"dwelling_types must have exactly the keys {list(DWELLING_TYPES)}")
        total = sum(t.share for t in self.dwelling_types.values())
        if abs(total - 1.0) > 1e-6:
            problems.append(f"dwelling_types shares sum to {total:.4f}, must sum to 1")
        for name, t in self.dwelling_types.items():
            s = sum(t.bedroom_shares.values())
            if abs(s - 1.0) > 1e-6:
                problems.append(f"dwelling_types.{name}.bedroom_shares sum to {s:.4f}, must be 1")
            if any(b < 1 or b > 6 for b in t.bedroom_shares):
                problems.append(f"dwelling_types.{name}.bedroom_shares keys must be 1..6")
        if self.source == "csv" and not self.csv_path:
            problems.append("source = 'csv' needs csv_path")
        if self.source == "synthetic" and self.csv_path:
            problems.append(
                f"csv_path = {self.csv_path!r} is set but source is 'synthetic', so the file "
                "would be ignored: set source = 'csv' (or remove csv_path)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


# ----------------------------------------------------------------------- seekers


class KindProfile(Section):
    share_initial: float = Field(ge=0.0, le=1.0, description="Share of the seed list.")
    share_arrivals: float = Field(ge=0.0, le=1.0, description="Share of new registrations.")
    age_mean: float = Field(ge=16.0, le=100.0, description="Mean age (truncated normal).")
    age_sd: float = Field(ge=0.0, description="Spread of age.")
    age_min: float = Field(ge=16.0, le=100.0, description="Youngest.")
    age_max: float = Field(ge=16.0, le=105.0, description="Oldest.")
    household_size_shares: tuple[float, float, float, float, float] = Field(
        description="Shares of households of 1, 2, 3, 4 and 5+ persons."
    )
    income_median: float = Field(ge=0.0, description="Median yearly household income, euro 2022.")
    income_sigma: float = Field(ge=0.0, le=3.0, description="Log-normal spread of income.")
    share_active: float = Field(
        ge=0.0, le=1.0, description="Share of the seed list who respond to adverts."
    )
    looks_per_week: float = Field(
        ge=0.0,
        le=10.0,
        description="Rate at which an active (searching) household looks at the week's adverts; "
        "it looks in a given week with chance 1 - exp(-rate) and then responds where a home is "
        "worth it (section `behaviour`).",
    )
    meettijd_credit_years: float = Field(
        ge=0.0,
        description="Mean meettijd (years, gamma with shape 2) a household of this kind holds "
        "when it registers: for tenants outside the stock the woonduur of their home (Entree: a "
        "tenant may register with its woonduur). Movers from the stock take their home's "
        "registration date instead; for them this is the meettijd the burn-in's seed tenants "
        "held when their tenancy began.",
    )
    leave_per_year: float = Field(ge=0.0, le=5.0, description="Hazard of leaving the list.")


def _kinds() -> dict[str, KindProfile]:
    # Assumption throughout: Entree does not publish the make-up of its list. The
    # shares reproduce the picture in DOMAIN.md: mostly passive, many starters,
    # doorstromers with long meettijd (woonduur), a few urgent households.
    # share_active shapes only the pilot's seed list (the steady state sets its own).
    # looks_per_week is calibrated to Entree's responses per advert and active seekers,
    # 2020-2021: parameter 'looks', a multiplier 1.499 (95% interval 0.3-3.0, the whole
    # search range: the eight targets do not pin nine parameters apart) of the earlier
    # 1.56, 1.04, 1.21 and 3.12 (calibration/entree-2020-2021/). leave_per_year (leaving
    # the list for a reason that is not demographic: housed outside the corporations'
    # stock, a registration not renewed) likewise: parameter 'list_exits', 1.761 times the
    # earlier assumption 0.03, 0.03, 0.05 (95% interval 0.2-5.1); urgent households' is an
    # assumption (an urgency statement is short-lived).
    return {
        "starter": KindProfile(
            share_initial=0.568,
            share_arrivals=0.63,
            age_mean=25.0,  # CBS: young people left home at 23.5 on average (2017)
            age_sd=7.0,  # later household formation (separation, a partner leaving): the tail
            age_min=18.0,
            age_max=70.0,
            household_size_shares=(0.62, 0.25, 0.08, 0.04, 0.01),
            income_median=26_000.0,
            income_sigma=0.45,
            share_active=0.212,
            looks_per_week=2.338,
            meettijd_credit_years=0.0,  # registers when it starts to search (or at 18, 1.7)
            leave_per_year=0.0528,
        ),
        "mover_stock": KindProfile(
            share_initial=0.17,
            share_arrivals=0.12,
            age_mean=55.0,
            age_sd=16.0,
            age_min=20.0,
            age_max=95.0,
            household_size_shares=(0.45, 0.30, 0.12, 0.09, 0.04),
            income_median=27_000.0,
            income_sigma=0.40,
            share_active=0.241,
            looks_per_week=1.559,
            meettijd_credit_years=12.0,  # seed tenants only; then the kept date
            leave_per_year=0.0528,
        ),
        "mover_elsewhere": KindProfile(
            share_initial=0.26,
            share_arrivals=0.23,
            age_mean=42.0,
            age_sd=14.0,
            age_min=20.0,
            age_max=95.0,
            household_size_shares=(0.45, 0.27, 0.14, 0.10, 0.04),
            income_median=31_000.0,
            income_sigma=0.45,
            share_active=0.241,
            looks_per_week=1.813,
            meettijd_credit_years=8.0,  # woonduur elsewhere
            leave_per_year=0.0880,
        ),
        "urgent": KindProfile(
            share_initial=0.002,
            share_arrivals=0.02,
            age_mean=38.0,
            age_sd=14.0,
            age_min=18.0,
            age_max=95.0,
            household_size_shares=(0.55, 0.20, 0.12, 0.09, 0.04),
            income_median=19_000.0,
            income_sigma=0.30,
            share_active=1.0,
            looks_per_week=4.676,
            meettijd_credit_years=2.0,
            leave_per_year=0.30,
        ),
    }


SEEKER_KINDS = ("starter", "mover_stock", "mover_elsewhere", "urgent")


class SeekersConfig(Section):
    registered_per_home: float = Field(
        2.4,
        ge=0.0,
        le=20.0,
        description="Registered households per home of the seed list (the pilot's start, or "
        "every replication's with seed_state = 'profiles'); the steady state sets its own "
        "level. Assumption: Entree's 61,000 active seekers on ~90,000 homes (0.68 per home) at "
        "~28% active gives ~2.4 registered per home.",
    )
    arrivals_per_home_per_year: float = Field(
        0.1314,
        ge=0.0,
        le=5.0,
        description="New registrations per home per year. Calibrated (Entree 2020-2021 and the "
        "share never responding, parameter 'arrivals': 1.133 x 0.116, 95% interval 0.5-2.0 "
        "times, the whole search range).",
    )
    arrivals_trend_per_year: float = Field(
        0.0,
        ge=-0.5,
        le=1.0,
        description="Yearly growth of registrations from run.trend_base_date. Assumption: flat. "
        "The region's 2020-2021 fit gives 0.386 (95% interval -0.2 to 0.4, parameter "
        "'arrivals_trend'), which the region configs set; one year's growth is not "
        "extrapolated to the local world.",
    )
    arrivals_share_active: float = share(
        0.579,
        "Share of new registrants who respond from the start. Calibrated (Entree 2020-2021, "
        "parameter 'activity').",
    )
    income_multi_factor: float = Field(
        1.3,
        ge=0.5,
        le=3.0,
        description="Income of 2+ person households relative to the "
        "profile median. Assumption: a second earner in part of them.",
    )
    activation_per_year: float = Field(
        0.0463,
        ge=0.0,
        le=5.0,
        description="Hazard of a passive registrant starting to search. Calibrated (Entree "
        "2020-2021, parameter 'activation', 95% interval 0.005-0.099).",
    )
    deactivation_per_year: float = Field(
        0.0716,
        ge=0.0,
        le=10.0,
        description="Hazard of a searching household (not urgent) giving up while staying "
        "registered. Calibrated (Entree 2020-2021, parameter 'deactivation', 95% interval "
        "0.05-0.47).",
    )
    search_gap_days: float = Field(
        365.0,
        ge=1.0,
        le=3650.0,
        description="A search (zoektijd) starts at a household's first response after at "
        "least this long without one, and ends when it is housed: the lettings' "
        "`search_days`. Reading of the 'actief woningzoekende' of Entree's year figures (a "
        "household that responded in the past year) and of RIGO's zoektijd, the time from the "
        "first response of an active search to being housed (RIGO, 'Wachten, zoeken en "
        "vinden', 2016).",
    )
    other_village_share: float = share(
        0.35, "Chance a seeker also wants each other village. Assumption."
    )
    senior_age: float = Field(65.0, ge=50.0, le=90.0, description="Age of the seniors group.")
    starter_group_max_age: float = Field(
        27.0,
        ge=18.0,
        le=40.0,
        description="Starters up to and including this age form the reporting group "
        "starter_18_27 (the starter pilot's age, clause 1.6). A reporting group: it stays "
        "fixed when a scenario changes the pilot's own max_age, so groups compare.",
    )

    def group_ages(self) -> GroupAges:
        return GroupAges(senior=self.senior_age, starter_max=self.starter_group_max_age)

    senior_needs_suitable_share: float = share(
        0.6, "Share of seniors who only want senior-suitable homes. Assumption."
    )
    register_at_18_share: float = share(
        0.25,
        "Clause 1.7 lever: share of starters who registered at 18 rather than when they began "
        "to search. Assumption (baseline before the awareness campaign).",
    )
    meettijd_rule: Literal["entree_2013", "woonduur"] = Field(
        "entree_2013",
        description="Registration date of a household housed through allocation. "
        "'entree_2013' (source: entree.nu, registration-date pages, DOMAIN.md section 2): it "
        "keeps the date it had and its meettijd runs on in the new home. 'woonduur': the rule "
        "before 2013, the date restarts at the new tenancy. Applied throughout the burn-in.",
    )
    list_csv_path: str | None = Field(
        None,
        description="CSV of registered households (columns in the README) that every "
        "replication starts from with run.seed_state = 'list'; relative to the config file. "
        "`allocsim export-seekers` writes the template.",
    )
    housed_stay_registered: bool = Field(
        True,
        description="A household housed through allocation stays registered, as a passive "
        "mover from the stock with its kept date, and may start to respond again at "
        "activation_per_year. Reading of Entree's rule that the registration is kept across "
        "moves since 2013 (DOMAIN.md section 2); false: it leaves the list and its date stays "
        "with its home for when it registers again.",
    )
    kinds: dict[str, KindProfile] = Field(
        default_factory=_kinds,
        description="Profiles of the seeker kinds. Assumption throughout (Entree does not "
        "publish its list's make-up): mostly passive, many starters, doorstromers with long "
        "meettijd (woonduur), few urgent households; calibrated in issue 5.",
    )

    @field_validator("kinds", mode="before")
    @classmethod
    def _fill_kinds(cls, value: Any) -> Any:
        return fill_from_defaults(value, _kinds())

    @model_validator(mode="after")
    def _check(self) -> SeekersConfig:
        problems = []
        if set(self.kinds) != set(SEEKER_KINDS):
            problems.append(f"kinds must have exactly the keys {list(SEEKER_KINDS)}")
        for field in ("share_initial", "share_arrivals"):
            s = sum(getattr(k, field) for k in self.kinds.values())
            if abs(s - 1.0) > 1e-6:
                problems.append(f"kinds.*.{field} sum to {s:.4f}, must sum to 1")
        for name, k in self.kinds.items():
            s = sum(k.household_size_shares)
            if abs(s - 1.0) > 1e-6:
                problems.append(f"kinds.{name}.household_size_shares sum to {s:.4f}, must be 1")
            if k.age_min > k.age_max:
                problems.append(f"kinds.{name}.age_min {k.age_min} exceeds age_max {k.age_max}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


# -------------------------------------------------------------------- demography


AgeTable = dict[int, float]


def _check_age_table(value: AgeTable, what: str) -> AgeTable:
    if not value:
        raise ValueError(f"{what}: at least one age")
    for age, rate in value.items():
        if not 0 <= age < 110:
            raise ValueError(f"{what}: age {age} must be 0-109")
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"{what}: value {rate} at age {age} must be within 0-1")
    return dict(sorted(value.items()))


class DemographyConfig(Section):
    """People who age and leave (allocsim/demography.py): death and moves into care per
    person, leaving the region or the social sector per household, by age, for tenants and
    registered households alike. Each table gives values at ages; between two ages the
    value is interpolated on a log scale, before the first and beyond the last the end
    values hold. A household's age is
    its head's; a couple's home frees when its last partner dies or moves into care."""

    death_probability: AgeTable = Field(
        default_factory=lambda: dict(_DEATH),
        description="Probability of dying within the year from an age (q_x, men and women "
        "together, 2019, the last year before covid). Source: CBS StatLine 70701ned "
        "'Overlevingskansen; geslacht, leeftijd' (q40 0.0007, q60 0.0054, q80 0.0418), between "
        "and beyond them a two-part Gompertz fit to those figures (life expectancy at 65: 20.3 "
        "years against CBS's 20.1); over 99 the fit's continuation (assumption). The table "
        "closes at omega_age.",
    )
    care_per_year: AgeTable = Field(
        default_factory=lambda: dict(_CARE),
        description="Hazard of a person moving into residential care (Wlz, a nursing home) at "
        "an age. Assumption from prevalence: 10% of those aged 80-89 and 32% of those 90 or "
        "older lived in an institution in 2015 (CBS, Huishoudensprognose 2015-2060, 2016); 46% "
        "of the over-80s who died in 2017 lived in a care home (CBS Statistische Trends 2020); "
        "with a stay of about two years that is the hazard given here.",
    )
    moving_away_per_year: AgeTable = Field(
        default_factory=lambda: dict(_MOVING_AWAY),
        description="Hazard of a household leaving the region or the social rental sector (to "
        "owner-occupation, for work or study elsewhere, to a partner) at its head's age, for "
        "tenants and registered households alike. Assumption from CBS's moves between "
        "municipalities and emigration by age, 2017 (CBS Statistische Trends 2020, 'Een "
        "analyse van het verhuisgedrag van zestigers', table 1: 13% at 23, 4% at 40, 1.6% at "
        "65, all tenures), scaled by about 0.3: social tenants move less, and most of their "
        "moves stay in the region and the sector, which the model holds as chain moves.",
    )
    moving_away_scale: float = Field(
        0.846,
        ge=0.0,
        le=5.0,
        description="Multiplier of moving_away_per_year: the level is calibrated with the "
        "remaining turnover (parameter 'exits', calibration/entree-2020-2021/: 0.846, 95% "
        "interval 0.43-1.26), the shape by age is CBS's.",
    )
    couple_share: float = share(
        0.86,
        "Share of households of two or more persons that are couples (two lives of the head's "
        "age; the rest are one adult with others). Source: CBS StatLine 71486ned "
        "'Huishoudens; samenstelling, grootte', 2021: about 4.2 of 4.9 million multi-person "
        "households are couples.",
    )
    omega_age: float = Field(
        110.0,
        ge=100.0,
        le=125.0,
        description="The life table's closing age: nobody lives beyond it (a life table ends "
        "in an open age class; CBS publishes ages to 99, the Actuarieel Genootschap's "
        "projection tables to 120). Assumption: the oldest in the Netherlands reach about 110.",
    )

    @field_validator("death_probability", "care_per_year", "moving_away_per_year")
    @classmethod
    def _tables(cls, value: AgeTable, info: Any) -> AgeTable:
        return _check_age_table(value, str(info.field_name))


# Sterftekans q_x (dying between ages x and x + 1), men and women together, 2019. Source:
# CBS StatLine 70701ned 'Overlevingskansen; geslacht, leeftijd', 2019: q40 = 0.0007,
# q60 = 0.0054, q80 = 0.0418, ten-year survival 44.4% from 80, 91.7% from 60. Between and
# beyond them a two-part Gompertz fit to those figures (0.005415 exp(0.10325 (x - 60)) below 80,
# plus 0.00013 below 40; 0.042699 exp(0.1282 (x - 80)) from 80), which gives a life expectancy
# at 65 of 20.3 years against CBS's 20.1 for 2019. Ages over 99 are the fit's continuation
# (assumption; the table closes at omega_age).
_DEATH: AgeTable = {
    18: 0.0002,
    25: 0.0003,
    30: 0.0004,
    35: 0.0005,
    40: 0.0007,
    45: 0.0012,
    50: 0.0019,
    55: 0.0032,
    60: 0.0054,
    65: 0.0090,
    70: 0.0151,
    75: 0.0252,
    80: 0.0418,
    85: 0.0779,
    90: 0.1426,
    95: 0.2533,
    99: 0.3860,
    105: 0.6510,
    109: 0.8276,
}
# Moves into residential care per year, by age (assumption from prevalence and deaths:
# CBS, Huishoudensprognose 2015-2060 (2016): 10% of those aged 80-89 and 32% of those 90 or
# older lived in an institution in 2015; CBS Statistische Trends 2020, 'Laatste levensjaren
# tachtigplussers': 46% of the over-80s who died in 2017 lived in a care home, 20% two years
# before. With a stay of about two years these hazards give those shares.)
_CARE: AgeTable = {
    60: 0.0005,
    67: 0.002,
    72: 0.004,
    77: 0.010,
    82: 0.025,
    87: 0.055,
    92: 0.10,
    97: 0.15,
}
# A household leaving the region or the social rental sector per year, by its head's age
# (assumption from CBS's moves between municipalities and emigration by age, 2017, CBS
# Statistische Trends 2020 'Een analyse van het verhuisgedrag van zestigers', table 1: 13%
# at 23, 8.6% at 30, 4% at 40, 2.4% at 50, 1.6% at 65, all tenures; scaled by about 0.3:
# social tenants move less, and most of their moves stay in the region and the sector,
# which the model holds as chain moves, with their own registration).
_MOVING_AWAY: AgeTable = {
    21: 0.05,
    27: 0.04,
    32: 0.028,
    40: 0.015,
    50: 0.009,
    60: 0.006,
    70: 0.004,
    80: 0.003,
}


# -------------------------------------------------------------------- allocation


class AllocationConfig(Section):
    advert_cycle_days: int = Field(
        7, ge=1, le=31, description="Adverts are published once per cycle. Assumption: weekly."
    )
    response_window_days: int = Field(
        7, ge=1, le=60, description="Days an advert is open. Assumption (not published)."
    )
    max_responses_per_week: int = Field(
        2, ge=1, le=20, description="Responses a seeker may make per week. Assumption."
    )
    candidates_per_round: int = Field(
        5,
        ge=1,
        le=50,
        description="Candidates invited per viewing round. Source: 5-10 "
        "(gelderlander.nl); lower end taken.",
    )
    p_refuse_direct: float = share(
        0.0, "Chance a status-holder household refuses its direct allocation. Assumption."
    )
    days_to_accept: float = Field(
        10.0, ge=0.0, description="From advert close to acceptance by the first round. Assumption."
    )
    days_per_extra_round: float = Field(
        7.0, ge=0.0, description="Extra days for each further viewing round. Assumption."
    )
    days_to_move_in: float = Field(
        14.0, ge=0.0, description="From acceptance to the new tenancy. Assumption."
    )
    direct_allocation_days: float = Field(
        21.0, ge=0.0, description="Vacancy to letting for direct allocation. Assumption."
    )


class BehaviourConfig(Section):
    """How households choose where to respond and whether to accept (policies/behaviour.py).

    Values are in units of the spread of a household's taste for a home (standard
    deviation 1). None of them is set per channel: that lottery homes draw more, and
    shorter-registered, responders and are refused less comes out of the choices."""

    passive_looks_per_year: float = Field(
        0.967,
        ge=0.0,
        le=52.0,
        description="Rate at which a registered household that is not searching glances at "
        "the lottery adverts (a gamble costs little); it then responds to at most one. "
        "Calibrated (Entree 2020-2021 and the share never responding, parameter 'passive', "
        "95% interval 0-2.31).",
    )
    adverts_read_per_week: int = Field(
        12,
        ge=1,
        le=1000,
        description="A looking household reads at most this many of the week's adverts and "
        "weighs only those: the ones its saved search lists (villages it wants, bedrooms and "
        "rent it may take; a household that is not searching lists the lotteries only), in "
        "its own order (adverts come in over the week and it reads the newest when it looks: "
        "a keyed draw per household and advert). The order ignores channel and label; "
        "lotteries count toward the bound. Assumption, fixed before any lottery figure was "
        "measured: a page of search results, about a dozen adverts (Entree's own limit, two "
        "responses a week, bounds what it can act on, not what it reads).",
    )
    response_cost: float = Field(
        0.0005,
        gt=0.0,
        le=10.0,
        description="A household responds where chance x expected gain exceeds this. "
        "Assumption: small, so that a household with responses to spare uses them where its "
        "chance is slim, as Entree's 285-312 responses per advert show; not fitted (the "
        "looking rates carry the level).",
    )
    own_village_bonus: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        description="Extra value of a home in the household's own village. Assumption: "
        "households prefer to stay close (the village rules of 1.8 exist for that reason).",
    )
    viewing_sd: float = Field(
        1.0,
        ge=0.0,
        le=5.0,
        description="Spread of what the viewing reveals about a home beyond the advert. "
        "Assumption: as much as the advert shows.",
    )
    reservation_base: float = Field(
        0.0,
        ge=-5.0,
        le=5.0,
        description="Reservation value of a household with no prospects that has just begun "
        "to search (the value of staying where it is). Assumption: the median home is worth "
        "taking.",
    )
    reservation_prospect: float = Field(
        1.5,
        ge=0.0,
        le=10.0,
        description="Extra reservation value of a household whose meettijd beats every "
        "recent offer-model winner: it can wait for a better home. Assumption; RIGO/NUL20's "
        "lottery winners refuse far less often than offer-model winners (DOMAIN.md section 2).",
    )
    impatience_per_year: float = Field(
        0.3,
        ge=0.0,
        le=5.0,
        description="Fall of the reservation value per year of searching. Assumption.",
    )
    impatience_years: float = Field(
        5.0,
        ge=0.0,
        le=50.0,
        description="Searching longer lowers the reservation value no further. Assumption: "
        "search times of 1-5 years (RIGO 2016).",
    )
    no_show_margin: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="An invited household does not come to the viewing if the home, as the "
        "advert shows it, is worth this much less than its reservation value now. Assumption.",
    )
    p_unreachable: float = share(
        0.15,
        "Chance an invited household cannot be reached or has moved on. Assumption: with the "
        "households who lost interest, no-shows are a quarter to half of the invited "
        "(gelderlander.nl).",
    )
    memory_adverts: int = Field(
        12,
        ge=1,
        le=200,
        description="Recent similar adverts (same village, channel and label) a household "
        "looks at to judge its chance: their responses and winners, as Entree publishes them. "
        "Assumption.",
    )
    chance_prior: float = Field(
        0.01,
        ge=0.0,
        le=100.0,
        description="Pseudo-observations at an even chance in a household's estimate of "
        "its offer-model chance: nobody is sure it cannot win. Assumption.",
    )
    urgent_prospect: float = share(
        0.0,
        "Prospect an urgent household holds out with (its rank is first everywhere). "
        "Assumption: an urgency statement lapses when a suitable home is refused, so urgent "
        "households do not hold out.",
    )


class EligibilityConfig(Section):
    """Passend toewijzen and the DAEB income limit, 2022 (DOMAIN.md section 2)."""

    min_household_by_bedrooms: dict[int, int] = Field(
        default_factory=lambda: {1: 1, 2: 1, 3: 2, 4: 3, 5: 3, 6: 3},
        description="Smallest household for a home with this many bedrooms. Assumption.",
    )
    max_household_by_bedrooms: dict[int, int] = Field(
        default_factory=lambda: {1: 2, 2: 4, 3: 10, 4: 10, 5: 10, 6: 10},
        description="Largest household for a home with this many bedrooms. Assumption.",
    )
    income_limit_single: float = Field(40_765.0, ge=0.0, description="DAEB limit 2022, single.")
    income_limit_multi: float = Field(45_014.0, ge=0.0, description="DAEB limit 2022, multi.")
    allowance_limit_single: float = Field(
        24_075.0, ge=0.0, description="Rent-allowance income limit 2022, single below pension age."
    )
    allowance_limit_single_pension: float = Field(
        23_975.0, ge=0.0, description="Rent-allowance limit 2022, single at pension age."
    )
    allowance_limit_multi: float = Field(
        32_675.0, ge=0.0, description="Rent-allowance limit 2022, multi-person below pension age."
    )
    allowance_limit_multi_pension: float = Field(
        32_550.0, ge=0.0, description="Rent-allowance limit 2022, multi-person at pension age."
    )
    rent_cap_small: float = Field(
        633.25, ge=0.0, description="Aftoppingsgrens 2022, households of 1-2 persons."
    )
    rent_cap_large: float = Field(678.66, ge=0.0, description="Aftoppingsgrens 2022, 3+ persons.")
    limits_year: int = Field(2022, description="Year of the limits above.")
    limits_index_per_year: float = Field(
        0.02,
        ge=-0.1,
        le=0.2,
        description="Yearly indexation of limits after limits_year. Assumption.",
    )
    pension_age: float = Field(66.58, ge=60.0, le=70.0, description="AOW age 2022: 66 y 7 m.")

    @model_validator(mode="after")
    def _check(self) -> EligibilityConfig:
        for b in range(1, 7):
            lo = self.min_household_by_bedrooms.get(b)
            hi = self.max_household_by_bedrooms.get(b)
            if lo is None or hi is None:
                raise ValueError(f"household limits need every bedroom count 1..6 (missing {b})")
            if lo > hi:
                raise ValueError(f"bedrooms {b}: min household {lo} exceeds max {hi}")
        return self


# ---------------------------------------------------------------------- policies


MunicipalityValues = dict[str, float]


class StarterPilotConfig(Section):
    """Clause 1.6."""

    enabled: bool = Field(True, description="Switch the rule on or off.")
    quota_per_year: dict[str, int] = Field(
        default_factory=lambda: {"Duiven": 8, "Westervoort": 6},
        description="Homes labelled 'starter priority' per municipality per year (1.6).",
    )
    max_age: float = Field(27.0, description="Starters up to and including this age (1.6).")
    max_household: int = Field(2, ge=1, description="At most 2 persons (1.6).")
    max_bedrooms: int = Field(2, ge=1, description="Homes with 1 or 2 bedrooms (1.6).")
    max_rent_2021: float = Field(633.25, ge=0.0, description="Rent cap at 2021 price level (1.6).")
    lottery_share: float = share(0.5, "Half by lottery, half by the offer model (1.6).")
    odd_extra: Literal["lottery", "offer"] = Field(
        "offer",
        description="Where the extra label of an odd quota goes. Reading: the agreement is "
        "silent; offer keeps the lottery cap free.",
    )
    pacing: Literal["monthly", "first_come"] = Field(
        "monthly",
        description="monthly: by the end of month m at most ceil(quota*m/12) labels; "
        "first_come: label qualifying homes until the quota is used.",
    )


class VillageRuleConfig(Section):
    """Clause 1.8."""

    enabled: bool = Field(True, description="Switch the rule on or off.")
    villages: tuple[str, ...] = Field(("Loo", "Groessen"), description="Villages of clause 1.8.")
    senior_priority_age: float | None = Field(
        None,
        description="If set, seekers at least this old rank first for senior-suitable homes "
        "in these villages. Off: the agreement does not say it.",
    )


class LotteryCapConfig(Section):
    """Clause 1.8 footnote: at most 15% of a municipality's vacated homes by lottery."""

    enabled: bool = Field(True, description="Switch the rule on or off.")
    cap_share: MunicipalityValues = Field(
        default_factory=lambda: {"Duiven": 0.15, "Westervoort": 0.15},
        description="Huisvestingsverordening 2020-2023: 15%; 30% from 2024.",
    )
    precedence: tuple[Literal["village_rule", "starter_pilot", "general"], ...] = Field(
        ("village_rule", "starter_pilot", "general"),
        description="Order in which lottery uses get the cap's room; later uses give way.",
    )


class GeneralLotteryConfig(Section):
    share: MunicipalityValues = Field(
        default_factory=lambda: {"Duiven": 0.15, "Westervoort": 0.15},
        description="Share of other vacancies offered by lottery, within the cap. Assumption: "
        "municipalities use their cap (a Duiven core-town lottery home drew ~800 responses).",
    )


class StatusHolderConfig(Section):
    """Clause 1.13."""

    enabled: bool = Field(True, description="Switch the rule on or off.")
    task_persons_h1: MunicipalityValues = Field(
        default_factory=lambda: {"Duiven": 19.0, "Westervoort": 11.5},
        description="Task in persons, Jan-Jun. Assumption: national 13,500 per half year "
        "(H2 2022, gemeente.nu 2022-04) times population share (25,000 and 15,000 of 17.6M).",
    )
    task_persons_h2: MunicipalityValues = Field(
        default_factory=lambda: {"Duiven": 19.0, "Westervoort": 11.5},
        description="Task in persons, Jul-Dec. Same source and assumption.",
    )
    vivare_share_of_task: float = share(
        1.0, "Share of the task Vivare houses. Assumption: Vivare is the main corporation."
    )
    household_size_shares: tuple[float, float, float, float, float] = Field(
        (0.45, 0.20, 0.12, 0.13, 0.10),
        description="Status-holder households by size 1..5+. Assumption (mean ~2.2 persons).",
    )
    income: float = Field(
        17_000.0,
        ge=0.0,
        description="Yearly income of a status-holder household. Assumption: "
        "benefit level, below the rent-allowance limit, so the aftoppingsgrens applies.",
    )
    cap_share: float = share(0.10, "At most 10% of the year's vacated homes (1.13).")
    arrival_spread: Literal["monthly", "half_yearly"] = Field(
        "monthly",
        description="monthly: arrivals spread evenly (1.13); half_yearly: all at the start.",
    )


class FreeRoomConfig(Section):
    """Clause 4.10: free allocation room for middle and high incomes."""

    enabled: bool = Field(True, description="Switch the rule on or off.")
    cap_share: float = share(
        0.15,
        "At most this share of a municipality's lettings in a year may go to households "
        "above the DAEB income limit (4.10; the law's 7.5% extended by local agreement).",
    )
    neighbourhoods: tuple[str, ...] = Field(
        ("Broeklanden", "Spotvogelstraat"),
        description="Neighbourhoods where the room is used (4.2, 4.3, 4.10). Reading: the "
        "agreement names these two for custom allocation and resilience.",
    )


class CustomRule(Section):
    """Clauses 4.2, 4.3: custom allocation (maatwerk) in one neighbourhood."""

    neighbourhood: str
    max_share_urgent: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Cap on the share of the neighbourhood's yearly lettings to urgent "
        "households (incl. outflow from sheltered housing); when it binds they are skipped.",
    )
    priority_above_allowance: bool = Field(
        False,
        description="Households above the rent-allowance income limit rank first (a mix).",
    )


def _custom_rules() -> tuple[CustomRule, ...]:
    # Assumption: the agreement does not say what the maatwerk is; a cap of a quarter of
    # lettings to urgent and vulnerable households is a common form. Replace with the
    # corporation's actual rule.
    return (
        CustomRule(neighbourhood="Broeklanden", max_share_urgent=0.25),
        CustomRule(neighbourhood="Spotvogelstraat", max_share_urgent=0.25),
    )


class ShelteredOutflowConfig(Section):
    """Clause 4.1: outflow from sheltered housing and shelters, an urgent group."""

    enabled: bool = Field(True, description="Switch the rule on or off.")
    households_per_year: MunicipalityValues = Field(
        default_factory=lambda: {"Duiven": 5.0, "Westervoort": 4.0},
        description="Households leaving Beschermd Wonen / Maatschappelijke Opvang who need "
        "a home. Assumption: about 1 per 5,000 inhabitants a year, spread evenly (4.1).",
    )


class TransformationConfig(Section):
    """Clauses 1.1, 3.1: large family homes leave social letting when they fall vacant."""

    share_withdrawn: float = share(
        0.0, "Chance a vacated large home is transformed (mid-rent or sale). Lever; off."
    )
    min_bedrooms: int = Field(4, ge=1, le=6, description="Homes with at least this many bedrooms.")


class PoliciesConfig(Section):
    starter_pilot: StarterPilotConfig = StarterPilotConfig()
    village_rule: VillageRuleConfig = VillageRuleConfig()
    lottery_cap: LotteryCapConfig = LotteryCapConfig()
    general_lottery: GeneralLotteryConfig = GeneralLotteryConfig()
    status_holders: StatusHolderConfig = StatusHolderConfig()
    free_room: FreeRoomConfig = FreeRoomConfig()
    custom: tuple[CustomRule, ...] = Field(
        default_factory=_custom_rules,
        description="Custom allocation per neighbourhood (4.2, 4.3). Assumption: the agreement "
        "does not say what the maatwerk is; a cap of 25% of lettings to urgent households in "
        "Broeklanden and Spotvogelstraat stands in for it.",
    )
    sheltered_outflow: ShelteredOutflowConfig = ShelteredOutflowConfig()
    transformation: TransformationConfig = TransformationConfig()


# -------------------------------------------------------------------- new build


class Project(Section):
    """A new-build project (clauses 1.2-1.4): homes first let at their completion date."""

    name: str
    municipality: str
    village: str
    neighbourhood: str
    completion_date: dt.date
    n_homes: int = Field(ge=0, le=100_000)
    dwelling_type: Literal["single_family", "apartment", "senior"]
    bedrooms: int = Field(ge=1, le=6)
    rent_2021: float = Field(gt=0.0, description="Monthly rent at the 2021 price level.")
    senior_suitable: bool = False
    first_channel: Literal["rules", "offer", "lottery"] = Field(
        "rules", description="Channel of the first letting; 'rules' applies the usual rules."
    )
    demolishes: int = Field(
        0, ge=0, description="Existing homes in the village withdrawn a year before completion."
    )


class NewBuildConfig(Section):
    projects: tuple[Project, ...] = Field((), description="Named projects (1.2-1.4).")
    unplanned_per_year: MunicipalityValues = Field(
        default_factory=dict,
        description="Further social homes a year, not yet sited (1.4: 'nog te realiseren').",
    )
    unplanned_from: dt.date = Field(dt.date(2026, 1, 1), description="First unplanned completion.")
    unplanned_until: dt.date = Field(dt.date(2031, 1, 1), description="End of the unplanned flow.")
    unplanned_bedrooms: int = Field(2, ge=1, le=6, description="Assumption: small homes (1.1).")
    unplanned_rent_2021: float = Field(600.0, gt=0.0, description="Assumption: below the cap.")


# ------------------------------------------------------------------------- whole


class Config(Section):
    """A whole scenario."""

    name: str = Field("default", description="Scenario label used in outputs.")
    description: str = Field("", description="Free text shown in the manifest.")
    run: RunConfig = RunConfig()
    stock: StockConfig = StockConfig()
    seekers: SeekersConfig = SeekersConfig()
    allocation: AllocationConfig = AllocationConfig()
    behaviour: BehaviourConfig = BehaviourConfig()
    demography: DemographyConfig = DemographyConfig()
    eligibility: EligibilityConfig = EligibilityConfig()
    policies: PoliciesConfig = PoliciesConfig()
    history_policies: PoliciesConfig | None = Field(
        None,
        description="Rules in force before run.policy_start (the burn-in and any shared "
        "history); unset: the scenario's own `policies`. Scenarios that set the same history "
        "and differ only in `policies` share their history (common random numbers up to "
        "policy_start, simulated once per replication). The bundled agreement scenarios set "
        "it to the 2022 rules, which continue the 2020-2021 pilots (1.6, 1.8).",
    )
    new_build: NewBuildConfig = NewBuildConfig()
    base_dir: str = Field(".", exclude=True, description="Folder of the config file (internal).")

    @model_validator(mode="after")
    def _check(self) -> Config:
        problems = []
        if self.run.end_date <= self.run.start_date:
            problems.append(f"run.end_date {self.run.end_date} must be after run.start_date")
        first = self.run.start_date - dt.timedelta(days=round(self.run.burnin_years * 365.25))
        if self.run.policy_start is not None and not (
            first <= self.run.policy_start < self.run.end_date
        ):
            problems.append(
                f"run.policy_start {self.run.policy_start} must be within the simulated period "
                f"{first}..{self.run.end_date} (burn-in start to end_date)"
            )
        munis = {a.municipality for a in self.stock.areas}
        villages = {a.village for a in self.stock.areas}
        hoods = {h for a in self.stock.areas for h in a.neighbourhoods} | {
            proj.neighbourhood for proj in self.new_build.projects
        }
        for prefix, policies in (
            ("policies", self.policies),
            ("history_policies", self.history_policies or self.policies),
        ):
            if prefix == "history_policies" and self.history_policies is None:
                continue
            problems += policy_problems(
                policies,
                prefix,
                munis,
                villages,
                hoods if self.stock.source == "synthetic" else None,
                every_municipality=self.stock.source == "synthetic",
            )
        for i, proj in enumerate(self.new_build.projects):
            if proj.municipality not in munis:
                problems.append(
                    f"new_build.projects.{i}.municipality {proj.municipality!r}: "
                    f"allowed: {sorted(munis)}"
                )
            if proj.village not in villages:
                problems.append(
                    f"new_build.projects.{i}.village {proj.village!r}: allowed: {sorted(villages)}"
                )
        unknown = sorted(set(self.new_build.unplanned_per_year) - munis)
        if unknown:
            problems.append(
                f"new_build.unplanned_per_year: unknown municipality {unknown}; "
                f"allowed: {sorted(munis)}"
            )
        if len(villages) > 32:
            problems.append(f"stock.areas: {len(villages)} villages; at most 32 are supported")
        if self.run.seed_state == "list":
            if not self.seekers.list_csv_path:
                problems.append("run.seed_state = 'list' needs seekers.list_csv_path")
            if self.run.burnin_years != 0:
                problems.append(
                    f"run.burnin_years = {self.run.burnin_years}: must be 0 with run.seed_state "
                    "= 'list' (the list is the state on start_date)"
                )
        elif self.seekers.list_csv_path:
            problems.append("seekers.list_csv_path is set: it needs run.seed_state = 'list'")
        if self.seekers.list_csv_path:
            path = Path(self.base_dir) / self.seekers.list_csv_path
            if not path.is_file():
                problems.append(
                    f"seekers.list_csv_path = {self.seekers.list_csv_path!r}: no such file ({path})"
                )
        if self.stock.source == "csv" and self.stock.csv_path:
            path = Path(self.base_dir) / self.stock.csv_path
            if not path.is_file():
                problems.append(f"stock.csv_path = {self.stock.csv_path!r}: no such file ({path})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def history(self) -> PoliciesConfig:
        """The rules in force before run.policy_start."""
        return self.history_policies or self.policies

    @property
    def policy_start(self) -> dt.date:
        return self.run.policy_start or self.run.start_date

    def history_key(self) -> str:
        """Equal for scenarios whose simulations are identical before policy_start."""
        data = self.model_dump(mode="json", exclude={"name", "description", "policies"})
        data["history_policies"] = self.history.model_dump(mode="json")
        data["run"].pop("replications")
        data["base_dir"] = self.base_dir
        return json.dumps(data, sort_keys=True)

    def resolved(self) -> dict[str, Any]:
        """JSON-ready dict of every setting, as written to manifest.json."""
        return self.model_dump(mode="json")


def policy_problems(
    p: PoliciesConfig,
    prefix: str,
    munis: set[str],
    villages: set[str],
    hoods: set[str] | None,
    every_municipality: bool = True,
) -> list[str]:
    """Names in a policy set that the world does not have, and out-of-range values; with
    `every_municipality`, also municipalities of the world without a lottery cap (a
    stock file's are checked when it is read)."""
    problems = []
    for key, values in (
        ("starter_pilot.quota_per_year", p.starter_pilot.quota_per_year),
        ("lottery_cap.cap_share", p.lottery_cap.cap_share),
        ("general_lottery.share", p.general_lottery.share),
        ("status_holders.task_persons_h1", p.status_holders.task_persons_h1),
        ("status_holders.task_persons_h2", p.status_holders.task_persons_h2),
        ("sheltered_outflow.households_per_year", p.sheltered_outflow.households_per_year),
    ):
        unknown = sorted(set(values) - munis)
        if unknown:
            problems.append(
                f"{prefix}.{key}: unknown municipality {unknown}; allowed: {sorted(munis)}"
            )
        bad = {k: v for k, v in values.items() if v < 0}
        if bad:
            problems.append(f"{prefix}.{key}: values must be >= 0, got {bad}")
    uncapped = sorted(munis - set(p.lottery_cap.cap_share))
    if every_municipality and p.lottery_cap.enabled and uncapped:
        problems.append(
            f"{prefix}.lottery_cap.cap_share: no cap for municipality {uncapped} (it would "
            "be uncapped); give every municipality of the stock a share, or disable the cap"
        )
    if hoods is not None:
        for key, names in (
            ("free_room.neighbourhoods", p.free_room.neighbourhoods),
            ("custom[].neighbourhood", tuple(c.neighbourhood for c in p.custom)),
        ):
            unknown = sorted(set(names) - hoods)
            if unknown:
                problems.append(
                    f"{prefix}.{key}: unknown neighbourhood {unknown}; allowed: {sorted(hoods)}"
                )
    unknown_v = sorted(set(p.village_rule.villages) - villages)
    if unknown_v:
        problems.append(
            f"{prefix}.village_rule.villages: unknown village {unknown_v}; "
            f"allowed: {sorted(villages)}"
        )
    for m, v in p.lottery_cap.cap_share.items():
        if v > 1:
            problems.append(f"{prefix}.lottery_cap.cap_share.{m} = {v}: must be in [0, 1]")
    if len(set(p.lottery_cap.precedence)) != 3:
        problems.append(
            f"{prefix}.lottery_cap.precedence must list village_rule, starter_pilot and "
            "general once each"
        )
    return problems
