"""Real zigbee2mqtt and OwnTracks payloads published to Mosquitto arrive on the bus as
typed events of the person holding the device (a unique base topic per test)."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from services.gateway import owntracks, zigbee
from services.gateway.intake import Intake
from services.gateway.mqtt_bridge import MqttBridge
from services.gateway.register import EquipmentRegister
from services.gateway.routing import URGENT_READINGS
from services.gateway.sender import Sender
from services.gateway.settings import GatewaySettings
from services.processes import free_port
from services.sim.cohort import SimPerson
from tests.integration.gateway.conftest import add_device, find_on_topic
from tests.support.parts import port_open, require
from tests.unit.gateway.samples import json_samples, raw_payload

pytestmark = pytest.mark.broker
MOSQUITTO = ("127.0.0.1", 1883)
# The person's device each zigbee2mqtt sample kind is published as.
ZIGBEE_DEVICES = {
    "door_contact": "front door",
    "pir_occupancy": "hall motion",
    "water_leak": "leak",
    "smoke": "smoke",
    "sos_button": "sos",
    "availability": "bed",
}
OWNTRACKS_SUFFIX = {"transition": "/event", "waypoint": "/waypoint", "waypoints": "/waypoints"}


@pytest.fixture
async def bridge(intake: Intake) -> AsyncIterator[MqttBridge]:
    require(port_open(*MOSQUITTO), "Mosquitto on 127.0.0.1:1883")
    base = f"tecflow-test-{uuid.uuid4().hex[:8]}"
    settings = GatewaySettings(
        mqtt_host=MOSQUITTO[0],
        mqtt_port=MOSQUITTO[1],
        zigbee_base_topic=f"{base}/zigbee2mqtt",
        owntracks_base_topic=f"{base}/owntracks",
    )
    bridge = MqttBridge(intake, settings, client_id=base)
    task = asyncio.create_task(bridge.run())
    await asyncio.wait_for(bridge.subscribed.wait(), 10)
    yield bridge
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def publish(messages: list[tuple[str, bytes]]) -> None:
    async with aiomqtt.Client(*MOSQUITTO) as client:
        for topic, payload in messages:
            await client.publish(topic, payload, qos=1)


def zigbee_topic(bridge: MqttBridge, person: SimPerson, sample: dict[str, Any]) -> str:
    if sample["kind"] == "bridge_state":
        return f"{bridge.zigbee_base}/bridge/state"
    original = sample["topic"] or ""
    suffix = (
        "/" + original.rsplit("/", 1)[1] if original.endswith(("/availability", "/action")) else ""
    )
    name = f"{person.person_id.lower()} {ZIGBEE_DEVICES[sample['kind']]}"
    return f"{bridge.zigbee_base}/{name}{suffix}"


async def on_bus(bootstrap: str, topic: str, person_id: str, count: int) -> list[dict[str, Any]]:
    if count == 0:
        return []
    return await asyncio.to_thread(
        find_on_topic, bootstrap, topic, lambda e: e.get("person_id") == person_id, count
    )


async def test_every_zigbee2mqtt_sample_arrives_as_sensor_events(
    bridge: MqttBridge, person: SimPerson, sqlite_url: str, kafka_bootstrap: str
) -> None:
    slug = person.person_id.lower()
    add_device(sqlite_url, person.person_id, "zigbee", f"{slug} leak", "kitchen")
    add_device(sqlite_url, person.person_id, "zigbee", f"{slug} smoke", "kitchen")
    messages = [
        (zigbee_topic(bridge, person, s), raw_payload(s)) for s in json_samples("zigbee2mqtt")
    ]
    expected: Counter[tuple[str, str, object, bool]] = Counter()
    for topic, payload in messages:
        parsed = zigbee.parse(bridge.zigbee_base, topic, payload)
        if isinstance(parsed, zigbee.ZigbeeMessage):
            for r in parsed.readings:
                urgent = r.capability in URGENT_READINGS and r.value is True
                expected[(parsed.friendly_name, str(r.capability), r.value, urgent)] += 1
    await publish(messages)
    alarms = await on_bus(
        kafka_bootstrap,
        "device.alarms",
        person.person_id,
        sum(n for key, n in expected.items() if key[3]),
    )
    events = await on_bus(
        kafka_bootstrap,
        "device.events",
        person.person_id,
        sum(n for key, n in expected.items() if not key[3]),
    )
    arrived = Counter(
        (e["device_id"], e["capability"], e["value"], e in alarms) for e in alarms + events
    )
    assert arrived == expected
    assert {e["capability"] for e in alarms} == {"sos", "smoke", "water_leak"}
    door = next(e for e in events if e["capability"] == "contact")
    assert (door["kind"], door["placement"]) == ("sensor", "front_door")


async def test_every_owntracks_sample_arrives_as_location_events(
    bridge: MqttBridge, person: SimPerson, kafka_bootstrap: str
) -> None:
    tracker = person.device("owntracks").identifier
    messages = [
        (f"{bridge.owntracks_base}/{tracker}{OWNTRACKS_SUFFIX.get(s['_type'], '')}", raw_payload(s))
        for s in json_samples("owntracks")
    ]
    wanted = set()
    for topic, payload in messages:
        fixes = owntracks.parse_mqtt(topic, payload, bridge.owntracks_base)
        assert not isinstance(fixes, owntracks.Ignored)
        wanted |= {str(f.event_id) for f in fixes}
    await publish(messages)
    found = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "device.events",
        lambda e: e["event_id"] in wanted,
        len(wanted),
    )
    assert {e["event_id"] for e in found} == wanted
    assert {e["location_kind"] for e in found} == {"location", "transition", "waypoint", "lwt"}
    assert all(e["person_id"] == person.person_id and e["tracker_id"] == tracker for e in found)


async def test_unreadable_and_unregistered_messages_are_kept_and_alerted(
    bridge: MqttBridge, person: SimPerson, kafka_bootstrap: str
) -> None:
    marker = uuid.uuid4().hex
    stranger = f"stranger {marker}"
    await publish(
        [
            (
                f"{bridge.zigbee_base}/{person.person_id.lower()} hall motion",
                f"not json {marker}".encode(),
            ),
            (
                f"{bridge.zigbee_base}/{stranger}",
                f'{{"occupancy": true, "m": "{marker}"}}'.encode(),
            ),
        ]
    )
    letters = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "deadletter",
        lambda d: marker.encode() in base64.b64decode(d["raw_b64"]),
        2,
    )
    reasons = sorted(letter["reason"] for letter in letters)
    assert reasons[0].startswith("device not registered: zigbee stranger")
    assert reasons[1].startswith("payload is not JSON")
    [alert] = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "alerts",
        lambda a: a["alert_key"] == "unregistered:zigbee" and stranger in a["summary"],
    )
    assert alert["queue"] == "technology_assistant"


async def test_impossible_times_are_dead_lettered_and_the_messages_behind_are_taken(
    bridge: MqttBridge, person: SimPerson, kafka_bootstrap: str
) -> None:
    marker = uuid.uuid4().hex
    door = f"{bridge.zigbee_base}/{person.person_id.lower()} front door"
    tracker = person.device("owntracks").identifier
    bad = [
        (door, f'{{"contact": false, "last_seen": 1e20, "m": "{marker}"}}'.encode()),
        (
            f"{bridge.owntracks_base}/{tracker}",
            f'{{"_type": "location", "lat": 1, "lon": 1, "tst": 1e300, "m": "{marker}"}}'.encode(),
        ),
    ]
    behind = [
        (door, f'{{"contact": {"true" if n % 2 else "false"}, "n": {n}}}'.encode())
        for n in range(200)
    ]
    await publish(bad + behind)
    letters = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "deadletter",
        lambda d: marker.encode() in base64.b64decode(d["raw_b64"]),
        2,
    )
    assert sorted(str(d["reason"]).split(" is not")[0] for d in letters) == ["last_seen", "tst"]
    events = await on_bus(kafka_bootstrap, "device.events", person.person_id, 200)
    assert len(events) == 200 and bridge.subscribed.is_set()


async def test_a_message_that_could_not_be_kept_is_not_acknowledged_and_comes_again(
    register: EquipmentRegister,
    sender: Sender,
    person: SimPerson,
    kafka_bootstrap: str,
    tmp_path: Path,
) -> None:
    require(port_open(*MOSQUITTO), "Mosquitto on 127.0.0.1:1883")
    broken = Sender(f"127.0.0.1:{free_port()}", tmp_path / "broken.db", timeout_s=1)
    for lane in broken.lanes.values():
        lane.spool.close()  # neither the broker nor the disk takes anything
    intake = Intake(register, broken)
    base = f"tecflow-test-{uuid.uuid4().hex[:8]}"
    settings = GatewaySettings(
        mqtt_host=MOSQUITTO[0],
        mqtt_port=MOSQUITTO[1],
        zigbee_base_topic=f"{base}/zigbee2mqtt",
        owntracks_base_topic=f"{base}/owntracks",
    )
    bridge = MqttBridge(intake, settings, client_id=base)
    task = asyncio.create_task(bridge.run(reconnect_s=0.5))
    try:
        await asyncio.wait_for(bridge.subscribed.wait(), 10)
        marker = uuid.uuid4().hex
        door = f"{bridge.zigbee_base}/{person.person_id.lower()} front door"
        await publish([(door, f'{{"contact": false, "last_seen": "{marker}"}}'.encode())])
        await asyncio.sleep(3)  # tried, not kept, not acknowledged
        intake.sender = sender  # the bus is back
        [event] = await on_bus(kafka_bootstrap, "device.events", person.person_id, 1)
        assert event["capability"] == "contact"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await broken.close()
