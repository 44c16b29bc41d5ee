"""Activity and inactivity from motion, door, bed, chair and appliance sensors, against
the person's own routine (see `routine`).

Where the person is comes first: out once the front door has opened and nobody is about
indoors after it, in bed once settled for the night. Alerts: not up by the usual time
(up meaning activity outside the bedroom kept up for a while, not one reading), still
for far longer than usual at that time of day while at home, bed or chair not left, the
front door opened after bedtime from an occupied home, movement after bedtime, unusual
night bathroom visits; each says the usual value and what was seen. Away mode, a GPS
fix far from home, or being out suppress the inactivity alerts. A change over days
becomes a signal for a call today: less activity for a welfare call, more night-time
activity for a falls follow-up."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.devices import LocationEvent, SensorCapability, SensorEvent
from streams.processors.activity.changes import routine_changes
from streams.processors.activity.daytime import (
    about,
    bed_and_chair,
    check,
    is_about,
    morning_due,
    record_gap,
)
from streams.processors.activity.nights import door_opened, night_move
from streams.processors.activity.routine import Day, keep_recent
from streams.processors.activity.state import (
    DOORS,
    NAME,
    PASSAGE,
    ActivityState,
    after_noon,
    days_before,
    is_activity,
    note_coverage,
    out_since,
)
from streams.processors.clock import minute_of_day, routine_day
from streams.processors.context import PersonContext
from streams.processors.geofence import Fix, is_position
from streams.processors.outputs import Output

__all__ = ["NAME", "ActivityState", "check", "process"]
READINGS = (SensorCapability.OCCUPANCY, SensorCapability.CONTACT, SensorCapability.STATE)
BEDTIME_QUIET = timedelta(hours=2)  # a still spell this long, begun in the evening, is the night


def _copy(state: ActivityState) -> ActivityState:
    """A copy safe to change: closed days are never changed (the history list is only
    ever replaced), so only today's summary and the signal dates are copied. A deep copy
    of four weeks of days on every sensor reading costs ten times as much."""
    return state.model_copy(
        update={
            "today": state.today.model_copy(update={"gaps": list(state.today.gaps)})
            if state.today is not None
            else None,
            "last_signal": dict(state.last_signal),
        }
    )


def process(
    state: ActivityState, event: object, context: PersonContext
) -> tuple[ActivityState, list[Output]]:
    if isinstance(event, LocationEvent):
        if not is_position(event.position):
            return state, []
        assert event.position is not None
        state = state.model_copy(
            update={
                "last_fix": Fix(
                    lat=event.position.lat,
                    lon=event.position.lon,
                    at=event.fix_at or event.occurred_at,
                )
            }
        )
        return state, []
    if not isinstance(event, SensorEvent) or event.value is None or event.placement is None:
        return state, []
    if event.capability not in READINGS:
        return state, []
    day = routine_day(event.occurred_at, context.tz)
    if state.today is not None and day < state.today.day:
        return state, []  # a late event from a day already summarised
    state = _copy(state)
    note_coverage(state, event)
    outputs = _roll_over(state, day, event, context)
    assert state.today is not None
    state.today.events += 1
    if context.away_at(event.occurred_at):
        state.today.away = True
    outputs += bed_and_chair(state, event, context)
    if not is_activity(event):
        return state, outputs
    at = event.occurred_at
    if event.placement in DOORS:
        if state.last_door_at is None or at - state.last_door_at > PASSAGE:
            state.coming_in = out_since(state, at) is not None
            if state.coming_in and state.today.up_min is None:
                # Home before getting up at home: up, but not a morning to learn from.
                state.today.up_min = minute_of_day(at, context.tz)
                state.today.out_night = True
        if (
            event.capability is SensorCapability.CONTACT
            and event.value is False
            and not state.coming_in
        ):
            outputs += door_opened(state, event, context)
        state.last_door_at = at
        return state, outputs
    if out_since(state, at) is not None and state.today.up_min is None:
        state.today.out_night = True  # came home before getting up: not a morning to learn
    outputs += record_gap(state, event, context)
    if is_about(event):
        _bedtime(state, event, context)
        outputs += night_move(state, event, context)
        outputs += about(state, event, context)
    state.last_indoor_at, state.last_indoor_place = at, event.placement
    return state, outputs


def _bedtime(state: ActivityState, event: SensorEvent, context: PersonContext) -> None:
    """Tonight's bedtime: the start of the first still spell outside the bedroom that
    began in the evening or night (18:00-06:00) and lasted two hours or more (a later
    one follows a visit to the toilet)."""
    last, today = state.last_about_at, state.today
    assert today is not None
    if last is None or today.up_min is not None or today.sleep_min is not None:
        return
    quiet = event.occurred_at - last
    began = after_noon(last, context.tz)
    if quiet >= BEDTIME_QUIET and 6 * 60 <= began < 18 * 60:
        today.sleep_min = began


def _roll_over(
    state: ActivityState, day: date, event: SensorEvent, context: PersonContext
) -> list[Output]:
    if state.today is not None and state.today.day == day:
        return []
    if state.today is not None:
        _judge(state, state.today, context)
    state.history = keep_recent(days_before(state, day), day)
    state.today = Day(day=day)
    state.asleep_since = None
    return routine_changes(state, day, event, context)


def _judge(state: ActivityState, closing: Day, context: PersonContext) -> None:
    """A day that raised "not up" is not learnt from: an incident must never become the
    person's new normal."""
    due, _ = morning_due(state, closing.day, context)
    if (
        due is not None
        and closing.up_min is not None
        and closing.up_min > minute_of_day(due, context.tz)
    ):
        closing.late_up = True
