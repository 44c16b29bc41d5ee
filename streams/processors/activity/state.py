"""The activity processor's per-person state, and where the person is."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from streams.processors.activity.routine import Day
from streams.processors.context import PersonContext
from streams.processors.geofence import Fix, distance_m

NAME = "activity"
FAR_FROM_HOME_M = 1000.0
FIX_FRESH = timedelta(hours=12)


class ActivityState(BaseModel):
    person_id: str
    history: list[Day] = Field(default_factory=list, description="closed days, oldest first")
    today: Day | None = None
    in_bed: bool = False
    chair_since: datetime | None = None
    last_bathroom_at: datetime | None = None
    last_fix: Fix | None = None
    last_signal: dict[str, date] = Field(default_factory=dict)


def days_before(state: ActivityState, day: date) -> list[Day]:
    """Every finished day before `day`, including `today` once it has ended."""
    days = list(state.history)
    if state.today is not None and state.today.day < day:
        days.append(state.today)
    return days


def far_from_home(state: ActivityState, context: PersonContext, now: datetime) -> bool:
    home, fix = context.home, state.last_fix
    if home is None or fix is None or now - fix.at > FIX_FRESH:
        return False
    return distance_m(fix.lat, fix.lon, home.lat, home.lon) > max(home.radius_m, FAR_FROM_HOME_M)
