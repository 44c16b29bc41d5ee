"""A hand-made alarm hub (and attacker) over raw sockets, for what SIPp cannot express:
chosen Call-IDs and branches, forged Contacts, other source addresses, broken bytes."""

from __future__ import annotations

import re
import socket
import time
import uuid
from dataclasses import dataclass, field

from kafka import KafkaConsumer, TopicPartition

from services.gateway.sip import SipError, SipMessage, parse_message, response

SNU = re.compile(rb"<snu>(\d+)</snu>")


def mrq_request(
    port: int,
    local: tuple[str, int],
    cid: str,
    body: str,
    *,
    call_id: str | None = None,
    branch: str | None = None,
    tag: str | None = None,
    contact: str | None = None,
    content_type: str = "application/scaip+xml",
    transport: str = "UDP",
) -> bytes:
    host, local_port = local
    lines = [
        f"MESSAGE sip:receiver@127.0.0.1:{port} SIP/2.0",
        f"Via: SIP/2.0/{transport} {host}:{local_port};"
        f"branch=z9hG4bK{branch or uuid.uuid4().hex[:12]};rport",
        f"From: <sip:{cid}@{host}:{local_port}>;tag={tag or uuid.uuid4().hex[:8]}",
        f"To: <sip:receiver@127.0.0.1:{port}>",
        f"Call-ID: {call_id or uuid.uuid4().hex}",
        "CSeq: 1 MESSAGE",
        *([f"Contact: {contact}"] if contact else []),
        "Max-Forwards: 70",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body.encode())}",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body.encode()


@dataclass
class Heard:
    responses: list[SipMessage] = field(default_factory=list)
    mrs: list[bytes] = field(default_factory=list)

    @property
    def snu(self) -> int | None:
        found = SNU.search(self.mrs[0]) if self.mrs else None
        return int(found.group(1)) if found else None

    @property
    def statuses(self) -> list[int]:
        return [int(r.start_line.split()[1]) for r in self.responses]


class UdpHub:
    """Blocking: call from a thread (asyncio.to_thread) while the receiver runs."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.address: tuple[str, int] = self.sock.getsockname()

    def close(self) -> None:
        self.sock.close()

    def send(self, port: int, data: bytes) -> None:
        self.sock.sendto(data, ("127.0.0.1", port))

    def listen(self, seconds: float, until_mrs: int = 0) -> Heard:
        """Everything that arrives for `seconds` (or until `until_mrs` <mrs> came);
        each <mrs> MESSAGE is acknowledged as a device does."""
        heard = Heard()
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if until_mrs and len(heard.mrs) >= until_mrs:
                break
            self.sock.settimeout(left)
            try:
                data, addr = self.sock.recvfrom(65536)
            except TimeoutError:
                break
            try:
                message = parse_message(data)
            except SipError:
                continue
            if message.is_request:
                self.sock.sendto(response(message, 200, "OK"), addr)
                heard.mrs.append(message.body)
            else:
                heard.responses.append(message)
        return heard

    def exchange(self, port: int, cid: str, body: str, seconds: float = 15, **kw: str) -> Heard:
        self.send(port, mrq_request(port, self.address, cid, body, **kw))
        return self.listen(seconds, until_mrs=1)


def count_on_topic(bootstrap: str, topic: str, marker: str) -> int:
    """How many messages on `topic`, up to its current end, contain `marker`."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        found = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
            consumer.position(p) < ends[p] for p in partitions
        ):
            for records in consumer.poll(timeout_ms=500).values():
                found += sum(marker.encode() in (r.value or b"") for r in records)
        return found
    finally:
        consumer.close()
