"""Night-time: the front door opened, wandering, bathroom visits, each against the
person's usual nights."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

from contracts.codes import AlertKind
from contracts.devices import SensorCapability, SensorEvent, SensorPlacement
from streams.processors.activity.daytime import describe
from streams.processors.activity.routine import MIN_HISTORY_DAYS, usual
from streams.processors.activity.state import NAME, ActivityState
from streams.processors.clock import clock_at, routine_day, stamp
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, alert, sentence

BATHROOM_VISIT_GAP = timedelta(minutes=10)
MIN_WANDERING_MOVES = 8
MIN_BATHROOM_VISITS = 3
DOORS = frozenset({SensorPlacement.FRONT_DOOR, SensorPlacement.BACK_DOOR})


def night_event(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
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
            f"{today.night_moves} since 23:00 tonight, the latest: {describe(event)} at {at}"
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
        evidence=(f"{stamp(event.occurred_at, context.tz)} {describe(event)}",),
        caused_by=(event.event_id,),
    )
