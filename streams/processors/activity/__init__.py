"""Activity and inactivity from motion, door, bed and chair sensors, against the
person's own routine (see `routine`).

Alerts now: no activity by the usual time (plus a margin), bed or chair not left, the
front door opened at night, night-time wandering, unusual night bathroom visits; each
says the usual pattern and what happened. Away mode, or a GPS fix far from home,
suppresses the inactivity alerts. A change over days becomes a signal for a call
today: less activity for a welfare call, more night-time activity for a falls
follow-up."""

from __future__ import annotations

from datetime import date

from contracts.devices import LocationEvent, SensorCapability, SensorEvent
from streams.processors.activity.changes import routine_changes
from streams.processors.activity.daytime import bed_and_chair, check, daytime_event
from streams.processors.activity.nights import night_event
from streams.processors.activity.routine import Day, keep_recent
from streams.processors.activity.state import NAME, ActivityState, days_before
from streams.processors.clock import NIGHT, minute_of_day, routine_day
from streams.processors.context import PersonContext
from streams.processors.geofence import Fix, is_position
from streams.processors.outputs import Output

__all__ = ["NAME", "ActivityState", "check", "process"]


def _copy(state: ActivityState) -> ActivityState:
    """A copy safe to change: closed days are never changed (the history list is only
    ever replaced), so only today's summary and the signal dates are copied. A deep copy
    of four weeks of days on every sensor reading costs ten times as much."""
    return state.model_copy(update={
        "today": state.today.model_copy() if state.today is not None else None,
        "last_signal": dict(state.last_signal),
    })


def process(
    state: ActivityState, event: object, context: PersonContext
) -> tuple[ActivityState, list[Output]]:
    if isinstance(event, LocationEvent):
        if not is_position(event.position):
            return state, []
        assert event.position is not None
        state = state.model_copy(update={"last_fix": Fix(
            lat=event.position.lat, lon=event.position.lon,
            at=event.fix_at or event.occurred_at,
        )})
        return state, []
    if not isinstance(event, SensorEvent) or event.value is None or event.placement is None:
        return state, []
    if event.capability not in (SensorCapability.OCCUPANCY, SensorCapability.CONTACT):
        return state, []
    day = routine_day(event.occurred_at, context.tz)
    if state.today is not None and day < state.today.day:
        return state, []  # a late event from a day already summarised
    state = _copy(state)
    outputs = _roll_over(state, day, event, context)
    assert state.today is not None
    state.today.events += 1
    if context.away_at(event.occurred_at):
        state.today.away = True
    outputs += bed_and_chair(state, event, context)
    if NIGHT.contains(minute_of_day(event.occurred_at, context.tz)):
        outputs += night_event(state, event, context)
    else:
        outputs += daytime_event(state, event, context)
    return state, outputs


def _roll_over(
    state: ActivityState, day: date, event: SensorEvent, context: PersonContext
) -> list[Output]:
    if state.today is not None and state.today.day == day:
        return []
    state.history = keep_recent(days_before(state, day), day)
    state.today = Day(day=day)
    return routine_changes(state, day, event, context)
