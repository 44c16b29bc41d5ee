"""Changes of routine over days: a signal for a call today, not an alarm."""

from __future__ import annotations

from datetime import date, timedelta

from contracts.codes import ScriptName
from contracts.devices import SensorEvent
from streams.processors.activity.routine import Change, change
from streams.processors.activity.state import NAME, ActivityState
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, signal

SIGNAL_GAP = timedelta(days=7)


def routine_changes(
    state: ActivityState, day: date, event: SensorEvent, context: PersonContext
) -> list[Output]:
    """At the start of a day: has the routine changed over the last few days?"""
    outputs: list[Output] = []
    less = change(state.history, lambda d: d.events)
    if less is not None and less.recent < 0.5 * less.usual.value:
        outputs += _signal_once(
            state,
            day,
            event,
            ScriptName.WELFARE_CHECK,
            f"Less activity at home: {less.recent:.0f} sensor events a day over the last "
            f"{len(less.recent_days)} days, usually {less.usual.value:.0f} (median of "
            f"{less.usual.days} days)",
            tuple(f"{d.day.isoformat()}: {d.events} sensor events" for d in less.recent_days),
        )
    night = change(state.history, lambda d: d.night_moves)
    if night is not None and _night_rose(night):
        outputs += _signal_once(
            state,
            day,
            event,
            ScriptName.FALLS_FOLLOW_UP,
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
            NAME,
            event.person_id,
            script.value,
            day.isoformat(),
            person_id=event.person_id,
            at=event.occurred_at,
            script=script,
            reason=reason,
            evidence=evidence,
            call_by=day,
        )
    ]
