"""Hands accepted messages to the bus without losing any: straight to the broker when it
answers, else to the disk spool, replayed in order once it is back.

Two lanes, each with its own threads, producer and spool queue: alarms never wait behind
telemetry, and within a lane a message is never sent ahead of one spooled before it.
Many sends are in flight in a lane at once (the producer batches what accumulates while
the broker answers), so a lane is not limited to one broker round trip per message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

from kafka.errors import KafkaError
from kafka.producer.future import FutureRecordMetadata
from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.errors import TecflowError
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.gateway.spool import Spool

log = logging.getLogger(__name__)
T = TypeVar("T")


class Delivery(StrEnum):
    SENT = "sent"
    SPOOLED = "spooled"


class Undeliverable(TecflowError, RuntimeError):
    """Neither the broker nor the spool took the message: tell the device to retry."""


class Connection:
    """One thread's producer, made on first use and dropped when the broker fails it."""

    def __init__(self, lane: str, connect: Callable[[], EventPublisher], timeout_s: float):
        self._lane = lane
        self._connect = connect
        self._timeout_s = timeout_s
        self._publisher: EventPublisher | None = None

    def submit(self, topic: str, key: bytes | None, value: bytes) -> FutureRecordMetadata | None:
        """Hand the record to the producer without waiting; None if it would not take it."""
        try:
            if self._publisher is None:
                self._publisher = self._connect()
            return self._publisher.submit_raw(topic, value, key)
        except KafkaError as error:
            log.warning("lane %s: broker unavailable (%s)", self._lane, type(error).__name__)
            self.close()
            return None

    def drop(self, failed: EventPublisher | None = None) -> EventPublisher | None:
        """Forget the producer that failed a send (the next send makes a fresh one); the
        caller closes what is returned, off the send thread. Its other buffered records
        expire (delivery timeout) and are spooled by their senders: none arrives later as
        a duplicate of a spooled copy."""
        if failed is not None and self._publisher is not failed:
            return None  # already replaced
        publisher, self._publisher = self._publisher, None
        return publisher

    @property
    def current(self) -> EventPublisher | None:
        return self._publisher

    def publish(self, topic: str, key: bytes | None, value: bytes) -> bool:
        try:
            if self._publisher is None:
                self._publisher = self._connect()
            self._publisher.publish_raw(topic, value, key, timeout_s=self._timeout_s + 1)
        except KafkaError as error:
            log.warning("lane %s: broker unavailable (%s)", self._lane, type(error).__name__)
            # A fresh producer next time: the old one's buffered records have expired
            # (delivery timeout), so nothing it held can arrive later as a duplicate.
            self.close()
            return False
        return True

    def close(self) -> None:
        publisher, self._publisher = self._publisher, None
        if publisher is not None:
            with contextlib.suppress(KafkaError):
                publisher.close()


class Lane:
    """Sends are handed to the producer from one thread and acknowledged concurrently;
    replay runs in another thread with its own producer, so a device is answered at once
    even while a replay waits on a broker coming back. Order holds because a send goes
    direct only when the spool is empty, and the replay removes a message from the spool
    only once the broker has acknowledged it. (Two sends in flight together may be
    acknowledged in either order, as two devices' messages always could.)"""

    def __init__(
        self,
        name: str,
        connect: Callable[[], EventPublisher],
        spool: Spool,
        timeout_s: float,
        retry_s: float = 1.0,
    ) -> None:
        self.name = name
        self.spool = spool
        self._direct = Connection(name, connect, timeout_s)
        self._replayer = Connection(name, connect, timeout_s)
        self._timeout_s = timeout_s
        self._retry_s = retry_s
        self._send_thread = ThreadPoolExecutor(1, thread_name_prefix=f"send-{name}")
        self._replay_thread = ThreadPoolExecutor(1, thread_name_prefix=f"replay-{name}")
        self._close_thread = ThreadPoolExecutor(1, thread_name_prefix=f"close-{name}")
        self._replay: asyncio.Task[None] | None = None

    async def send(self, topic: str, key: bytes | None, value: bytes) -> Delivery:
        submitted = await _run(self._send_thread, self._submit, topic, key, value)
        if submitted is not None:
            producer, future = submitted
            if await self._acknowledged(future):
                return Delivery.SENT
            dropped = await _run(self._send_thread, self._direct.drop, producer)
            if dropped is not None:
                self._close_thread.submit(_close_quietly, dropped)
        await _run(self._send_thread, self._append, topic, key, value)
        self.start_replay()
        return Delivery.SPOOLED

    def start_replay(self) -> None:
        if self._replay is None or self._replay.done():
            self._replay = asyncio.get_running_loop().create_task(self._replay_until_empty())

    async def pending(self) -> int:
        return await _run(self._send_thread, self.spool.__len__)

    async def close(self) -> None:
        if self._replay is not None:
            self._replay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._replay
        await _run(self._replay_thread, self._replayer.close)
        await _run(self._send_thread, self._direct.close)
        await _run(self._send_thread, self.spool.close)
        for thread in (self._send_thread, self._replay_thread, self._close_thread):
            thread.shutdown(wait=True)

    async def _replay_until_empty(self) -> None:
        while not await _run(self._replay_thread, self._drain):
            await asyncio.sleep(self._retry_s)
        try:
            await _run(self._replay_thread, self.spool.compact)
        except sqlite3.Error as error:  # the other lane busy: compacted on its next replay
            log.info("lane %s: spool not compacted (%s)", self.name, error)
        log.info("lane %s: spool replayed, sending directly again", self.name)

    def _submit(
        self, topic: str, key: bytes | None, value: bytes
    ) -> tuple[EventPublisher | None, FutureRecordMetadata] | None:
        """In the send thread: to the producer when nothing waits in the spool."""
        try:
            backlog = len(self.spool)
        except sqlite3.Error:
            backlog = 0  # the spool is unreadable: the broker is the only way left
        if backlog:
            return None
        future = self._direct.submit(topic, key, value)
        return (self._direct.current, future) if future is not None else None

    async def _acknowledged(self, future: FutureRecordMetadata) -> bool:
        """The producer settles the future itself (acknowledged, or expired after its
        delivery timeout); the extra seconds only guard against a producer that hangs."""
        loop = asyncio.get_running_loop()
        settled: asyncio.Future[bool] = loop.create_future()

        def settle(ok: bool) -> None:
            if not settled.done():
                settled.set_result(ok)

        future.add_callback(lambda _: loop.call_soon_threadsafe(settle, True))
        future.add_errback(lambda _: loop.call_soon_threadsafe(settle, False))
        try:
            return await asyncio.wait_for(settled, self._timeout_s + 5)
        except TimeoutError:
            return False

    def _append(self, topic: str, key: bytes | None, value: bytes) -> None:
        """In the send thread."""
        try:
            self.spool.append(topic, key, value)
        except sqlite3.Error as error:
            raise Undeliverable(f"broker unreachable and spool failed: {error}") from error

    def _drain(self) -> bool:
        """In the replay thread: send the spool oldest first; True once it is empty."""
        while batch := self.spool.head():
            for item in batch:
                if not self._replayer.publish(item.topic, item.key, item.value):
                    return False
                self.spool.remove(item.seq)
        return True


def _close_quietly(publisher: EventPublisher) -> None:
    with contextlib.suppress(KafkaError):
        publisher.close()


async def _run(thread: ThreadPoolExecutor, function: Callable[..., T], *args: object) -> T:
    return await asyncio.get_running_loop().run_in_executor(thread, function, *args)


class Sender:
    """`await sender.send(topic, message)`: SENT or SPOOLED, or Undeliverable."""

    def __init__(self, bootstrap_servers: str, spool_path: Path, timeout_s: float = 5.0) -> None:
        timeout_ms = int(timeout_s * 1000)

        def connect() -> EventPublisher:
            return EventPublisher(
                bootstrap_servers,
                client_id="tecflow-gateway",
                # A device is answered once its event is acknowledged: no lingering; what
                # accumulates while a request is in flight still goes as one batch.
                linger_ms=0,
                max_block_ms=timeout_ms,
                request_timeout_ms=max(1000, timeout_ms // 2),
                delivery_timeout_ms=timeout_ms,
                bootstrap_timeout_ms=timeout_ms,
                reconnect_backoff_max_ms=1000,
            )

        self.lanes = {
            lane: Lane(lane, connect, Spool(spool_path, lane), timeout_s)
            for lane in ("alarms", "events")
        }

    def lane_for(self, topic: Topic | str) -> Lane:
        return self.lanes["alarms" if str(topic) == Topic.DEVICE_ALARMS else "events"]

    async def send(self, topic: Topic | str, message: BaseModel) -> Delivery:
        key = message.key if isinstance(message, Envelope) else None
        return await self.lane_for(topic).send(str(topic), key, message.model_dump_json().encode())

    async def send_bytes(self, topic: Topic | str, key: bytes | None, value: bytes) -> Delivery:
        return await self.lane_for(topic).send(str(topic), key, value)

    async def resume(self) -> None:
        """Replay whatever a previous run left in the spool."""
        for lane in self.lanes.values():
            if await lane.pending():
                lane.start_replay()

    async def pending(self) -> int:
        return sum([await lane.pending() for lane in self.lanes.values()])

    async def close(self) -> None:
        for lane in self.lanes.values():
            await lane.close()
