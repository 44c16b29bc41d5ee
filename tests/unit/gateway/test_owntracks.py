from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.devices import LocationKind
from services.gateway.owntracks import (
    Fix,
    Ignored,
    OwnTracksRejected,
    parse_mqtt,
    parse_payload,
    tracker_from_topic,
)
from services.gateway.routing import topic_for
from tests.unit.gateway.samples import json_samples, raw_payload

SAMPLES = json_samples("owntracks")
NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)


def fixes(sample: dict[str, Any]) -> list[Fix]:
    topic = sample["topic"].split(" ")[0]
    if topic.startswith("owntracks/"):
        result = parse_mqtt(topic, raw_payload(sample))
    else:  # HTTP: the identity comes from the request, or a `topic` key in the body
        result = parse_payload("http/user", sample["payload"])
    assert not isinstance(result, Ignored)
    return result


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["id"] for s in SAMPLES])
def test_every_real_sample_maps_as_its_source_says(sample: dict[str, Any]) -> None:
    found = fixes(sample)
    expect = sample.get("expect", {})
    assert found
    events = [fix.to_event("P1", NOW, "gateway.owntracks") for fix in found]
    event = events[0]
    assert all(topic_for(e) == "device.events" for e in events)
    if "lat" in expect:
        assert event.position is not None
        assert (event.position.lat, event.position.lon) == (expect["lat"], expect["lon"])
    if "tst" in expect:
        assert event.occurred_at == datetime.fromtimestamp(expect["tst"], UTC)
    if expect.get("velocity_known") is False:
        assert event.velocity_kmh is None
    if "event" in expect:
        assert event.location_kind is LocationKind.TRANSITION
        assert (event.transition, event.region) == (expect["event"], expect["region"])
    if expect.get("position_valid") is False:
        assert event.position is None
    if "in_regions" in expect:
        assert list(event.regions) == expect["in_regions"]
    if "rad_m" in expect:
        assert event.location_kind is LocationKind.WAYPOINT
        assert event.region_radius_m == expect["rad_m"]
    if expect.get("device_offline"):
        assert event.location_kind is LocationKind.LWT


def test_the_tracker_is_user_slash_device() -> None:
    assert tracker_from_topic("owntracks/jane/nokia/event") == ("jane/nokia", "event")
    with pytest.raises(OwnTracksRejected):
        tracker_from_topic("owntracks/jane")


def test_a_resent_message_keeps_its_event_id() -> None:
    payload = b'{"_type":"location","lat":56.46,"lon":-2.97,"tst":1706856298}'
    [first] = parse_mqtt("owntracks/p1/phone", payload)  # type: ignore[misc]
    [again] = parse_mqtt("owntracks/p1/phone", payload)  # type: ignore[misc]
    assert first.event_id == again.event_id


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{", "not JSON"),
        (b'{"_type":"location","tst":1}', "without lat/lon"),
        (b'{"_type":"location","lat":1,"lon":2}', "without tst"),
        (b'{"_type":"location","lat":100,"lon":2,"tst":1}', "out of range"),
        (b'{"_type":"transition","event":"stay"}', "enter or leave"),
        (b'{"_type":"encrypted","data":"xx"}', "encrypted"),
    ],
)
def test_what_cannot_be_read_is_rejected_with_a_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(OwnTracksRejected, match=reason):
        parse_mqtt("owntracks/p1/phone", payload)


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("owntracks/p1/phone/cmd", b'{"_type":"cmd"}'),
        ("owntracks/p1/phone", b'{"_type":"card","name":"x"}'),
        ("owntracks/p1/phone", b""),
    ],
)
def test_other_traffic_is_ignored(topic: str, payload: bytes) -> None:
    assert isinstance(parse_mqtt(topic, payload), Ignored)
