"""Which topic an event takes, and what an unknown device's message becomes: pure."""

from __future__ import annotations

from contracts.care import Alert
from contracts.codes import AlertKind, AlertPriority, AlertQueue
from contracts.deadletter import DeadLetter
from contracts.devices import (
    AlarmEvent,
    LocationEvent,
    SensorCapability,
    SensorEvent,
    VoiceEvent,
    VoiceIntent,
)
from contracts.envelope import Envelope, deterministic_id, utcnow
from contracts.topics import Topic

# Readings that mean someone may need help now when true.
URGENT_READINGS = frozenset(
    {SensorCapability.SOS, SensorCapability.SMOKE, SensorCapability.WATER_LEAK}
)
URGENT_INTENTS = frozenset({VoiceIntent.SOS, VoiceIntent.CHECKIN_NEED_HELP})
# Alerts about devices nobody holds are keyed by this reserved id, not a person's.
UNREGISTERED_PERSON = "unregistered"


def is_urgent(event: Envelope) -> bool:
    if isinstance(event, AlarmEvent):
        return event.is_urgent
    if isinstance(event, SensorEvent):
        return event.capability in URGENT_READINGS and event.value is True
    if isinstance(event, LocationEvent):
        return event.sos
    if isinstance(event, VoiceEvent):
        return event.intent in URGENT_INTENTS
    return False


def topic_for(event: Envelope) -> Topic:
    """Alarms take the priority lane so they never wait behind telemetry."""
    return Topic.DEVICE_ALARMS if is_urgent(event) else Topic.DEVICE_EVENTS


def unregistered(
    kind: str, identifier: str, origin: str, raw: bytes, urgent: bool, facts: tuple[str, ...]
) -> tuple[DeadLetter, Alert]:
    """A message from a device on nobody's loan: kept whole as a dead letter, and an alert
    so a technology assistant registers it (a call handler when it was an alarm). The
    alert key is the device kind's, not the device's: a flood of made-up ids is one alert
    (the intake raises it once a window), each message still a dead letter."""
    alert_key = f"unregistered:{kind}"
    letter = DeadLetter.of(origin, f"device not registered: {kind} {identifier}", raw)
    alert = Alert(
        event_id=deterministic_id("gateway.unregistered", letter.dead_letter_id),
        person_id=UNREGISTERED_PERSON,
        occurred_at=utcnow(),
        source=origin,
        alert_key=alert_key,
        alert_kind=AlertKind.DEVICE_NOT_REGISTERED,
        priority=AlertPriority.URGENT if urgent else AlertPriority.NORMAL,
        queue=AlertQueue.CALL_HANDLER if urgent else AlertQueue.TECHNOLOGY_ASSISTANT,
        summary=f"{'Alarm from a' if urgent else 'A'} device that is on no loan: "
        f"{kind} {identifier} (any more within minutes are in the dead letters only)",
        evidence=facts,
    )
    return letter, alert
