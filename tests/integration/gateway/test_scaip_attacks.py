"""Issue 18: what a hostile or broken peer could do to the SCAIP receiver, each against the
real receiver, broker and store: one packet stopping UDP, reflection, retransmissions and
resends published twice, forged cancels and resets, hub enumeration, unreadable SIP,
oversize and idle TCP, floods, and digest authentication."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import ssl
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from services.gateway.intake import Intake
from services.gateway.scaip_receiver import ScaipReceiver
from services.gateway.sip import parse_message
from services.gateway.sip_auth import HubAuthenticator, ProvisionedHub, ha1_of, networks
from services.gateway.sip_transport import SipLimits, SipServer, tls_context
from services.processes import free_port
from services.sim.alexa_keys import Authority
from services.sim.cohort import SimPerson
from tests.integration.gateway.hub import UdpHub, count_on_topic, mrq_request
from tests.integration.gateway.test_scaip_sipp import dead_letters_with, hub_sends

pytestmark = pytest.mark.broker
Start = Callable[..., Awaitable[int]]


@pytest.fixture
async def start(intake: Intake) -> AsyncIterator[Start]:
    """Starts a receiver (limits and authenticator as the test asks); returns its port."""
    servers: list[SipServer] = []

    async def start(
        limits: SipLimits | None = None, authenticator: HubAuthenticator | None = None
    ) -> int:
        server = SipServer(
            ScaipReceiver(intake, "127.0.0.1", authenticator), "127.0.0.1", free_port(), limits
        )
        await server.start()
        servers.append(server)
        return server.port

    yield start
    for server in servers:
        await server.stop()


def alarm(cid: str, ref: str, extra: str = "") -> str:
    return f"<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>3</dty><stc>10</stc>{extra}</mrq>"


def ref() -> str:
    return uuid.uuid4().hex[:14]


async def events_with(bootstrap: str, marker: str) -> int:
    counts = [
        await asyncio.to_thread(count_on_topic, bootstrap, topic, f'"{marker}"')
        for topic in ("device.alarms", "device.events")
    ]
    return sum(counts)


async def test_one_packet_with_contact_port_99999_does_not_stop_udp(
    start: Start, person: SimPerson
) -> None:
    port = await start()
    cid = person.device("scaip_hub").identifier
    hub = UdpHub()
    try:
        first = await asyncio.to_thread(
            hub.exchange, port, cid, alarm(cid, ref()), contact=f"<sip:{cid}@127.0.0.1:99999>"
        )
        assert first.snu == 0  # answered at the source, not at the impossible port
        later = await asyncio.to_thread(hub.exchange, port, cid, alarm(cid, ref()))
        assert later.statuses == [200] and later.snu == 0
    finally:
        hub.close()


async def test_answers_go_to_the_source_never_to_the_contact(
    start: Start, person: SimPerson
) -> None:
    port = await start()
    cid = person.device("scaip_hub").identifier
    hub, victim = UdpHub(), UdpHub()
    try:
        heard = await asyncio.to_thread(
            hub.exchange,
            port,
            cid,
            alarm(cid, ref()),
            contact=f"<sip:{cid}@127.0.0.1:{victim.address[1]}>",
        )
        assert heard.statuses == [200] and heard.snu == 0
        reflected = await asyncio.to_thread(victim.listen, 1.0)
        assert reflected.responses == [] and reflected.mrs == []
    finally:
        hub.close()
        victim.close()


async def test_a_retransmission_gets_the_same_answer_and_no_second_event(
    start: Start, person: SimPerson, kafka_bootstrap: str
) -> None:
    port = await start()
    cid, r = person.device("scaip_hub").identifier, ref()
    hub = UdpHub()
    try:
        request = mrq_request(
            port,
            hub.address,
            cid,
            alarm(cid, r),
            call_id=uuid.uuid4().hex,
            branch="retrans1",
            tag="hubtag",
        )
        for _ in range(4):  # Timer A: the same request again and again
            hub.send(port, request)
        heard = await asyncio.to_thread(hub.listen, 3.0)
        assert heard.statuses == [200] * 4
        assert len({r.header("to") for r in heard.responses}) == 1  # the same answer
        assert len(heard.mrs) == 1
    finally:
        hub.close()
    assert await events_with(kafka_bootstrap, r) == 1


async def test_a_resent_mrq_is_answered_again_and_published_once(
    start: Start, person: SimPerson, kafka_bootstrap: str
) -> None:
    port = await start()
    cid, r = person.device("scaip_hub").identifier, ref()
    hub = UdpHub()
    try:
        for _ in range(4):  # the device did not hear the <mrs>: new transaction, same ref
            heard = await asyncio.to_thread(hub.exchange, port, cid, alarm(cid, r))
            assert heard.snu == 0
    finally:
        hub.close()
    assert await events_with(kafka_bootstrap, r) == 1


async def test_a_cancel_or_reset_from_another_source_is_refused(
    start: Start, person: SimPerson, kafka_bootstrap: str
) -> None:
    port = await start()
    cid, r = person.device("scaip_hub").identifier, ref()
    hub, forger = UdpHub("127.0.0.1"), UdpHub("127.0.0.2")
    reset = f"<mrq><mty>RE</mty><ref>{r}</ref><cid>{cid}</cid><dty>3</dty></mrq>"
    try:
        assert (await asyncio.to_thread(hub.exchange, port, cid, alarm(cid, r))).snu == 0
        forged_reset = await asyncio.to_thread(forger.exchange, port, cid, reset)
        cancel_ref = ref()
        forged_cancel = await asyncio.to_thread(
            forger.exchange,
            port,
            cid,
            f"<mrq><ref>{cancel_ref}</ref><cid>{cid}</cid><dty>3</dty><stc>0019</stc></mrq>",
        )
        assert (forged_reset.snu, forged_cancel.snu) == (3, 3)
        assert await events_with(kafka_bootstrap, cancel_ref) == 0
        genuine = await asyncio.to_thread(hub.exchange, port, cid, reset)
        assert genuine.snu == 0
    finally:
        hub.close()
        forger.close()
    assert await events_with(kafka_bootstrap, r) == 2  # the alarm and the genuine reset
    letters = await dead_letters_with(kafka_bootstrap, cancel_ref)
    assert "did not raise" in str(letters[0]["reason"])


async def test_known_and_unknown_hubs_get_the_same_answer(start: Start, person: SimPerson) -> None:
    port = await start()
    known = person.device("scaip_hub").identifier
    unknown = str(random.randint(10**11, 10**12))
    hub = UdpHub()
    try:
        answers = [
            await asyncio.to_thread(hub.exchange, port, cid, alarm(cid, ref()))
            for cid in (known, unknown)
        ]
    finally:
        hub.close()
    # The unknown hub's alarm is kept as a dead letter and alerted (see the sipp test).
    assert [(a.statuses, a.snu) for a in answers] == [([200], 0), ([200], 0)]


async def test_unreadable_sip_gets_400_and_a_dead_letter(
    start: Start, person: SimPerson, kafka_bootstrap: str
) -> None:
    port = await start()
    cid, r = person.device("scaip_hub").identifier, ref()
    hub = UdpHub()
    try:
        good = mrq_request(port, hub.address, cid, alarm(cid, r))
        hub.send(port, good.replace(b"Content-Length: ", b"Content-Length: 9"))
        garbage = f"\x00\xffnot sip at all {r}".encode()
        hub.send(port, garbage)
        heard = await asyncio.to_thread(hub.listen, 2.0)
    finally:
        hub.close()
    assert heard.statuses == [400]
    letters = await dead_letters_with(kafka_bootstrap, r)
    assert len(letters) == 2
    assert all(str(letter["reason"]).startswith("unreadable SIP") for letter in letters)


@pytest.mark.parametrize("size", [100_000, 2_000_000])
async def test_an_oversize_tcp_message_gets_513_and_a_dead_letter(
    start: Start, person: SimPerson, kafka_bootstrap: str, size: int
) -> None:
    port = await start()
    cid, r = person.device("scaip_hub").identifier, ref()
    body = alarm(cid, r, "<dte>" + "x" * size + "</dte>")

    def send() -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            request = mrq_request(port, sock.getsockname(), cid, body, transport="TCP")
            # The receiver may close before it has read all of it.
            with contextlib.suppress(OSError):
                sock.sendall(request)
            return sock.recv(65536)

    answer = await asyncio.to_thread(send)
    assert parse_message(answer).start_line == "SIP/2.0 513 Message Too Large"
    [letter] = await dead_letters_with(kafka_bootstrap, r)
    assert "too long" in str(letter["reason"])


async def test_idle_and_half_sent_tcp_connections_are_closed_and_capped(start: Start) -> None:
    port = await start(SipLimits(tcp_idle_s=0.5, tcp_partial_s=0.5, tcp_max_connections=5))

    def probe() -> tuple[list[bytes], bytes]:
        socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(6)]
        for sock in socks[:3]:
            sock.sendall(b"MESSAGE sip:receiver@127.0.0.1 SIP/2.0\r\nVia: half")
        try:
            over_cap = socks[5].recv(1)  # refused at once: closed, nothing sent
            closed = [sock.recv(1) for sock in socks[:5]]  # b"" once closed
            return closed, over_cap
        finally:
            for sock in socks:
                sock.close()

    closed, over_cap = await asyncio.to_thread(probe)
    assert over_cap == b"" and closed == [b""] * 5


async def test_a_flood_from_one_source_is_rate_limited(start: Start) -> None:
    port = await start(SipLimits(rate_per_s=1, burst=10))
    hub = UdpHub()
    try:
        for _ in range(200):
            cid = str(random.randint(10**11, 10**12))
            hub.send(port, mrq_request(port, hub.address, cid, alarm(cid, ref())))
        heard = await asyncio.to_thread(hub.listen, 3.0)
    finally:
        hub.close()
    assert heard.statuses.count(200) <= 15  # the burst, and one a second after it
    assert heard.statuses.count(503) >= 150  # the rest told to retry later (some may be
    # lost in the sockets' buffers: UDP)


async def test_unregistered_hub_alerts_collapse_into_one(
    start: Start, kafka_bootstrap: str
) -> None:
    port = await start(SipLimits(rate_per_s=1000, burst=1000))
    prefix = str(random.randint(10**7, 10**8))
    hub = UdpHub()
    try:
        for i in range(50):
            cid = f"{prefix}{i:03d}"
            hub.send(port, mrq_request(port, hub.address, cid, alarm(cid, ref())))
        heard = await asyncio.to_thread(hub.listen, 10.0, 50)
    finally:
        hub.close()
    assert len(heard.mrs) == 50
    assert await asyncio.to_thread(count_on_topic, kafka_bootstrap, "alerts", prefix) == 1
    assert await asyncio.to_thread(count_on_topic, kafka_bootstrap, "deadletter", "") >= 50


def authenticator(cid: str, password: str, allowed: str = "127.0.0.0/8") -> HubAuthenticator:
    return HubAuthenticator(
        {cid: ProvisionedHub(cid, ha1_of(cid, "tecflow", password))}, networks([allowed])
    )


async def test_a_provisioned_hub_authenticates_with_digest(
    start: Start, person: SimPerson, tmp_path: Path
) -> None:
    cid, r = person.device("scaip_hub").identifier, ref()
    port = await start(authenticator=authenticator(cid, "s3cret"))
    exchange = await hub_sends(port, cid, alarm(cid, r), tmp_path, password="s3cret")
    assert exchange.mrs == f"snu=0 ref={r}"


async def test_unauthenticated_unknown_and_wrong_password_get_the_same_challenge(
    start: Start, person: SimPerson
) -> None:
    cid = person.device("scaip_hub").identifier
    port = await start(authenticator=authenticator(cid, "s3cret"))
    hub = UdpHub()
    try:
        answers = []
        for who in (cid, str(random.randint(10**11, 10**12))):
            hub.send(port, mrq_request(port, hub.address, who, alarm(who, ref())))
            heard = await asyncio.to_thread(hub.listen, 1.0)
            answers.append((heard.statuses, len(heard.mrs)))
            forged = mrq_request(port, hub.address, who, alarm(who, ref())).replace(
                b"Max-Forwards",
                b'Authorization: Digest username="'
                + who.encode()
                + b'", realm="tecflow", nonce="1.x", uri="sip:receiver", '
                b'response="00000000000000000000000000000000"\r\nMax-Forwards',
            )
            hub.send(port, forged)
            heard = await asyncio.to_thread(hub.listen, 1.0)
            answers.append((heard.statuses, len(heard.mrs)))
    finally:
        hub.close()
    assert answers == [([401], 0)] * 4


async def test_a_source_outside_the_allow_list_is_forbidden(
    start: Start, person: SimPerson
) -> None:
    cid = person.device("scaip_hub").identifier
    port = await start(authenticator=authenticator(cid, "s3cret", allowed="127.0.0.1/32"))
    outsider = UdpHub("127.0.0.2")
    try:
        outsider.send(port, mrq_request(port, outsider.address, cid, alarm(cid, ref())))
        heard = await asyncio.to_thread(outsider.listen, 1.0)
    finally:
        outsider.close()
    assert heard.statuses == [403] and heard.mrs == []


async def test_sip_over_tls_takes_hubs_with_a_client_certificate_of_their_own(
    intake: Intake, person: SimPerson, tmp_path: Path
) -> None:
    cid = person.device("scaip_hub").identifier
    hubs_ca = Authority.create("tecflow test hub CA")  # issues the hubs' certificates
    ca = tmp_path / "hub-ca.pem"
    ca.write_bytes(hubs_ca.cert.public_bytes(serialization.Encoding.PEM))
    cert, key = hubs_ca.issue("localhost").write(tmp_path, "receiver")
    server = SipServer(
        ScaipReceiver(intake, "127.0.0.1"), "127.0.0.1", free_port(), tls=tls_context(cert, key, ca)
    )
    await server.start()

    def hub(certificate: tuple[Path, Path] | None, sender: str) -> list[bytes]:
        context = ssl.create_default_context(cafile=str(ca))
        context.check_hostname = False
        if certificate is not None:
            context.load_cert_chain(*map(str, certificate))
        with (
            socket.create_connection(("127.0.0.1", server.tls_port), timeout=10) as raw,
            context.wrap_socket(raw) as sock,
        ):
            sock.sendall(
                mrq_request(
                    server.tls_port,
                    sock.getsockname(),
                    sender,
                    alarm(sender, ref()),
                    transport="TLS",
                )
            )
            heard: list[bytes] = []
            while not any(b"<mrs>" in h or b" 403 " in h for h in heard):
                if not (chunk := sock.recv(65536)):
                    raise ConnectionError("closed")
                heard.append(chunk)
            return heard

    try:
        own = hubs_ca.issue(cid, usage=ExtendedKeyUsageOID.CLIENT_AUTH).write(tmp_path, "hub")
        heard = await asyncio.to_thread(hub, own, cid)
        assert b"SIP/2.0 200 OK" in heard[0] and b"<snu>0</snu>" in b"".join(heard)
        # Another hub's identity over this certificate: refused.
        other = str(random.randint(10**11, 10**12))
        assert b"SIP/2.0 403" in b"".join(await asyncio.to_thread(hub, own, other))
        # No client certificate, or one from another CA: no TLS at all.
        stranger = (
            Authority.create("someone else's CA")
            .issue(cid, usage=ExtendedKeyUsageOID.CLIENT_AUTH)
            .write(tmp_path, "stranger")
        )
        for certificate in (None, stranger):
            with pytest.raises((ssl.SSLError, ConnectionError)):
                await asyncio.to_thread(hub, certificate, cid)
    finally:
        await server.stop()
