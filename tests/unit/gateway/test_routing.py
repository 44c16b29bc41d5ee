from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.devices import (
    AlarmEvent,
    LocationEvent,
    SensorCapability,
    SensorEvent,
    VoiceEvent,
    VoiceIntent,
)
from contracts.envelope import Envelope
from services.gateway.routing import topic_for, unregistered

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
COMMON = {"person_id": "P1", "occurred_at": NOW, "source": "test"}


def sensor(capability: SensorCapability, value: object) -> SensorEvent:
    return SensorEvent(**COMMON, device_id="d", capability=capability, value=value)


@pytest.mark.parametrize(
    ("event", "topic"),
    [
        (AlarmEvent(**COMMON, reference="1", controller_id="1", device_type=3), "device.alarms"),
        (
            AlarmEvent(**COMMON, reference="1", controller_id="1", device_type=2, status_code=102),
            "device.events",
        ),
        (sensor(SensorCapability.SOS, True), "device.alarms"),
        (sensor(SensorCapability.SOS, False), "device.events"),
        (sensor(SensorCapability.SMOKE, True), "device.alarms"),
        (sensor(SensorCapability.WATER_LEAK, True), "device.alarms"),
        (sensor(SensorCapability.WATER_LEAK, False), "device.events"),
        (sensor(SensorCapability.CONTACT, False), "device.events"),
        (LocationEvent(**COMMON, tracker_id="u/d", sos=True), "device.alarms"),
        (LocationEvent(**COMMON, tracker_id="u/d"), "device.events"),
        (
            VoiceEvent(**COMMON, device_id="a", request_id="r", intent=VoiceIntent.SOS),
            "device.alarms",
        ),
        (
            VoiceEvent(**COMMON, device_id="a", request_id="r", intent=VoiceIntent.CHECKIN_OK),
            "device.events",
        ),
    ],
)
def test_alarms_take_the_priority_lane(event: Envelope, topic: str) -> None:
    assert topic_for(event) == topic


def test_an_unknown_device_gives_a_dead_letter_and_a_mergeable_alert() -> None:
    letter, alert = unregistered("zigbee", "hall", "gateway.zigbee2mqtt", b"{}", False, ("x",))
    assert letter.raw == b"{}" and letter.origin == "gateway.zigbee2mqtt"
    assert alert.alert_key == "unregistered:zigbee"  # one alert per kind, not per made-up id
    assert (alert.person_id, alert.queue, alert.priority) == (
        "unregistered",
        "technology_assistant",
        "normal",
    )
