"""SIP over UDP and TCP with asyncio: frames requests, hands each to a handler with a
channel to answer on, and sends new requests (the `<mrs>` MESSAGE) to a device."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, cast

from services.gateway.sip import SipError, SipMessage, SipUri, frame_length, parse_message

log = logging.getLogger(__name__)

DEFAULT_SIP_PORT = 5060


@dataclass
class SipChannel:
    """Where a request came from and how to reach back."""

    transport: str  # "UDP" | "TCP"
    peer: tuple[str, int]
    local_port: int
    _reply: Callable[[bytes], None]
    _udp: asyncio.DatagramTransport | None = None

    def reply(self, data: bytes) -> None:
        self._reply(data)

    async def send_request(self, target: SipUri, data: bytes) -> None:
        """To the target's address, or back over this connection when it is the peer's."""
        address = (target.host, target.port or DEFAULT_SIP_PORT)
        if self._udp is not None:
            self._udp.sendto(data, address)
        elif address == self.peer:
            self._reply(data)
        else:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(*address), 5)
            try:
                writer.write(data)
                await writer.drain()
                # Hear the device's answer before closing, so it never writes to a
                # connection we have already reset.
                with contextlib.suppress(TimeoutError, SipError):
                    await asyncio.wait_for(_read_one(reader), 5)
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()


async def _read_one(reader: asyncio.StreamReader) -> bytes:
    buffer = b""
    while (size := frame_length(buffer)) is None:
        chunk = await reader.read(65536)
        if not chunk:
            return buffer
        buffer = (buffer + chunk).lstrip(b"\r\n")
    return buffer[:size]


Handler = Callable[[SipMessage, bytes, SipChannel], Coroutine[Any, Any, None]]


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, handler: Handler, tasks: set[asyncio.Task[None]]) -> None:
        self._handler = handler
        self._tasks = tasks
        self._transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector transport is not registered as a DatagramTransport subclass.
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        transport = self._transport
        assert transport is not None
        if not data.strip():
            return  # keep-alive (RFC 5626 CRLF)
        port = transport.get_extra_info("sockname")[1]
        channel = SipChannel("UDP", addr, port, lambda out: transport.sendto(out, addr),
                             transport)
        _dispatch(self._handler, data, channel, self._tasks)


async def _serve_tcp(
    handler: Handler, tasks: set[asyncio.Task[None]],
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
) -> None:
    peer = writer.get_extra_info("peername")[:2]
    channel = SipChannel("TCP", peer, writer.get_extra_info("sockname")[1], writer.write)
    buffer = b""
    try:
        while chunk := await reader.read(65536):
            buffer = (buffer + chunk).lstrip(b"\r\n")
            while (size := frame_length(buffer)) is not None:
                data, buffer = buffer[:size], buffer[size:].lstrip(b"\r\n")
                _dispatch(handler, data, channel, tasks)
    except SipError as error:
        log.warning("closing SIP/TCP connection from %s: %s", peer[0], error)
    except ConnectionError:
        pass
    finally:
        writer.close()


def _dispatch(
    handler: Handler, data: bytes, channel: SipChannel, tasks: set[asyncio.Task[None]]
) -> None:
    try:
        message = parse_message(data)
    except SipError as error:
        log.warning("unparseable SIP from %s: %s", channel.peer[0], error)
        return
    if not message.is_request:
        return  # the device's 200 OK to our <mrs> MESSAGE: nothing more to do
    task = asyncio.get_running_loop().create_task(handler(message, data, channel))
    tasks.add(task)  # keep a reference until done, or the task may be collected
    task.add_done_callback(tasks.discard)


class SipServer:
    """One UDP endpoint and one TCP listener on the same port."""

    def __init__(self, handler: Handler, host: str, port: int) -> None:
        self._handler = handler
        self.host = host
        self.port = port
        self._tasks: set[asyncio.Task[None]] = set()
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(
            lambda: _UdpProtocol(self._handler, self._tasks), local_addr=(self.host, self.port)
        )
        self.port = self._udp.get_extra_info("sockname")[1]
        self._tcp = await asyncio.start_server(
            lambda r, w: _serve_tcp(self._handler, self._tasks, r, w), self.host, self.port
        )
        log.info("SCAIP receiver on %s:%s (UDP and TCP)", self.host, self.port)

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
