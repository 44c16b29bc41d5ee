"""A person's routine, learnt from their own days: when they are usually up, how much
they move at night, how long they sit. Days away from home are left out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean, median
from typing import Any

from pydantic import BaseModel, model_serializer, model_validator

HISTORY = timedelta(days=28)
MIN_HISTORY_DAYS = 7
RECENT_DAYS = 3


class Day(BaseModel):
    """One routine day (from 23:00 the evening before): what the sensors saw.

    Stored as a row (a JSON array), not an object: four weeks of days are rewritten to
    the table's changelog with every sensor reading, so field names would triple it."""

    day: date
    up_min: int | None = None  # wall-clock minute of the first daytime activity
    events: int = 0
    night_moves: int = 0
    night_bathroom: int = 0
    night_door: bool = False
    longest_sit_min: int = 0
    away: bool = False

    @model_serializer(mode="plain")
    def _as_row(self) -> list[Any]:
        return [getattr(self, name) for name in type(self).model_fields]

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return dict(zip(cls.model_fields, value, strict=False))
        return value


@dataclass(frozen=True)
class Usual:
    value: float
    days: int


def at_home(days: list[Day]) -> list[Day]:
    return [d for d in days if not d.away]


def usual(days: list[Day], measure: Callable[[Day], float | None]) -> Usual | None:
    """The median of a measure over the days at home, once there are enough of them."""
    values = [v for d in at_home(days) if (v := measure(d)) is not None]
    if len(values) < MIN_HISTORY_DAYS:
        return None
    return Usual(float(median(values)), len(values))


def usual_up(days: list[Day]) -> Usual | None:
    return usual(days, lambda d: d.up_min)


def keep_recent(days: list[Day], today: date) -> list[Day]:
    return [d for d in days if today - d.day <= HISTORY]


@dataclass(frozen=True)
class Change:
    """The last few days against the days before them."""

    recent: float
    usual: Usual
    recent_days: list[Day]


def change(days: list[Day], measure: Callable[[Day], float]) -> Change | None:
    home = at_home(days)
    recent, before = home[-RECENT_DAYS:], home[:-RECENT_DAYS]
    if len(recent) < RECENT_DAYS or len(before) < MIN_HISTORY_DAYS:
        return None
    base = Usual(float(median(measure(d) for d in before)), len(before))
    return Change(float(mean(measure(d) for d in recent)), base, recent)
