"""Hands accepted messages to the bus without losing any: straight to the broker when it
answers, else to the disk spool, replayed in order once it is back.

Two lanes, each with its own thread, producer and spool queue: alarms never wait behind
telemetry, and within a lane a message is never sent ahead of one spooled before it."""

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
from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.gateway.spool import Spool

log = logging.getLogger(__name__)
T = TypeVar("T")


class Delivery(StrEnum):
    SENT = "sent"
    SPOOLED = "spooled"


class Undeliverable(RuntimeError):
    """Neither the broker nor the spool took the message: tell the device to retry."""


class Connection:
    """One thread's producer, made on first use and dropped when the broker fails it."""

    def __init__(self, lane: str, connect: Callable[[], EventPublisher], timeout_s: float):
        self._lane = lane
        self._connect = connect
        self._timeout_s = timeout_s
        self._publisher: EventPublisher | None = None

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
    """Sends happen in one thread and replay in another, each with its own producer, so
    a device is answered at once even while a replay waits on a broker coming back.
    Order holds because a send goes direct only when the spool is empty, and the replay
    removes a message from the spool only once the broker has acknowledged it."""

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
        self._retry_s = retry_s
        self._send_thread = ThreadPoolExecutor(1, thread_name_prefix=f"send-{name}")
        self._replay_thread = ThreadPoolExecutor(1, thread_name_prefix=f"replay-{name}")
        self._replay: asyncio.Task[None] | None = None

    async def send(self, topic: str, key: bytes | None, value: bytes) -> Delivery:
        delivery = await _run(self._send_thread, self._send, topic, key, value)
        if delivery is Delivery.SPOOLED:
            self.start_replay()
        return delivery

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
        self._send_thread.shutdown(wait=True)
        self._replay_thread.shutdown(wait=True)

    async def _replay_until_empty(self) -> None:
        while not await _run(self._replay_thread, self._drain):
            await asyncio.sleep(self._retry_s)
        log.info("lane %s: spool replayed, sending directly again", self.name)

    def _send(self, topic: str, key: bytes | None, value: bytes) -> Delivery:
        """In the send thread."""
        try:
            backlog = len(self.spool)
        except sqlite3.Error:
            backlog = 0  # the spool is unreadable: the broker is the only way left
        if backlog == 0 and self._direct.publish(topic, key, value):
            return Delivery.SENT
        try:
            self.spool.append(topic, key, value)
        except sqlite3.Error as error:
            raise Undeliverable(f"broker unreachable and spool failed: {error}") from error
        return Delivery.SPOOLED

    def _drain(self) -> bool:
        """In the replay thread: send the spool oldest first; True once it is empty."""
        while batch := self.spool.head():
            for item in batch:
                if not self._replayer.publish(item.topic, item.key, item.value):
                    return False
                self.spool.remove(item.seq)
        return True


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
                # Each send waits for its acknowledgement before the device is answered,
                # so there is nothing to batch with: lingering would only add latency.
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
        return await self.lane_for(topic).send(
            str(topic), key, message.model_dump_json().encode()
        )

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
