"""Daytime: up by the usual time, bed and chair left; the timed check of both."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts.codes import AlertKind
from contracts.devices import SensorCapability, SensorEvent, SensorPlacement
from streams.processors.activity.routine import Day, usual, usual_up
from streams.processors.activity.state import NAME, ActivityState, days_before, far_from_home
from streams.processors.clock import (
    at_wall_clock,
    clock,
    clock_at,
    duration,
    minute_of_day,
    routine_day,
)
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, alert, close, sentence

MORNING_MARGIN = timedelta(minutes=90)
CHAIR_LIMIT = timedelta(hours=4)
MIN_CHAIR_LIMIT = timedelta(hours=2)


def bed_and_chair(
    state: ActivityState, event: SensorEvent, context: PersonContext
) -> list[Output]:
    occupied = event.value is True
    if event.placement is SensorPlacement.BED:
        state.in_bed = occupied
    if event.placement is not SensorPlacement.CHAIR:
        return []
    if occupied:
        state.chair_since = state.chair_since or event.occurred_at
        return []
    since, state.chair_since = state.chair_since, None
    if since is None:
        return []
    sat = event.occurred_at - since
    assert state.today is not None
    state.today.longest_sit_min = max(state.today.longest_sit_min, int(sat.total_seconds() // 60))
    if sat <= chair_limit(state.history)[0]:
        return []
    reason = f"Left the chair at {clock_at(event.occurred_at, context.tz)} after {duration(sat)}"
    return [
        close(
            NAME, event.event_id, person_id=event.person_id, at=event.occurred_at,
            key=f"chair:{event.person_id}", kind=AlertKind.CHAIR_NOT_LEFT, reason=reason,
            caused_by=(event.event_id,),
        )
    ]


def is_up(event: SensorEvent) -> bool:
    """Out of bed and about: anything but lying in bed or moving in the bedroom."""
    if event.placement is SensorPlacement.BED:
        return event.value is False
    return event.placement is not SensorPlacement.BEDROOM


def describe(event: SensorEvent) -> str:
    assert event.placement is not None
    place = event.placement.value.replace("_", " ")
    if event.capability is SensorCapability.CONTACT:
        return f"{place} {'closed' if event.value else 'opened'}"
    if event.placement is SensorPlacement.BED:
        return "out of bed" if event.value is False else "in bed"
    if event.placement is SensorPlacement.CHAIR:
        return "chair left" if event.value is False else "in the chair"
    return f"movement in the {place}"


def daytime_event(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    today = state.today
    assert today is not None and event.placement is not None
    if today.up_min is not None or not is_up(event):
        return []
    today.up_min = minute_of_day(event.occurred_at, context.tz)
    due = morning_due(state, today.day, context)
    if due is None or event.occurred_at < due or context.away_at(event.occurred_at):
        return []  # no "no movement" alert can have been raised
    # The timed check will have raised "no movement": being up closes it.
    reason = f"Up at {clock_at(event.occurred_at, context.tz)} ({describe(event)})"
    return [
        close(
            NAME, event.event_id, person_id=event.person_id, at=event.occurred_at,
            key=_morning_key(event.person_id, today.day), kind=AlertKind.NO_MORNING_ACTIVITY,
            reason=reason, caused_by=(event.event_id,),
        )
    ]


def _morning_key(person_id: str, day: date) -> str:
    return f"inactivity:{person_id}:{day.isoformat()}"


def morning_due(state: ActivityState, day: date, context: PersonContext) -> datetime | None:
    """When no movement becomes an alert: the usual time up plus the margin."""
    up = usual_up(days_before(state, day))
    if up is None:
        return None
    due_min = min(int(up.value) + int(MORNING_MARGIN.total_seconds() // 60), 23 * 60 - 1)
    return at_wall_clock(day, due_min, context.tz)


def chair_limit(days: list[Day]) -> tuple[timedelta, str]:
    sits = usual(days, lambda d: d.longest_sit_min or None)
    if sits is None:
        return CHAIR_LIMIT, f"no routine yet, limit {duration(CHAIR_LIMIT)}"
    limit = max(MIN_CHAIR_LIMIT, timedelta(minutes=1.5 * sits.value))
    usually = duration(timedelta(minutes=sits.value))
    return limit, f"usually sits for at most {usually} at a time (median of {sits.days} days)"


def check(state: ActivityState, context: PersonContext, now: datetime) -> list[Output]:
    """Timed: not up by the usual time, or still in the chair."""
    if state.today is None or context.away_at(now) or far_from_home(state, context, now):
        return []
    outputs: list[Output] = []
    day = routine_day(now, context.tz)
    due = morning_due(state, day, context)
    up_today = state.today.day == day and state.today.up_min is not None
    if due is not None and now >= due and not up_today:
        outputs.append(_not_up(state, day, context, now))
    if state.chair_since is not None:
        limit, usually = chair_limit(state.history)
        if now - state.chair_since > limit:
            summary = (
                f"{sentence(usually)}; in the chair since "
                f"{clock_at(state.chair_since, context.tz)}, {duration(now - state.chair_since)}"
            )
            outputs.append(
                alert(
                    NAME, state.person_id, "chair", state.chair_since.isoformat(),
                    person_id=state.person_id, at=now, key=f"chair:{state.person_id}",
                    kind=AlertKind.CHAIR_NOT_LEFT, summary=summary,
                )
            )
    return outputs


def _not_up(state: ActivityState, day: date, context: PersonContext, now: datetime) -> Output:
    up = usual_up(days_before(state, day))
    assert up is not None
    usually = f"(median of {up.days} days)"
    if state.in_bed:
        kind = AlertKind.BED_NOT_LEFT
        summary = (
            f"Usually out of bed by {clock(int(up.value))} {usually}; still in bed at "
            f"{clock_at(now, context.tz)}"
        )
    else:
        kind = AlertKind.NO_MORNING_ACTIVITY
        summary = (
            f"Usually up by {clock(int(up.value))} {usually}; no movement by "
            f"{clock_at(now, context.tz)}"
        )
    return alert(
        NAME, state.person_id, "morning", day.isoformat(), person_id=state.person_id,
        at=now, key=_morning_key(state.person_id, day), kind=kind, summary=summary,
    )
