"""Alarm triage: which device events are alarms, how urgent, and when they close.

Repeats of an open alarm share its `alert_key`: the care record merges them and counts
the presses (`care/domain/alerts.py`), so triage states only what each press was; a
reset (`RE`) or a cancel (status 0019) closes it with the reason; heartbeats, test
transmissions and technical statuses never become alerts. A falls pendant or fall
detector cancelled within moments, again and again, is a sign its sensitivity needs
changing: the technology assistants get an alert saying so."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from contracts.codes import (
    AlertKind,
    AlertPriority,
    AlertQueue,
    ScaipDeviceType,
    ScaipLocation,
    ScaipMessageType,
    ScaipStatus,
)
from contracts.devices import AlarmEvent, LocationEvent, SensorCapability, SensorEvent, VoiceEvent
from contracts.devices import VoiceIntent as Intent
from streams.processors.clock import clock_at, stamp
from streams.processors.context import PersonContext
from streams.processors.outputs import Output, alert, close, sentence

NAME = "triage"
QUICK_CANCEL = timedelta(minutes=2)
FALSE_ALARM_WINDOW = timedelta(days=30)
FALSE_ALARMS_FOR_REVIEW = 3
SENSITIVE_DEVICES = frozenset({ScaipDeviceType.PERSONAL_TRIGGER, ScaipDeviceType.FALL_DETECTOR})

DEVICE_NAMES = {
    ScaipDeviceType.LOCAL_UNIT: "alarm hub button",
    ScaipDeviceType.PERSONAL_TRIGGER: "pendant",
    ScaipDeviceType.FIXED_TRIGGER: "pull cord",
    ScaipDeviceType.FALL_DETECTOR: "fall detector",
    ScaipDeviceType.ACTIVITY_DETECTOR: "activity detector",
    ScaipDeviceType.BED_MONITOR: "bed monitor",
    ScaipDeviceType.MAT_SENSOR: "mat sensor",
    ScaipDeviceType.DOOR_SENSOR: "door sensor",
    ScaipDeviceType.WANDERING_SENSOR: "wandering sensor",
    ScaipDeviceType.OCCUPANCY: "occupancy sensor",
    ScaipDeviceType.SMOKE: "smoke detector",
    ScaipDeviceType.CARBON_MONOXIDE: "carbon monoxide detector",
    ScaipDeviceType.FLOOD: "flood detector",
    ScaipDeviceType.CHAIR_MONITOR: "chair monitor",
    ScaipDeviceType.TRACKING_DEVICE: "GPS tracker",
}
PLACES = {
    ScaipLocation.HOME: "home",
    ScaipLocation.BATHROOM: "bathroom",
    ScaipLocation.BEDROOM: "bedroom",
    ScaipLocation.KITCHEN: "kitchen",
    ScaipLocation.FRONT_DOOR: "front door",
    ScaipLocation.LIVING_ROOM: "living room",
}


class OpenAlarm(BaseModel):
    raised_at: datetime
    reference: str
    device: str
    device_type: int | None = None


class TriageState(BaseModel):
    person_id: str
    open: dict[str, OpenAlarm] = Field(default_factory=dict)
    false_alarms: dict[str, list[datetime]] = Field(default_factory=dict)


def device_name(device_type: int) -> str:
    try:
        return DEVICE_NAMES[ScaipDeviceType(device_type)]
    except ValueError:
        return f"device type {device_type:04d}"


def scaip_device(event: AlarmEvent) -> str:
    """The device an alarm came from: hub, device type and (when sent) device id."""
    label = f"{event.controller_id}/{event.device_type:04d}"
    return f"{label}/{event.device_id}" if event.device_id else label


def place(event: AlarmEvent) -> str | None:
    if event.location_text:
        return event.location_text
    try:
        return PLACES[ScaipLocation(event.location_code)] if event.location_code else None
    except ValueError:
        return None


def process(
    state: TriageState, event: object, context: PersonContext
) -> tuple[TriageState, list[Output]]:
    if isinstance(event, AlarmEvent):
        if not _concerns_triage(event):
            return state, []
        state = state.model_copy(deep=True)
        return state, _scaip(state, event, context)
    raised = _help_requested(event)
    if raised is None:
        return state, []
    assert isinstance(event, SensorEvent | LocationEvent | VoiceEvent)
    state = state.model_copy(deep=True)
    device, what, kind, priority = raised
    return state, _raise(state, event, context, device, what, kind, priority, None, None)


def _concerns_triage(event: AlarmEvent) -> bool:
    """Alarms, resets and cancels; heartbeats, information and technical statuses are
    device health's business."""
    if event.message_type is ScaipMessageType.RESET:
        return True
    if event.message_type is not ScaipMessageType.ALARM:
        return False
    if event.status_code == ScaipStatus.CANCEL:
        return True
    return event.is_alarm and event.status_code != ScaipStatus.CLOSED


def _help_requested(event: object) -> tuple[str, str, AlertKind, AlertPriority] | None:
    """Sensors, trackers and voice assistants that ask for help: (device, what, ...)."""
    urgent = AlertPriority.URGENT
    if isinstance(event, SensorEvent):
        cap, value = event.capability, event.value
        if (cap is SensorCapability.SOS and value is True) or (
            cap is SensorCapability.ACTION and value == "emergency"
        ):
            return event.device_id, "SOS button pressed", AlertKind.ALARM, urgent
        if cap is SensorCapability.SMOKE and value is True:
            return event.device_id, "smoke detected", AlertKind.ALARM, urgent
        if cap is SensorCapability.WATER_LEAK and value is True:
            return event.device_id, "water leak (flood) detected", AlertKind.ALARM, urgent
    if isinstance(event, LocationEvent) and event.sos:
        where = f" at {event.position.lat:.5f},{event.position.lon:.5f}" if event.position else ""
        return event.tracker_id, f"SOS from GPS tracker{where}", AlertKind.ALARM, urgent
    if isinstance(event, VoiceEvent):
        if event.intent is Intent.SOS:
            return event.device_id, "asked Alexa for help (SOS)", AlertKind.ALARM, urgent
        if event.intent in (Intent.CHECKIN_NEED_HELP, Intent.CALL_MY_CONTACT):
            what = "said they need help at the daily check-in"
            if event.intent is Intent.CALL_MY_CONTACT:
                what = "asked Alexa to call their contact"
            return event.device_id, what, AlertKind.CALLBACK_REQUESTED, AlertPriority.HIGH
    return None


def _scaip(state: TriageState, event: AlarmEvent, context: PersonContext) -> list[Output]:
    if event.message_type is ScaipMessageType.RESET:
        return _close(state, event, context, "reset at the hub (alarm withdrawn)")
    if event.status_code == ScaipStatus.CANCEL:
        return _close(state, event, context, "cancelled at the device (status 0019)")
    what = f"{device_name(event.device_type)} alarm"
    if event.status_code == ScaipStatus.AUTOMATIC_ALARM:
        what += " (automatic)"
    if where := place(event):
        what += f", {where}"
    what += f", from hub {event.controller_id}"
    priority = AlertPriority.URGENT if event.is_urgent else AlertPriority.HIGH
    return _raise(
        state,
        event,
        context,
        scaip_device(event),
        what,
        AlertKind.ALARM,
        priority,
        event.reference,
        event.device_type,
    )


def _raise(
    state: TriageState,
    event: AlarmEvent | SensorEvent | LocationEvent | VoiceEvent,
    context: PersonContext,
    device: str,
    what: str,
    kind: AlertKind,
    priority: AlertPriority,
    reference: str | None,
    device_type: int | None,
) -> list[Output]:
    key = f"alarm:{event.person_id}:{device}"
    at = clock_at(event.occurred_at, context.tz)
    current = state.open.get(key)
    if current is None:
        state.open[key] = OpenAlarm(
            raised_at=event.occurred_at,
            reference=reference or "",
            device=device,
            device_type=device_type,
        )
    else:
        current.reference = reference or current.reference
    summary = f"{sentence(what)} at {at}"
    return [
        alert(
            NAME,
            event.event_id,
            person_id=event.person_id,
            at=event.occurred_at,
            key=key,
            kind=kind,
            summary=summary,
            priority=priority,
            evidence=(f"{at} {what}",),
            caused_by=(event.event_id,),
        )
    ]


def _close(state: TriageState, event: AlarmEvent, context: PersonContext, how: str) -> list[Output]:
    device = scaip_device(event)
    key = f"alarm:{event.person_id}:{device}"
    if key not in state.open:  # a reset names the alarm by its ref, maybe not its device
        key = next((k for k, o in state.open.items() if o.reference == event.reference), key)
    opened = state.open.pop(key, None)
    reason = f"Alarm {how} at {clock_at(event.occurred_at, context.tz)}"
    outputs: list[Output] = [
        close(
            NAME,
            event.event_id,
            person_id=event.person_id,
            at=event.occurred_at,
            key=key,
            kind=AlertKind.ALARM,
            reason=reason,
            caused_by=(event.event_id,),
        )
    ]
    if opened is not None and event.occurred_at - opened.raised_at <= QUICK_CANCEL:
        outputs += _count_false_alarm(state, event, context, opened)
    return outputs


def _count_false_alarm(
    state: TriageState, event: AlarmEvent, context: PersonContext, opened: OpenAlarm
) -> list[Output]:
    if opened.device_type not in SENSITIVE_DEVICES:
        return []
    since = event.occurred_at - FALSE_ALARM_WINDOW
    times = [t for t in state.false_alarms.get(opened.device, []) if t >= since]
    if opened.raised_at in times:
        return []  # this one was counted before (a redelivered cancel)
    times.append(opened.raised_at)
    state.false_alarms[opened.device] = times
    if len(times) < FALSE_ALARMS_FOR_REVIEW:
        return []
    name = device_name(opened.device_type or 0)
    summary = (
        f"The {name} {opened.device} raised {len(times)} alarms cancelled within "
        f"{int(QUICK_CANCEL.total_seconds() // 60)} min in the last "
        f"{FALSE_ALARM_WINDOW.days} days: review its sensitivity level"
    )
    evidence = tuple(f"{stamp(t, context.tz)} raised, then cancelled" for t in times)
    return [
        alert(
            NAME,
            event.event_id,
            "false_alarms",
            person_id=event.person_id,
            at=event.occurred_at,
            key=f"false_alarms:{event.person_id}:{opened.device}",
            kind=AlertKind.FALSE_ALARMS,
            summary=summary,
            priority=AlertPriority.NORMAL,
            queue=AlertQueue.TECHNOLOGY_ASSISTANT,
            evidence=evidence,
            caused_by=(event.event_id,),
        )
    ]
