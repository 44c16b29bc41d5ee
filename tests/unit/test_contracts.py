from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from contracts import CATALOGUE, AlarmEvent, DeadLetter, SensorEvent, Topic, deterministic_id
from contracts.codes import ScaipDeviceType, ScaipMessageType, ScaipStatus
from contracts.devices import SensorCapability

NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def alarm(**overrides: object) -> AlarmEvent:
    fields: dict[str, object] = {
        "person_id": "P000001",
        "occurred_at": NOW,
        "source": "gateway.scaip",
        "reference": "1193308443",
        "controller_id": "10149471",
        "device_type": ScaipDeviceType.PERSONAL_TRIGGER,
        "status_code": ScaipStatus.MANUAL_ALARM,
    }
    return AlarmEvent(**{**fields, **overrides})


def test_envelope_refuses_naive_datetimes() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        alarm(occurred_at=datetime(2026, 3, 29, 0, 30))


def test_envelope_normalises_local_time_to_utc() -> None:
    bst = timezone(timedelta(hours=1))
    event = alarm(occurred_at=datetime(2026, 3, 29, 2, 30, tzinfo=bst))
    assert event.occurred_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)


def test_person_id_cannot_carry_free_text() -> None:
    with pytest.raises(ValidationError):
        alarm(person_id="Agnes Ashby, 3 High St")


def test_deterministic_id_is_stable_and_distinct() -> None:
    first = deterministic_id("welfare", "P000001", "2026-03-29T10:00")
    assert first == deterministic_id("welfare", "P000001", "2026-03-29T10:00")
    assert first != deterministic_id("welfare", "P000002", "2026-03-29T10:00")


@pytest.mark.parametrize(
    ("device_type", "status_code", "message_type", "urgent"),
    [
        (ScaipDeviceType.PERSONAL_TRIGGER, ScaipStatus.MANUAL_ALARM, ScaipMessageType.ALARM, True),
        (ScaipDeviceType.FALL_DETECTOR, ScaipStatus.AUTOMATIC_ALARM, ScaipMessageType.ALARM, True),
        (ScaipDeviceType.SMOKE, None, ScaipMessageType.ALARM, True),  # no <stc> means alarm
        (ScaipDeviceType.PERSONAL_TRIGGER, ScaipStatus.BATTERY_LOW, ScaipMessageType.ALARM, False),
        (ScaipDeviceType.LOCAL_UNIT, ScaipStatus.TEST_TRANSMISSION, ScaipMessageType.ALARM, False),
        (
            ScaipDeviceType.LOCAL_UNIT,
            ScaipStatus.AUTOMATIC_ALARM,
            ScaipMessageType.HEARTBEAT,
            False,
        ),
        (ScaipDeviceType.PERSONAL_TRIGGER, ScaipStatus.MANUAL_ALARM, ScaipMessageType.RESET, False),
        (ScaipDeviceType.DOOR_SENSOR, ScaipStatus.OPEN, ScaipMessageType.ALARM, False),
    ],
)
def test_alarm_urgency_follows_device_and_status_codes(
    device_type: int, status_code: int | None, message_type: ScaipMessageType, urgent: bool
) -> None:
    event = alarm(device_type=device_type, status_code=status_code, message_type=message_type)
    assert event.is_urgent is urgent


def test_device_topics_parse_each_kind_by_discriminator() -> None:
    sensor = SensorEvent(
        person_id="P000001",
        occurred_at=NOW,
        source="gateway.mqtt",
        device_id="hall motion",
        capability=SensorCapability.OCCUPANCY,
        value=True,
    )
    spec = CATALOGUE[Topic.DEVICE_EVENTS]
    assert spec.parse(sensor.to_bytes()) == sensor
    pendant = alarm()
    assert spec.parse(pendant.to_bytes()) == pendant


def test_unknown_kind_is_refused_with_the_reason() -> None:
    raw = json.dumps({"kind": "toaster", "person_id": "P1"}).encode()
    with pytest.raises(ValidationError, match="toaster"):
        CATALOGUE[Topic.DEVICE_EVENTS].parse(raw)


def test_dead_letter_keeps_raw_bytes_exactly() -> None:
    raw = b"\x00\xffnot json"
    letter = DeadLetter.of("device.events", "invalid message: JSONDecodeError", raw, key=b"P1")
    again = DeadLetter.model_validate_json(letter.to_bytes())
    assert again.raw == raw
    assert again.reason.startswith("invalid message")


def test_every_topic_is_keyed_by_person_except_dead_letters() -> None:
    unkeyed = [spec.name for spec in CATALOGUE.values() if spec.key is None]
    assert unkeyed == [Topic.DEADLETTER]
    assert set(CATALOGUE) == set(Topic)
