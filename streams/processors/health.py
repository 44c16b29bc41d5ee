"""Device health: missed heartbeats, devices gone offline, low batteries and tamper,
for the technology assistants' worklist (never the alarm queue).

An alarm hub's heartbeat interval is learnt from its own heartbeats; one missing for
three intervals is reported by the timed check, and the next heartbeat closes it."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from statistics import median

from pydantic import BaseModel, Field

from contracts.codes import AlertKind, AlertPriority, AlertQueue, ScaipMessageType, ScaipStatus
from contracts.devices import AlarmEvent, LocationEvent, SensorCapability, SensorEvent
from streams.processors.clock import clock_at, duration, stamp
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, alert, close, sentence
from streams.processors.triage import device_name, scaip_device

NAME = "health"
HEARTBEATS_KEPT = 6
MISSED_INTERVALS = 3
MIN_OVERDUE = timedelta(minutes=15)
BATTERY_LOW_PCT = 15.0
BATTERY_OK_PCT = 25.0
TA = AlertQueue.TECHNOLOGY_ASSISTANT


class HealthState(BaseModel):
    person_id: str
    heartbeats: dict[str, list[datetime]] = Field(
        default_factory=dict, description="hub cid -> its latest heartbeat times"
    )
    problems: dict[str, datetime] = Field(
        default_factory=dict, description="open alert key -> when it was raised"
    )


# (alert kind, raised?) for the SCAIP statuses that say something about the device.
SCAIP_PROBLEMS: dict[int, tuple[AlertKind, bool, str]] = {
    ScaipStatus.BATTERY_LOW: (AlertKind.BATTERY_LOW, True, "battery low"),
    ScaipStatus.BATTERY_OK: (AlertKind.BATTERY_LOW, False, "battery ok again"),
    ScaipStatus.TAMPER: (AlertKind.TAMPER, True, "tampered with"),
    ScaipStatus.RADIO_TEST_MISSING: (AlertKind.DEVICE_OFFLINE, True, "radio test missing"),
    ScaipStatus.POWER_FAIL: (AlertKind.DEVICE_OFFLINE, True, "mains power failed"),
    ScaipStatus.POWER_RESTORED: (AlertKind.DEVICE_OFFLINE, False, "mains power restored"),
}
PRIORITY = {
    AlertKind.BATTERY_LOW: AlertPriority.NORMAL,
    AlertKind.TAMPER: AlertPriority.HIGH,
    AlertKind.DEVICE_OFFLINE: AlertPriority.HIGH,
}


def process(
    state: HealthState, event: object, context: PersonContext
) -> tuple[HealthState, list[Output]]:
    if isinstance(event, AlarmEvent):
        if event.message_type is not ScaipMessageType.HEARTBEAT and (
            event.status_code not in SCAIP_PROBLEMS
        ):
            return state, []
        state = state.model_copy(deep=True)
        return state, _scaip(state, event, context)
    change = _reading(event)
    if change is None:
        return state, []
    assert isinstance(event, SensorEvent | LocationEvent)
    state = state.model_copy(deep=True)
    device, kind, raised, what = change
    return state, _transition(state, event, context, device, kind, raised, what)


def _reading(event: object) -> tuple[str, AlertKind, bool, str] | None:
    """(device, kind, raised?, what) when a sensor or tracker reading changes health."""
    if isinstance(event, LocationEvent) and event.battery_pct is not None:
        return _battery(f"GPS tracker {event.tracker_id}", float(event.battery_pct))
    if not isinstance(event, SensorEvent) or event.value is None:
        return None
    device = f"sensor '{event.device_id}'"
    cap, value = event.capability, event.value
    if cap is SensorCapability.AVAILABILITY:
        return (
            device,
            AlertKind.DEVICE_OFFLINE,
            value is False,
            ("offline" if value is False else "online again"),
        )
    if cap is SensorCapability.BATTERY_LOW:
        return (
            device,
            AlertKind.BATTERY_LOW,
            value is True,
            ("battery low" if value is True else "battery ok again"),
        )
    if cap is SensorCapability.TAMPER:
        return (
            device,
            AlertKind.TAMPER,
            value is True,
            ("tampered with" if value is True else "tamper cleared"),
        )
    if cap is SensorCapability.BATTERY and not isinstance(value, bool):
        try:
            return _battery(device, float(value))
        except ValueError:
            return None
    return None


def _battery(device: str, pct: float) -> tuple[str, AlertKind, bool, str] | None:
    if pct < BATTERY_LOW_PCT:
        return device, AlertKind.BATTERY_LOW, True, f"battery at {pct:.0f}%"
    if pct >= BATTERY_OK_PCT:
        return device, AlertKind.BATTERY_LOW, False, f"battery at {pct:.0f}%"
    return None


def _scaip(state: HealthState, event: AlarmEvent, context: PersonContext) -> list[Output]:
    if event.message_type is ScaipMessageType.HEARTBEAT:
        return _heartbeat(state, event, context)
    assert event.status_code is not None
    kind, raised, what = SCAIP_PROBLEMS[event.status_code]
    device = f"{device_name(event.device_type)} {scaip_device(event)}"
    return _transition(state, event, context, device, kind, raised, what)


def _transition(
    state: HealthState,
    event: AlarmEvent | SensorEvent | LocationEvent,
    context: PersonContext,
    device: str,
    kind: AlertKind,
    raised: bool,
    what: str,
) -> list[Output]:
    """Raise on the change to a problem and close on the change back; repeats of the
    same reading change nothing."""
    key = f"{kind.value}:{event.person_id}:{device}"
    at = clock_at(event.occurred_at, context.tz)
    if raised and key not in state.problems:
        state.problems[key] = event.occurred_at
        summary = f"{sentence(device)}: {what} at {at}"
        return [
            alert(
                NAME,
                event.event_id,
                person_id=event.person_id,
                at=event.occurred_at,
                key=key,
                kind=kind,
                summary=summary,
                priority=PRIORITY[kind],
                queue=TA,
                evidence=(f"{stamp(event.occurred_at, context.tz)} {what}",),
                caused_by=(event.event_id,),
            )
        ]
    if not raised and key in state.problems:
        del state.problems[key]
        return [
            close(
                NAME,
                event.event_id,
                person_id=event.person_id,
                at=event.occurred_at,
                key=key,
                kind=kind,
                reason=f"{sentence(device)}: {what} at {at}",
                queue=TA,
                caused_by=(event.event_id,),
            )
        ]
    return []


def heartbeat_overdue_after(beats: list[datetime]) -> timedelta | None:
    if len(beats) < 2:
        return None
    interval = timedelta(
        seconds=median((b - a).total_seconds() for a, b in itertools.pairwise(beats))
    )
    return max(interval * MISSED_INTERVALS, MIN_OVERDUE)


def _heartbeat(state: HealthState, event: AlarmEvent, context: PersonContext) -> list[Output]:
    beats = state.heartbeats.setdefault(event.controller_id, [])
    overdue = heartbeat_overdue_after(beats)
    previous = beats[-1] if beats else None
    if previous is not None and event.occurred_at <= previous:
        return []  # a redelivered or late heartbeat says nothing new
    beats.append(event.occurred_at)
    del beats[:-HEARTBEATS_KEPT]
    if previous is None or overdue is None or event.occurred_at - previous <= overdue:
        return []
    # The timed check raised "no heartbeat" during this gap: the heartbeat closes it.
    reason = (
        f"Alarm hub {event.controller_id}: heartbeat received again at "
        f"{clock_at(event.occurred_at, context.tz)} after "
        f"{duration(event.occurred_at - previous)}"
    )
    return [
        close(
            NAME,
            event.event_id,
            person_id=event.person_id,
            at=event.occurred_at,
            key=_missed_key(event.person_id, event.controller_id),
            kind=AlertKind.DEVICE_OFFLINE,
            reason=reason,
            queue=TA,
            caused_by=(event.event_id,),
        )
    ]


def _missed_key(person_id: str, hub: str) -> str:
    return f"heartbeat:{person_id}:{hub}"


def check(state: HealthState, context: PersonContext, now: datetime) -> list[Output]:
    """Timed: hubs whose heartbeat is overdue. Ids depend on the last heartbeat seen,
    so every tick of one gap yields the same alert."""
    outputs: list[Output] = []
    for hub, beats in state.heartbeats.items():
        overdue = heartbeat_overdue_after(beats)
        if overdue is None or now - beats[-1] <= overdue:
            continue
        usual = duration(overdue / MISSED_INTERVALS)
        summary = (
            f"Alarm hub {hub}: heartbeats usually every {usual} (median of the last "
            f"{len(beats) - 1} gaps); none since {clock_at(beats[-1], context.tz)} "
            f"({duration(now - beats[-1])})"
        )
        outputs.append(
            alert(
                NAME,
                state.person_id,
                hub,
                "missed",
                beats[-1].isoformat(),
                person_id=state.person_id,
                at=now,
                key=_missed_key(state.person_id, hub),
                kind=AlertKind.DEVICE_OFFLINE,
                summary=summary,
                queue=TA,
                evidence=(f"last heartbeat {stamp(beats[-1], context.tz)}",),
            )
        )
    return outputs
