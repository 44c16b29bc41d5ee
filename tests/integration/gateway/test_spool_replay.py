"""No loss: while the broker is down the gateway spools to disk, and once it is back
every event arrives exactly once and in order; when even the spool fails, a SCAIP
alarm is answered busy so the hub retries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, TopicPartition

from contracts.codes import ScaipSnu
from contracts.devices import AlarmEvent
from contracts.topics import Topic
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.gateway.intake import Intake
from services.gateway.register import EquipmentRegister
from services.gateway.routing import topic_for
from services.gateway.scaip_receiver import ScaipReceiver
from services.gateway.sender import Delivery, Sender
from services.gateway.sip import parse_message
from services.processes import free_port
from services.sim.cohort import SimPerson
from tests.support.refs import person_id

pytestmark = [pytest.mark.broker, pytest.mark.slow]


@pytest.fixture
def broker() -> Iterator[EmbeddedBroker]:
    broker = EmbeddedBroker().start()
    create_topics(broker.bootstrap_servers, partitions=3)
    yield broker
    broker.stop()


def alarm(person: str, n: int, urgent: bool) -> AlarmEvent:
    return AlarmEvent(
        person_id=person,
        occurred_at=datetime.now(UTC),
        source="test",
        reference=f"R{n}",
        controller_id="1",
        device_type=3 if urgent else 99,
    )


def everything_on(bootstrap: str, topic: str) -> list[str]:
    """Every event id on the topic, in partition order (one person: one partition)."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=3000
    )
    try:
        consumer.assign([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)])
        consumer.seek_to_beginning()
        return [json.loads(record.value)["event_id"] for record in consumer]
    finally:
        consumer.close()


async def eventually_empty(sender: Sender, timeout_s: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while await sender.pending():
        assert asyncio.get_running_loop().time() < deadline, "spool not replayed in time"
        await asyncio.sleep(0.2)


async def test_events_sent_while_the_broker_is_down_arrive_once_and_in_order(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    person = person_id()
    sender = Sender(broker.bootstrap_servers, tmp_path / "spool.db", timeout_s=2)
    try:
        assert await sender.send(Topic.DEVICE_EVENTS, alarm(person, 0, False)) is Delivery.SENT
        broker.stop()
        during = [alarm(person, n, urgent=n % 3 == 0) for n in range(1, 31)]
        deliveries = [await sender.send(topic_for(e), e) for e in during]
        assert set(deliveries) == {Delivery.SPOOLED}
        assert await sender.pending() == len(during)

        broker.start()  # same port; Tansu kept nothing, so the topics are made again
        create_topics(broker.bootstrap_servers, partitions=3)
        after = [alarm(person, n, urgent=n % 3 == 0) for n in range(31, 41)]
        for event in after:  # behind the spool, never ahead of it
            await sender.send(topic_for(event), event)
        await eventually_empty(sender)
    finally:
        await sender.close()
    for topic, urgent in ((Topic.DEVICE_ALARMS, True), (Topic.DEVICE_EVENTS, False)):
        wanted = [str(e.event_id) for e in during + after if e.is_urgent is urgent]
        assert everything_on(broker.bootstrap_servers, topic) == wanted


async def test_a_spool_left_by_a_stopped_gateway_is_replayed_on_start(
    broker: EmbeddedBroker, tmp_path: Path
) -> None:
    unreachable = f"127.0.0.1:{free_port()}"
    first = Sender(unreachable, tmp_path / "spool.db", timeout_s=1)
    events = [alarm(person_id(), n, urgent=True) for n in range(3)]
    for event in events:
        assert await first.send(Topic.DEVICE_ALARMS, event) is Delivery.SPOOLED
    await first.close()
    spool = tmp_path / "spool.db"
    assert spool.stat().st_mode & 0o777 == 0o600  # it names people: owner only
    second = Sender(broker.bootstrap_servers, tmp_path / "spool.db", timeout_s=2)
    try:
        await second.resume()
        await eventually_empty(second)
        await asyncio.sleep(0.5)  # the replay compacts once it has emptied the spool
    finally:
        await second.close()
    # Nothing sent stays readable at rest: not in the file, not in its WAL.
    at_rest = b"".join(p.read_bytes() for p in tmp_path.glob("spool.db*"))
    assert all(str(e.event_id).encode() not in at_rest for e in events)
    arrived = everything_on(broker.bootstrap_servers, Topic.DEVICE_ALARMS)
    assert sorted(arrived) == sorted(str(e.event_id) for e in events)


async def test_an_alarm_neither_sent_nor_spooled_is_answered_busy(
    register: EquipmentRegister, person: SimPerson, tmp_path: Path
) -> None:
    sender = Sender(f"127.0.0.1:{free_port()}", tmp_path / "spool.db", timeout_s=1)
    for lane in sender.lanes.values():
        lane.spool.close()  # the disk is gone: appends fail
    receiver = ScaipReceiver(Intake(register, sender), "127.0.0.1")
    cid = person.device("scaip_hub").identifier
    body = f"<mrq><ref>B1</ref><cid>{cid}</cid><dty>3</dty></mrq>".encode()
    request = parse_message(
        b"MESSAGE sip:r@127.0.0.1 SIP/2.0\r\nFrom: <sip:" + cid.encode() + b"@10.0.0.9>;tag=1\r\n"
        b"Content-Type: application/scaip+xml\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    try:
        outcome = await receiver.take(request, body, "10.0.0.9")
    finally:
        await sender.close()
    assert (outcome.snu, outcome.ref) == (ScaipSnu.BUSY, "B1")
