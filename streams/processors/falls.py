"""Falls signals: a fall detector alarm is a reason for a falls follow-up call today,
with the person's recent falls-related alarms as evidence (more night-time activity is
the other reason; `activity` raises that one). One signal a day at most: a detector
sends several transmissions for one fall."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from contracts.codes import ScaipDeviceType, ScaipStatus, ScriptName
from contracts.devices import AlarmEvent
from streams.processors.clock import local, stamp
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, signal

NAME = "falls"
EVIDENCE_KEPT = timedelta(days=90)


class FallsState(BaseModel):
    person_id: str
    fall_alarms: list[datetime] = Field(default_factory=list)
    signalled: list[date] = Field(default_factory=list, description="local days signalled")


def is_fall_alarm(event: object) -> bool:
    return (
        isinstance(event, AlarmEvent)
        and event.is_alarm
        and event.device_type == ScaipDeviceType.FALL_DETECTOR
        and event.status_code not in (ScaipStatus.CANCEL, ScaipStatus.CLOSED)
    )


def process(
    state: FallsState, event: object, context: PersonContext
) -> tuple[FallsState, list[Output]]:
    if not is_fall_alarm(event):
        return state, []
    assert isinstance(event, AlarmEvent)
    at = event.occurred_at
    if at in state.fall_alarms:
        return state, []  # redelivered
    state = state.model_copy(deep=True)
    earlier = [t for t in state.fall_alarms if at - EVIDENCE_KEPT <= t < at]
    state.fall_alarms = [*earlier, at]
    day = local(at, context.tz).date()
    if day in state.signalled:
        return state, []
    state.signalled = [d for d in state.signalled if day - d <= EVIDENCE_KEPT] + [day]
    evidence = [f"{stamp(at, context.tz)} fall detector alarm from hub {event.controller_id}"]
    if earlier:
        evidence.append(
            f"{len(earlier)} earlier fall detector alarm(s) in the last "
            f"{EVIDENCE_KEPT.days} days: " + ", ".join(stamp(t, context.tz) for t in earlier)
        )
    return state, [
        signal(
            NAME,
            event.person_id,
            day.isoformat(),
            person_id=event.person_id,
            at=at,
            script=ScriptName.FALLS_FOLLOW_UP,
            reason=f"Fall detector alarm at {local(at, context.tz).strftime('%H:%M')}: "
            "a falls follow-up call today",
            evidence=tuple(evidence),
            call_by=day,
        )
    ]
