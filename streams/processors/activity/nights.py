"""Night-time: the front door opened, wandering, bathroom visits, each against the
person's usual nights, and only once they have gone to bed at home."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

from contracts.codes import AlertKind
from contracts.devices import SensorEvent, SensorPlacement
from streams.processors.activity.daytime import describe
from streams.processors.activity.routine import (
    MIN_HISTORY_DAYS,
    usual,
    usual_night_moves,
)
from streams.processors.activity.state import (
    NAME,
    ActivityState,
    gone_to_bed,
    in_night,
    wall,
)
from streams.processors.clock import clock_at, routine_day, stamp
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, alert, sentence

BATHROOM_VISIT_GAP = timedelta(minutes=10)
# Movements after bedtime: readings outside the bedroom at least this far apart (a
# motion sensor repeats itself every few seconds while someone is in view).
MOVE_GAP = timedelta(minutes=5)
MIN_WANDERING_MOVES = 6
WANDERING_ABOVE_USUAL = 3
MIN_BATHROOM_VISITS = 3


def door_opened(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    """The front or back door opened, not on coming home (see `process`): going out at
    night only from an occupied home after the person went to bed."""
    today = state.today
    assert today is not None and event.placement is not None
    at = event.occurred_at
    if not gone_to_bed(state, at, context):
        return []
    first_tonight = not today.night_door
    today.night_door = True
    nights = [d for d in state.history if not d.away]
    opened = sum(d.night_door for d in nights)
    if len(nights) >= MIN_HISTORY_DAYS and opened * 2 >= len(nights):
        return []  # their usual pattern: someone who goes out at night
    usually = (
        f"usually shut after bedtime (opened on {opened} of the last {len(nights)} nights)"
        if nights
        else "no nights on record yet"
    )
    settled = (
        "in bed"
        if state.in_bed
        else f"nothing outside the bedroom since {wall(state.last_about_at, context.tz)}"
        if state.last_about_at is not None
        else "nothing outside the bedroom tonight"
    )
    door = sentence(event.placement.value.replace("_", " "))
    summary = (
        f"{door} opened at {clock_at(at, context.tz)} after bedtime, from an occupied "
        f"home ({settled}); {usually}"
    )
    if not first_tonight:
        summary = f"{door} opened again at {clock_at(at, context.tz)}"
    return [_night_alert(event, context, AlertKind.DOOR_AT_NIGHT, summary)]


def night_move(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    """Activity outside the bedroom (any indoor sensor: motion, cupboards, the flush):
    after bedtime it is a movement at night."""
    today = state.today
    assert today is not None and event.placement is not None
    at = event.occurred_at
    if state.asleep_since is None and gone_to_bed(state, at, context):
        state.asleep_since = state.last_about_at or at
    if not in_night(state, at, context):
        state.asleep_since = None
    if state.asleep_since is None or today.up_min is not None:
        return []  # not in bed yet, or up
    outputs: list[Output] = []
    if state.last_move_at is None or at - state.last_move_at >= MOVE_GAP:
        state.last_move_at = at
        today.night_moves += 1
        moves = usual_night_moves(state.history)
        if moves is not None and today.night_moves == wandering_limit(moves.value, moves.high):
            summary = (
                f"Usually {moves.value:g} movements a night after bedtime (median of "
                f"{moves.days} nights; 9 in 10 at most {moves.high:g}); {today.night_moves} "
                f"since bedtime (about {wall(state.asleep_since, context.tz)}) tonight, the "
                f"latest: {describe(event)} at {clock_at(at, context.tz)}"
            )
            today.night_alerted = True
            outputs.append(_night_alert(event, context, AlertKind.NIGHT_WANDERING, summary))
    if event.placement is SensorPlacement.BATHROOM:
        outputs += _bathroom(state, event, context)
    return outputs


def wandering_limit(usual_moves: float, high: float) -> int:
    return max(MIN_WANDERING_MOVES, ceil(2 * usual_moves), ceil(high) + WANDERING_ABOVE_USUAL)


def _bathroom(state: ActivityState, event: SensorEvent, context: PersonContext) -> list[Output]:
    today = state.today
    assert today is not None
    last, state.last_bathroom_at = state.last_bathroom_at, event.occurred_at
    if last is not None and event.occurred_at - last < BATHROOM_VISIT_GAP:
        return []
    today.night_bathroom += 1
    visits = usual(state.history, lambda d: d.night_bathroom)
    limit = max(MIN_BATHROOM_VISITS, ceil(visits.high) + 2) if visits else None
    if visits is None or today.night_bathroom != limit:
        return []
    summary = (
        f"Usually {visits.value:g} bathroom visits a night after bedtime (median of "
        f"{visits.days} nights); {today.night_bathroom} tonight, the latest at "
        f"{clock_at(event.occurred_at, context.tz)}"
    )
    return [_night_alert(event, context, AlertKind.NIGHT_BATHROOM, summary)]


def _night_alert(
    event: SensorEvent, context: PersonContext, kind: AlertKind, summary: str
) -> Output:
    """One alert a night per kind: repeats the same night merge into it."""
    day = routine_day(event.occurred_at, context.tz)
    return alert(
        NAME,
        event.event_id,
        kind.value,
        person_id=event.person_id,
        at=event.occurred_at,
        key=f"{kind.value}:{event.person_id}:{day.isoformat()}",
        kind=kind,
        summary=summary,
        evidence=(f"{stamp(event.occurred_at, context.tz)} {describe(event)}",),
        caused_by=(event.event_id,),
    )
