from __future__ import annotations

import json
from typing import Any

import pytest

from contracts.devices import SensorCapability
from services.gateway.zigbee import Ignored, Reading, ZigbeeMessage, ZigbeeRejected, parse
from tests.unit.gateway.samples import json_samples, raw_payload

SAMPLES = json_samples("zigbee2mqtt")
EXPECTED_READING = {
    "contact_state": (SensorCapability.CONTACT, {"closed": True, "open": False}),
    "motion": (SensorCapability.OCCUPANCY, None),
    "leak": (SensorCapability.WATER_LEAK, None),
    "smoke": (SensorCapability.SMOKE, None),
    "available": (SensorCapability.AVAILABILITY, None),
}


def parsed(sample: dict[str, Any]) -> ZigbeeMessage | Ignored:
    topic = sample["topic"] or "zigbee2mqtt/test device"
    topic = topic.replace("<not given>", "test device")
    return parse(topic.split("/", 1)[0], topic, raw_payload(sample))


def values(message: ZigbeeMessage, capability: SensorCapability) -> list[object]:
    return [r.value for r in message.readings if r.capability is capability]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_every_real_sample_maps_as_its_source_says(sample: dict[str, Any]) -> None:
    message = parsed(sample)
    expect = sample["expect"]
    if "bridge_online" in expect or "duplicate_of" in expect or expect.get("available", 0) is None:
        assert isinstance(message, Ignored)
        return
    assert isinstance(message, ZigbeeMessage)
    for key, (capability, meaning) in EXPECTED_READING.items():
        if key not in expect:
            continue
        wanted = expect[key] if meaning is None else meaning.get(expect[key])
        assert values(message, capability) == ([] if wanted is None else [wanted])
    if "sos" in expect:
        assert (True in values(message, SensorCapability.SOS)) is expect["sos"]
    if "battery" in expect:
        assert values(message, SensorCapability.BATTERY) == [float(expect["battery"])]


def test_friendly_names_keep_spaces_and_slashes() -> None:
    message = parse("base", "base/livingroom/door", b'{"contact": false}')
    assert isinstance(message, ZigbeeMessage)
    assert message.friendly_name == "livingroom/door"
    assert message.readings == (Reading(SensorCapability.CONTACT, False),)


def test_last_seen_gives_the_time_and_a_stable_id() -> None:
    payload = b'{"occupancy": true, "last_seen": 1573393389829}'
    first, again = (parse("z", "z/hall", payload) for _ in range(2))
    assert isinstance(first, ZigbeeMessage) and isinstance(again, ZigbeeMessage)
    assert first.seen_at is not None and first.seen_at.year == 2019
    reading = first.readings[0]
    assert first.event_id(reading) == again.event_id(reading)


def test_other_actions_are_kept_as_actions() -> None:
    message = parse("z", "z/fridge", b'{"action": "vibration", "vibration": true}')
    assert isinstance(message, ZigbeeMessage)
    assert Reading(SensorCapability.ACTION, "vibration") in message.readings
    assert Reading(SensorCapability.VIBRATION, True) in message.readings


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("z/hall", b"not json", "not JSON"),
        ("z/hall", b"[1, 2]", "not a JSON object"),
        ("z/hall/availability", b"sleepy", "neither online nor offline"),
        ("other/hall", b"{}", "not under"),
    ],
)
def test_what_cannot_be_read_is_rejected_with_a_reason(
    topic: str, payload: bytes, reason: str
) -> None:
    with pytest.raises(ZigbeeRejected, match=reason):
        parse("z", topic, payload)


@pytest.mark.parametrize("topic", ["z/bridge/devices", "z/hall/set", "z/hall/get"])
def test_bridge_and_command_topics_are_ignored(topic: str) -> None:
    assert isinstance(parse("z", topic, b"{}"), Ignored)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("ON", [True]),
        ("OFF", [False]),
        ("on", [True]),
        (None, []),
        ("idle", []),
    ],
)
def test_a_switch_plug_or_flush_state_is_a_reading(state: object, expected: list[bool]) -> None:
    payload = json.dumps({"state": state, "linkquality": 90}).encode()
    message = parse("z", "z/kettle plug", payload)
    assert isinstance(message, ZigbeeMessage)
    assert values(message, SensorCapability.STATE) == expected
