"""The simulator's devices on the real protocols: zigbee2mqtt and OwnTracks over MQTT,
SCAIP over SIP (UDP), as a home's hub, sensors and tracker send them.

Time: zigbee2mqtt (`last_seen`, enabled as zigbee2mqtt's `advanced.last_seen` does)
and OwnTracks (`tst`) carry the device's time, so they carry simulated time. SCAIP
carries none (the receiver stamps an alarm when it takes it), so alarms are live."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
import uuid
from datetime import datetime

import aiomqtt

from services.gateway.sip import SipError, SipUri, message_request, parse_message, response

SCAIP_DEVICE = {"pendant": (3, 10), "fall": (5, 9), "cancel": (3, 19)}  # dty, stc


def z2m_topic(friendly_name: str, availability: bool = False) -> str:
    return f"zigbee2mqtt/{friendly_name}" + ("/availability" if availability else "")


def z2m_payload(key: str, value: bool | int, at: datetime) -> bytes:
    # ISO 8601 with milliseconds: the gateway's event id is (device, field, last_seen).
    return json.dumps({key: value, "last_seen": at.isoformat(timespec="milliseconds")}).encode()


def owntracks_payload(lat: float, lon: float, at: datetime, battery: int) -> bytes:
    return json.dumps(
        {
            "_type": "location",
            "lat": round(lat, 6),
            "lon": round(lon, 6),
            "tst": int(at.timestamp()),
            "acc": 12,
            "batt": battery,
            "tid": "tr",
            "t": "t",
        }
    ).encode()


def scaip_body(what: str, cid: str, ref: str) -> bytes:
    dty, stc = SCAIP_DEVICE[what]
    return (
        f"<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>{dty:04d}</dty><stc>{stc:03d}</stc></mrq>"
    ).encode()


class Mqtt:
    def __init__(self, host: str, port: int) -> None:
        self._client = aiomqtt.Client(host, port, identifier=f"tecflow-sim-{uuid.uuid4().hex[:8]}")

    async def __aenter__(self) -> Mqtt:
        await self._client.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.__aexit__(None, None, None)

    async def publish(self, topic: str, payload: bytes) -> None:
        await self._client.publish(topic, payload, qos=1)


class _ScaipProtocol(asyncio.DatagramProtocol):
    def __init__(self, answered: dict[str, asyncio.Future[int]]) -> None:
        self.answered = answered
        self.acknowledged: set[str] = set()  # Call-IDs the receiver answered 200 OK
        self.transport: asyncio.DatagramTransport | None = None

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        try:
            message = parse_message(data)
        except SipError:
            return
        if not message.is_request:
            # The bare 200 OK: stop retransmitting; the <mrs> follows in a MESSAGE.
            self.acknowledged.add(message.header("Call-ID") or "")
            return
        assert self.transport is not None
        self.transport.sendto(response(message, 200, "OK"), addr)
        ref = re.search(rb"<ref>([0-9a-zA-Z]+)</ref>", message.body)
        snu = re.search(rb"<snu>(\d+)</snu>", message.body)
        future = self.answered.get(ref.group(1).decode()) if ref else None
        if snu and future is not None and not future.done():
            future.set_result(int(snu.group(1)))


class Scaip:
    """Alarm hubs sharing one UDP socket: each `<mrq>` is retransmitted until the
    receiver's `<mrs>` for its reference arrives, as a hub does."""

    def __init__(self, host: str, port: int) -> None:
        self.target = SipUri("receiver", host, port)
        self.address = (host, port)
        self._answered: dict[str, asyncio.Future[int]] = {}
        self._protocol = _ScaipProtocol(self._answered)

    async def open(self) -> None:
        transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: self._protocol, local_addr=("127.0.0.1", 0)
        )
        self._protocol.transport = transport

    def close(self) -> None:
        if self._protocol.transport is not None:
            self._protocol.transport.close()

    async def send(self, what: str, cid: str, ref: str, timeout_s: float = 30.0) -> int:
        transport = self._protocol.transport
        assert transport is not None
        port = transport.get_extra_info("sockname")[1]
        request = message_request(
            self.target,
            "127.0.0.1",
            port,
            "UDP",
            "application/scaip+xml",
            scaip_body(what, cid, ref),
            from_user=cid,
        )
        call_id = parse_message(request).header("Call-ID") or ""
        future = self._answered[ref] = asyncio.get_running_loop().create_future()
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    if call_id not in self._protocol.acknowledged:
                        transport.sendto(request, self.address)
                    done, _ = await asyncio.wait({future}, timeout=0.5)
                    if done:
                        answer: int = future.result()
                        return answer
        finally:
            del self._answered[ref]
            self._protocol.acknowledged.discard(call_id)


def send_scaip_alarm(host: str, port: int, cid: str, ref: str, timeout_s: float = 60) -> int:
    """One pendant `<mrq>` sent as a hub does, blocking, retransmitted until answered;
    returns the `snu` of the `<mrs>` MESSAGE the receiver sends back (for tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.5)
        request = message_request(
            SipUri("receiver", host, port),
            "127.0.0.1",
            sock.getsockname()[1],
            "UDP",
            "application/scaip+xml",
            scaip_body("pendant", cid, ref),
            from_user=cid,
        )
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
