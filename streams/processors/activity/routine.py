"""A person's routine, learnt from their own days: when they get up and go to bed, how
long they are usually still at each time of day, how much they move after bedtime, how
long they sit. Days away, nights out, and values that raised an alert are left out, so
an incident never becomes the new normal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import mean, median
from typing import Any

from pydantic import BaseModel, Field, model_serializer, model_validator

HISTORY = timedelta(days=28)
MIN_HISTORY_DAYS = 7
RECENT_DAYS = 3
# The day, from 06:00 to 21:00, in blocks whose stillness is learnt apart: a nap after
# lunch or television in the evening is usual then, not in the morning.
BLOCK_START_MIN = 6 * 60
BLOCK_MIN = 3 * 60
BLOCKS = 5
LEFT_OUT = -1  # a block's gap that raised an alert, or a block spent out


def block_of(minute: int) -> int | None:
    """The daytime block a wall-clock minute falls in, None outside 06:00-21:00."""
    block = (minute - BLOCK_START_MIN) // BLOCK_MIN
    return block if 0 <= block < BLOCKS and minute >= BLOCK_START_MIN else None


def block_name(block: int) -> str:
    start = BLOCK_START_MIN + block * BLOCK_MIN
    return f"{start // 60:02d}:00-{(start + BLOCK_MIN) // 60:02d}:00"


class Day(BaseModel):
    """One routine day (from 23:00 the evening before): what the sensors saw.

    Stored as a row (a JSON array), not an object: four weeks of days are rewritten to
    the table's changelog with every sensor reading, so field names would triple it.
    New fields go at the end, so rows stored before them still load."""

    day: date
    up_min: int | None = None  # wall-clock minute sustained activity outside the bedroom began
    events: int = 0
    night_moves: int = 0  # movements outside the bedroom after bedtime
    night_bathroom: int = 0
    night_door: bool = False  # the front door opened after bedtime from an occupied home
    longest_sit_min: int = 0  # in the chair, 06:00-18:00
    away: bool = False  # away mode: nothing learnt from the day
    sleep_min: int | None = None  # bedtime, minutes after noon of the day before
    gaps: list[int] = Field(default_factory=lambda: [0] * BLOCKS)  # longest still spell, min
    evening_sit_min: int = 0  # in the chair from 18:00
    out_night: bool = False  # out (front door, nobody in) between bedtime and getting up
    late_up: bool = False  # raised "not up": its time is not learnt
    night_alerted: bool = False  # raised night wandering: its count is not learnt

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
    high: float  # the value nine days in ten stay within
    upper: float  # the value three days in four stay within


def at_home(days: list[Day]) -> list[Day]:
    return [d for d in days if not d.away]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def usual(days: list[Day], measure: Callable[[Day], float | None]) -> Usual | None:
    """The median of a measure over the days at home, once there are enough of them."""
    values = [v for d in at_home(days) if (v := measure(d)) is not None]
    if len(values) < MIN_HISTORY_DAYS:
        return None
    return Usual(float(median(values)), len(values), quantile(values, 0.9), quantile(values, 0.75))


# Getting up later than this is not a morning to learn from (out all morning without a
# front-door sensor, or a log that starts in the afternoon).
LATEST_LEARNT_UP_MIN = 16 * 60


def usual_up(days: list[Day]) -> Usual | None:
    return usual(
        days,
        lambda d: (
            None
            if d.late_up or d.out_night or d.up_min is None or d.up_min >= LATEST_LEARNT_UP_MIN
            else d.up_min
        ),
    )


def usual_sleep(days: list[Day]) -> Usual | None:
    return usual(days, lambda d: None if d.out_night else d.sleep_min)


def usual_night_moves(days: list[Day]) -> Usual | None:
    return usual(days, lambda d: None if d.out_night or d.night_alerted else d.night_moves)


def usual_gap(days: list[Day], block: int) -> Usual | None:
    return usual(days, lambda d: d.gaps[block] if d.gaps[block] > 0 else None)


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
    values = [measure(d) for d in before]
    base = Usual(float(median(values)), len(before), quantile(values, 0.9), quantile(values, 0.75))
    return Change(float(mean(measure(d) for d in recent)), base, recent)
