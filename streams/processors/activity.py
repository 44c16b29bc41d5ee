"""Activity and inactivity from motion, door, bed and chair sensors, against the
person's own routine (see `routine`).

Alerts now: no activity by the usual time (plus a margin), bed or chair not left, the
front door opened at night, night-time wandering, unusual night bathroom visits; each
says the usual pattern and what happened. Away mode, or a GPS fix far from home,
suppresses the inactivity alerts. A change over days becomes a signal for a call
today: less activity for a welfare call, more night-time activity for a falls
follow-up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from math import ceil

from pydantic import BaseModel, Field

from contracts.codes import AlertKind, ScriptName
from contracts.devices import LocationEvent, SensorCapability, SensorEvent, SensorPlacement
from streams.processors.clock import (
    NIGHT,
    at_wall_clock,
    clock,
    clock_at,
    duration,
    minute_of_day,
    routine_day,
    stamp,
)
from streams.processors.context import PersonContext
from streams.processors.geofence import Fix, distance_m, is_position
from streams.processors.outputs import Output, alert, close, sentence, signal
from streams.processors.routine import (
    MIN_HISTORY_DAYS,
    Change,
    Day,
    change,
    keep_recent,
    usual,
    usual_up,
)

NAME = "activity"
MORNING_MARGIN = timedelta(minutes=90)
BATHROOM_VISIT_GAP = timedelta(minutes=10)
MIN_WANDERING_MOVES = 8
MIN_BATHROOM_VISITS = 3
CHAIR_LIMIT = timedelta(hours=4)
MIN_CHAIR_LIMIT = timedelta(hours=2)
FAR_FROM_HOME_M = 1000.0
FIX_FRESH = timedelta(hours=12)
SIGNAL_GAP = timedelta(days=7)

DOORS = frozenset({SensorPlacement.FRONT_DOOR, SensorPlacement.BACK_DOOR})


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
    outputs += _bed_and_chair(state, event, context)
    if NIGHT.contains(minute_of_day(event.occurred_at, context.tz)):
        outputs += _night(state, event, context)
    else:
        outputs += _day(state, event, context)
    return state, outputs


def _roll_over(
    state: ActivityState, day: date, event: SensorEvent, context: PersonContext
) -> list[Output]:
    if state.today is not None and state.today.day == day:
        return []
    state.history = keep_recent(days_before(state, day), day)
    state.today = Day(day=day)
    return _routine_changes(state, day, event, context)


def _bed_and_chair(
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


def _is_up(event: SensorEvent) -> bool:
    """Out of bed and about: anything but lying in bed or moving in the bedroom."""
    if event.placement is SensorPlacement.BED:
        return event.value is False
    return event.placement is not SensorPlacement.BEDROOM


def _what(event: SensorEvent) -> str:
    assert event.placement is not None
    place = event.placement.value.replace("_", " ")
    if event.capability is SensorCapability.CONTACT:
        return f"{place} {'closed' if event.value else 'opened'}"
    if event.placement is SensorPlacement.BED:
        return "out of bed" if event.value is False else "in bed"
    if event.placement is SensorPlacement.CHAIR:
        return "chair left" if event.value is False else "in the chair"
    return f"movement in the {place}"


def _day(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    today = state.today
    assert today is not None and event.placement is not None
    if today.up_min is not None or not _is_up(event):
        return []
    today.up_min = minute_of_day(event.occurred_at, context.tz)
    due = morning_due(state, today.day, context)
    if due is None or event.occurred_at < due or context.away_at(event.occurred_at):
        return []  # no "no movement" alert can have been raised
    # The timed check will have raised "no movement": being up closes it.
    reason = f"Up at {clock_at(event.occurred_at, context.tz)} ({_what(event)})"
    return [
        close(
            NAME, event.event_id, person_id=event.person_id, at=event.occurred_at,
            key=_morning_key(event.person_id, today.day), kind=AlertKind.NO_MORNING_ACTIVITY,
            reason=reason, caused_by=(event.event_id,),
        )
    ]


def _night(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    today = state.today
    assert today is not None and event.placement is not None
    at = clock_at(event.occurred_at, context.tz)
    if event.placement in DOORS and event.value is False:
        return _door_at_night(state, event, context)
    if event.capability is not SensorCapability.OCCUPANCY or event.value is not True:
        return []
    if event.placement in (SensorPlacement.BED, SensorPlacement.CHAIR):
        return []
    today.night_moves += 1
    outputs: list[Output] = []
    moves = usual(state.history, lambda d: d.night_moves)
    if moves is not None and today.night_moves == max(MIN_WANDERING_MOVES, ceil(3 * moves.value)):
        summary = (
            f"Usually {moves.value:g} movements a night (median of {moves.days} nights); "
            f"{today.night_moves} since 23:00 tonight, the latest: {_what(event)} at {at}"
        )
        outputs.append(_night_alert(event, context, AlertKind.NIGHT_WANDERING, summary))
    if event.placement is SensorPlacement.BATHROOM:
        last, state.last_bathroom_at = state.last_bathroom_at, event.occurred_at
        if last is None or event.occurred_at - last >= BATHROOM_VISIT_GAP:
            today.night_bathroom += 1
            visits = usual(state.history, lambda d: d.night_bathroom)
            limit = max(MIN_BATHROOM_VISITS, ceil(visits.value) + 2) if visits else None
            if visits is not None and today.night_bathroom == limit:
                summary = (
                    f"Usually {visits.value:g} bathroom visits a night (median of "
                    f"{visits.days} nights); {today.night_bathroom} tonight, the latest at {at}"
                )
                outputs.append(
                    _night_alert(event, context, AlertKind.NIGHT_BATHROOM, summary)
                )
    return outputs


def _door_at_night(
    state: ActivityState, event: SensorEvent, context: PersonContext
) -> list[Output]:
    today = state.today
    assert today is not None and event.placement is not None
    first_tonight = not today.night_door
    today.night_door = True
    nights = [d for d in state.history if not d.away]
    opened = sum(d.night_door for d in nights)
    if len(nights) >= MIN_HISTORY_DAYS and opened * 2 >= len(nights):
        return []  # their usual pattern: someone who goes out at night
    usually = (
        f"usually shut all night (opened at night on {opened} of the last {len(nights)} nights)"
        if nights
        else "no nights on record yet"
    )
    door = sentence(event.placement.value.replace("_", " "))
    summary = f"{door} opened at {clock_at(event.occurred_at, context.tz)}; {usually}"
    if not first_tonight:
        summary = f"{door} opened again at {clock_at(event.occurred_at, context.tz)}"
    return [_night_alert(event, context, AlertKind.DOOR_AT_NIGHT, summary)]


def _night_alert(
    event: SensorEvent, context: PersonContext, kind: AlertKind, summary: str
) -> Output:
    """One alert a night per kind: repeats the same night merge into it."""
    day = routine_day(event.occurred_at, context.tz)
    return alert(
        NAME, event.event_id, kind.value, person_id=event.person_id, at=event.occurred_at,
        key=f"{kind.value}:{event.person_id}:{day.isoformat()}", kind=kind, summary=summary,
        evidence=(f"{stamp(event.occurred_at, context.tz)} {_what(event)}",),
        caused_by=(event.event_id,),
    )


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


def _routine_changes(
    state: ActivityState, day: date, event: SensorEvent, context: PersonContext
) -> list[Output]:
    """At the start of a day: has the routine changed over the last few days?"""
    outputs: list[Output] = []
    less = change(state.history, lambda d: d.events)
    if less is not None and less.recent < 0.5 * less.usual.value:
        outputs += _signal_once(
            state, day, event, ScriptName.WELFARE_CHECK,
            f"Less activity at home: {less.recent:.0f} sensor events a day over the last "
            f"{len(less.recent_days)} days, usually {less.usual.value:.0f} (median of "
            f"{less.usual.days} days)",
            tuple(f"{d.day.isoformat()}: {d.events} sensor events" for d in less.recent_days),
        )
    night = change(state.history, lambda d: d.night_moves)
    if night is not None and _night_rose(night):
        outputs += _signal_once(
            state, day, event, ScriptName.FALLS_FOLLOW_UP,
            f"More activity at night: {night.recent:.1f} movements a night over the last "
            f"{len(night.recent_days)} nights, usually {night.usual.value:g} (median of "
            f"{night.usual.days} nights)",
            tuple(
                f"night to {d.day.isoformat()}: {d.night_moves} movements, "
                f"{d.night_bathroom} bathroom visits" + (", door opened" if d.night_door else "")
                for d in night.recent_days
            ),
        )
    return outputs


def _night_rose(night: Change) -> bool:
    """Every one of the last nights busier than usual, and on average at least twice
    as busy (and by four movements or more): one restless night is not a change."""
    above = all(d.night_moves > night.usual.value for d in night.recent_days)
    return above and night.recent >= max(2 * night.usual.value, night.usual.value + 4)


def _signal_once(
    state: ActivityState,
    day: date,
    event: SensorEvent,
    script: ScriptName,
    reason: str,
    evidence: tuple[str, ...],
) -> list[Output]:
    last = state.last_signal.get(script.value)
    if last is not None and day - last < SIGNAL_GAP:
        return []
    state.last_signal[script.value] = day
    return [
        signal(
            NAME, event.person_id, script.value, day.isoformat(), person_id=event.person_id,
            at=event.occurred_at, script=script, reason=reason, evidence=evidence, call_by=day,
        )
    ]
