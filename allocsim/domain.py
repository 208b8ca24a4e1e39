"""Codes shared by every layer: seeker kinds, groups, channels, outcomes, and the calendar.

Tables hold small integer codes for speed; the record layer turns them into the
string labels listed here, which are what analysts see in Parquet and CSV.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

DAYS_PER_YEAR = 365.25


# Where a household's key comes from (the first key of its hash, allocsim.keyed).
KEY_SEED, KEY_ARRIVAL, KEY_REREGISTERED, KEY_STATUS_HOLDER, KEY_SHELTERED, KEY_LIST = range(1, 7)
KEY_TENANT = 7  # a tenant who is not on the list (the seed's, or the stock file's), by home
# A home's status in the engine (plain ints for the hot path).
OCCUPIED, VACANT, NOT_BUILT, WITHDRAWN = range(4)


class Kind(IntEnum):
    """What sort of household a seeker is (glossary: woningzoekende)."""

    STARTER = 0  # leaves no rented home behind
    MOVER_STOCK = 1  # doorstromer renting a home in the simulated stock
    MOVER_ELSEWHERE = 2  # doorstromer renting elsewhere (other landlord or region)
    STATUS_HOLDER = 3  # statushouder, housed by direct allocation
    URGENT = 4  # urgency declaration
    SHELTERED = 5  # outflow from sheltered housing or shelters (clause 4.1), urgent


KIND_LABELS = (
    "starter",
    "mover_stock",
    "mover_elsewhere",
    "status_holder",
    "urgent",
    "sheltered_outflow",
)


class Group(IntEnum):
    """Mutually exclusive reporting groups, assigned in this order of precedence."""

    URGENT = 0
    STATUS_HOLDER = 1
    SENIOR_65PLUS = 2
    STARTER_18_27 = 3
    STARTER_OTHER = 4
    MOVER = 5


GROUP_LABELS = (
    "urgent",
    "status_holder",
    "senior_65plus",
    "starter_18_27",
    "starter_other",
    "mover",
)


class Channel(IntEnum):
    """How a vacancy finds its tenant."""

    OFFER = 0  # aanbodmodel: ranked by meettijd
    LOTTERY = 1  # lotingsmodel: ranked by lot
    DIRECT = 2  # direct allocation outside the adverts (status holders)


CHANNEL_LABELS = ("offer", "lottery", "direct")


class Rule(IntEnum):
    """Which policy component chose the channel of a vacancy."""

    GENERAL = 0  # no special rule: offer model, or general lottery share
    STARTER_PILOT = 1  # clause 1.6
    VILLAGE_RULE = 2  # clause 1.8
    STATUS_HOLDER = 3  # clause 1.13
    NEW_BUILD = 4  # first letting channel of a new-build project (1.2-1.4)


RULE_LABELS = ("general", "starter_pilot", "village_rule", "status_holder", "new_build")


class Outcome(IntEnum):
    """What an invited candidate did."""

    ACCEPTED = 0
    REFUSED = 1
    NO_SHOW = 2


OUTCOME_LABELS = ("accepted", "refused", "no_show")


class SeekerState(IntEnum):
    WAITING = 0
    HOUSED = 1
    LEFT = 2


SEEKER_STATE_LABELS = ("censored", "housed", "left")


class VacancyCause(IntEnum):
    """Why a home fell vacant: a chain move links a letting to the home it freed."""

    TURNOVER = 0
    CHAIN = 1
    NEW_BUILD = 2


CAUSE_LABELS = ("turnover", "chain", "new_build")


def day_of(date: dt.date, start: dt.date) -> float:
    """Simulation day (0 = start date) of a calendar date."""
    return float((date - start).days)


def date_of(day: float, start: dt.date) -> dt.date:
    """The calendar date of simulation day `day` (floored: day -0.5 is the day before
    `start`)."""
    return start + dt.timedelta(days=math.floor(day))


def year_of(day: float, start: dt.date) -> int:
    return date_of(day, start).year


def month_index(day: float, start: dt.date) -> int:
    """Month of the year, 1-12, of a simulation day."""
    return date_of(day, start).month


@dataclass(frozen=True)
class GroupAges:
    """The ages that define the reporting groups (`seekers.senior_age`,
    `seekers.starter_group_max_age`); the group labels stay as named."""

    senior: float = 65.0
    starter_max: float = 27.0  # starters up to and including this age: starter_18_27


def assign_group(kind: np.ndarray, age: np.ndarray, ages: GroupAges) -> np.ndarray:
    """Reporting group of each seeker (Group codes), by the precedence of `Group`."""
    return np.select(
        [
            (kind == Kind.URGENT) | (kind == Kind.SHELTERED),
            kind == Kind.STATUS_HOLDER,
            age >= ages.senior,
            (kind == Kind.STARTER) & (age < ages.starter_max + 1.0),  # before the next birthday
            kind == Kind.STARTER,
        ],
        [
            Group.URGENT,
            Group.STATUS_HOLDER,
            Group.SENIOR_65PLUS,
            Group.STARTER_18_27,
            Group.STARTER_OTHER,
        ],
        default=Group.MOVER,
    ).astype(np.int8)
