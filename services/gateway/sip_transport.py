"""SIP over UDP and TCP with asyncio: frames requests, hands each to a handler with a
channel to answer on, and keeps one bad or hostile peer from harming the others.

Every answer, and the `<mrs>` MESSAGE, goes back only to where the request came from (the
UDP source address, or the same TCP connection): never to an address the request names,
so nobody can make the receiver send to a third party."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import time
from collections import defaultdict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from services.gateway.sip import (
    MAX_MESSAGE_BYTES,
    SipError,
    SipMessage,
    frame_length,
    parse_message,
    response,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SipLimits:
    """What one source may cost the receiver."""

    rate_per_s: float = 20.0  # requests per second per source address (token bucket)
    burst: float = 40.0
    tcp_idle_s: float = 60.0  # a connection that sends nothing for this long is closed
    tcp_partial_s: float = 10.0  # a message begun must be complete within this
    tcp_max_connections: int = 512
    tcp_max_per_source: int = 32


@dataclass
class SipChannel:
    """Where a request came from, and the only way back to it."""

    transport: str  # "UDP" | "TCP" | "TLS"
    peer: tuple[str, int]
    local_port: int
    _send: Callable[[bytes], None]
    # Over TLS, the hub id its client certificate names (the common name), proven by the
    # handshake against the hubs' certificate authority.
    identity: str | None = None

    def reply(self, data: bytes) -> None:
        """Never raises: a peer that cannot be reached must not stop the receiver."""
        try:
            self._send(data)
        except (OSError, RuntimeError, ValueError, OverflowError) as error:
            log.warning(
                "could not answer %s over %s: %s",
                self.peer[0],
                self.transport,
                type(error).__name__,
            )


class SipHandler(Protocol):
    async def __call__(self, request: SipMessage, raw: bytes, channel: SipChannel) -> None: ...

    async def unreadable(self, raw: bytes, reason: str, channel: SipChannel) -> None: ...


class RateLimiter:
    """A token bucket per source address; idle buckets are forgotten."""

    def __init__(
        self, rate_per_s: float, burst: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate = rate_per_s
        self._burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def allow(self, source: str) -> bool:
        now = self._clock()
        tokens, then = self._buckets.get(source, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._rate)
        if len(self._buckets) > 100_000:  # bounded memory under a spoofed-source flood
            self._buckets.clear()
        if tokens < 1:
            self._buckets[source] = (tokens, now)
            return False
        self._buckets[source] = (tokens - 1, now)
        return True


class _Dispatcher:
    def __init__(self, handler: SipHandler, limits: SipLimits) -> None:
        self.handler = handler
        self.limits = limits
        self.limiter = RateLimiter(limits.rate_per_s, limits.burst)
        self.tasks: set[asyncio.Task[None]] = set()
        self.refused = 0

    def dispatch(self, data: bytes, channel: SipChannel) -> None:
        if data.startswith(b"SIP/2.0 "):
            return  # a device's answer to our <mrs> MESSAGE: nothing more to do
        if not self.limiter.allow(channel.peer[0]):
            self.refused += 1
            if self.refused % 100 == 1:
                log.warning(
                    "rate limit: refusing requests from %s (%d so far)",
                    channel.peer[0],
                    self.refused,
                )
            with contextlib.suppress(SipError):
                message = parse_message(data)
                if message.is_request:
                    channel.reply(
                        response(message, 503, "Service Unavailable", ("Retry-After: 5",))
                    )
            return
        try:
            message = parse_message(data)
        except SipError as error:
            self.unreadable(data, error, channel)
            return
        if message.is_request:
            self._spawn(self.handler(message, data, channel))

    def unreadable(self, data: bytes, error: SipError, channel: SipChannel) -> None:
        log.warning("unreadable SIP from %s over %s: %s", channel.peer[0], channel.transport, error)
        if error.head is not None and error.head.is_request:
            channel.reply(response(error.head, error.status, error.phrase))
        self._spawn(self.handler.unreadable(data[:MAX_MESSAGE_BYTES], str(error), channel))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)  # keep a reference until done, or the task may be collected
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("SIP handler failed: %s", type(error).__name__, exc_info=error)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, dispatcher: _Dispatcher) -> None:
        self._dispatcher = dispatcher
        self._transport: asyncio.DatagramTransport | None = None
        self._port = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector transport is not registered as a DatagramTransport subclass.
        self._transport = cast(asyncio.DatagramTransport, transport)
        self._port = self._transport.get_extra_info("sockname")[1]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        transport = self._transport
        assert transport is not None
        if not data.strip():
            return  # keep-alive (RFC 5626 CRLF)
        channel = SipChannel("UDP", addr[:2], self._port, lambda out: transport.sendto(out, addr))
        self._dispatcher.dispatch(data, channel)

    def error_received(self, exc: Exception) -> None:
        # An ICMP "port unreachable" for an earlier answer: that peer's problem only.
        log.debug("UDP error: %s", type(exc).__name__)


class _TcpServer:
    def __init__(self, dispatcher: _Dispatcher) -> None:
        self._dispatcher = dispatcher
        self._limits = dispatcher.limits
        self._open: dict[str, int] = defaultdict(int)
        self._writers: set[asyncio.StreamWriter] = set()
        self.connections = 0

    def close_all(self) -> None:
        for writer in self._writers:
            writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")[:2]
        if (
            self.connections >= self._limits.tcp_max_connections
            or self._open[peer[0]] >= self._limits.tcp_max_per_source
        ):
            log.warning("SIP/TCP connection from %s refused: too many open", peer[0])
            writer.close()
            return
        self.connections += 1
        self._open[peer[0]] += 1
        self._writers.add(writer)
        try:
            await self._read(reader, writer, peer)
        finally:
            self._writers.discard(writer)
            self.connections -= 1
            self._open[peer[0]] -= 1
            if not self._open[peer[0]]:
                del self._open[peer[0]]
            writer.close()

    async def _read(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: tuple[str, int],
    ) -> None:
        certificate = writer.get_extra_info("peercert")
        channel = SipChannel(
            "TLS" if writer.get_extra_info("sslcontext") else "TCP",
            peer,
            writer.get_extra_info("sockname")[1],
            writer.write,
            common_name(certificate) if certificate else None,
        )
        buffer = b""
        loop = asyncio.get_running_loop()
        started = 0.0  # when the message now in the buffer began
        try:
            while True:
                if buffer:
                    wait = started + self._limits.tcp_partial_s - loop.time()
                else:
                    wait = self._limits.tcp_idle_s
                chunk = await asyncio.wait_for(reader.read(65536), max(wait, 0.001))
                if not chunk:
                    return
                if not buffer:
                    started = loop.time()
                buffer = (buffer + chunk).lstrip(b"\r\n")
                while (size := frame_length(buffer)) is not None:
                    data, buffer = buffer[:size], buffer[size:].lstrip(b"\r\n")
                    self._dispatcher.dispatch(data, channel)
                    started = loop.time()
        except TimeoutError:
            log.info(
                "closing SIP/TCP connection from %s: %s",
                peer[0],
                "message incomplete" if buffer else "idle",
            )
        except SipError as error:
            # The framing is lost: answer (400/513), keep what came, close.
            self._dispatcher.unreadable(buffer, error, channel)
        except ConnectionError:
            pass


def common_name(certificate: dict[str, Any]) -> str | None:
    """The subject's common name of a peer certificate, as `ssl` reports it."""
    for rdn in certificate.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


def tls_context(cert: Path, key: Path, client_ca: Path) -> ssl.SSLContext:
    """SIP over TLS that takes only hubs with a client certificate from `client_ca`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(client_ca))
    context.load_cert_chain(str(cert), str(key))
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class SipServer:
    """One UDP endpoint and one TCP listener on the same port, and SIP over TLS with
    client certificates on `tls_port` when a TLS context is given."""

    def __init__(
        self,
        handler: SipHandler,
        host: str,
        port: int,
        limits: SipLimits | None = None,
        tls: ssl.SSLContext | None = None,
        tls_port: int = 0,
    ) -> None:
        self._dispatcher = _Dispatcher(handler, limits or SipLimits())
        self.host = host
        self.port = port
        self.tls_port = tls_port
        self._tls_context = tls
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None
        self._tls: asyncio.Server | None = None
        self._tcp_server = _TcpServer(self._dispatcher)

    @property
    def tcp_connections(self) -> int:
        return self._tcp_server.connections

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self._dispatcher), local_addr=(self.host, self.port)
        )
        self.port = self._udp.get_extra_info("sockname")[1]
        self._tcp = await asyncio.start_server(self._tcp_server.serve, self.host, self.port)
        log.info("SCAIP receiver on %s:%s (UDP and TCP)", self.host, self.port)
        if self._tls_context is not None:
            self._tls = await asyncio.start_server(
                self._tcp_server.serve,
                self.host,
                self.tls_port,
                ssl=self._tls_context,
                ssl_handshake_timeout=10,
            )
            self.tls_port = self._tls.sockets[0].getsockname()[1]
            log.info("SCAIP receiver on %s:%s (TLS, client certificates)", self.host, self.tls_port)

    async def serve(self, check_s: float = 1.0) -> None:
        """Start, and run until cancelled; fails if a socket is closed under it, so a
        supervisor starts it again."""
        await self.start()
        try:
            while True:
                await asyncio.sleep(check_s)
                if self._udp is None or self._udp.is_closing():
                    raise RuntimeError("the SIP UDP endpoint closed")
        finally:
            await self.stop()

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        for server in (self._tcp, self._tls):
            if server is not None:
                server.close()
        self._tcp_server.close_all()
        for server in (self._tcp, self._tls):
            if server is not None:
                await server.wait_closed()
        if self._dispatcher.tasks:
            await asyncio.gather(*self._dispatcher.tasks, return_exceptions=True)
