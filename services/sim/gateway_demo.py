"""The gateway demo: a pendant alarm sent as a real SCAIP SIP MESSAGE over UDP, and a
front door opening published as zigbee2mqtt over MQTT, through the running gateway and
worker into the store."""

from __future__ import annotations

import asyncio
import re
import socket
import time
import uuid
from collections.abc import Callable

import aiomqtt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.envelope import deterministic_id
from services.gateway.sip import SipError, SipUri, message_request, parse_message, response
from services.sim.cohort import SimPerson
from services.sim.spine_demo import wait_for
from services.store.db import transaction
from services.store.models import DeviceEventRecord


def send_scaip_alarm(host: str, port: int, cid: str, ref: str, timeout_s: float = 60) -> int:
    """Send an `<mrq>` as an alarm hub does, retransmitting until answered; return the
    `snu` of the `<mrs>` MESSAGE the receiver sends back."""
    body = f"<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>0003</dty><stc>010</stc></mrq>"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.5)
        request = message_request(SipUri("receiver", host, port), "127.0.0.1",
                                  sock.getsockname()[1], "UDP", "application/scaip+xml",
                                  body.encode(), from_user=cid)
        deadline = time.monotonic() + timeout_s
        answered = False
        while time.monotonic() < deadline:
            if not answered:
                sock.sendto(request, (host, port))
            try:
                data, peer = sock.recvfrom(65536)
                message = parse_message(data)
            except (TimeoutError, SipError):
                continue
            if not message.is_request:
                answered = True  # the 200 OK; the <mrs> follows in its own MESSAGE
                continue
            sock.sendto(response(message, 200, "OK"), peer)
            if match := re.search(rb"<snu>(\d+)</snu>", message.body):
                return int(match.group(1))
    raise TimeoutError(f"no <mrs> from the SCAIP receiver on {host}:{port}")


def stored(factory: sessionmaker[Session], person_id: str, source: str) -> list[str]:
    with transaction(factory) as session:
        return list(session.scalars(
            select(DeviceEventRecord.topic).where(DeviceEventRecord.person_id == person_id,
                                                  DeviceEventRecord.source == source)))


def run_gateway_demo(
    person: SimPerson,
    factory: sessionmaker[Session],
    sip_port: int,
    mqtt: tuple[str, int] | None,
    still_running: Callable[[], None] = lambda: None,
    timeout_s: float = 60,
) -> str:
    hub = person.device("scaip_hub").identifier
    ref = uuid.uuid4().hex[:10]
    snu = send_scaip_alarm("127.0.0.1", sip_port, hub, ref, timeout_s)
    lines = ["", f"Gateway demo: SCAIP pendant alarm from hub {hub} (ref {ref}) answered "
                 f"snu {snu}"]
    event_id = deterministic_id("scaip", hub, ref, "ME")
    if not wait_for(lambda: _has(factory, event_id), timeout_s, still_running):
        raise TimeoutError(f"the SCAIP alarm {event_id} was not stored in {timeout_s}s")
    lines.append(f"  stored as {event_id} on device.alarms for {person.person_id}")
    if mqtt is None:
        lines.append("  zigbee2mqtt part skipped: no MQTT broker answers")
        return "\n".join(lines)
    door = person.device("zigbee", "front_door").identifier
    asyncio.run(_publish(mqtt, f"zigbee2mqtt/{door}", b'{"contact": false, "battery": 97}'))
    if not wait_for(lambda: len(stored(factory, person.person_id, "gateway.zigbee2mqtt")) >= 2,
                    timeout_s, still_running):
        raise TimeoutError(f"the zigbee2mqtt readings were not stored in {timeout_s}s")
    topics = stored(factory, person.person_id, "gateway.zigbee2mqtt")
    lines.append(f"  zigbee2mqtt '{door}' opened: {len(topics)} readings stored "
                     f"on {', '.join(sorted(set(topics)))}")
    return "\n".join(lines)


async def _publish(broker: tuple[str, int], topic: str, payload: bytes) -> None:
    async with aiomqtt.Client(*broker) as client:
        await client.publish(topic, payload, qos=1)


def _has(factory: sessionmaker[Session], event_id: uuid.UUID) -> bool:
    with transaction(factory) as session:
        return session.get(DeviceEventRecord, event_id) is not None
