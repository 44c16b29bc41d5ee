"""Shared plumbing for agents: parse a raw message or dead-letter it, and write to the
store off the event loop with retries (a database outage must not lose or skip events)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import faust
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Command
from contracts.deadletter import DeadLetter
from contracts.topics import CATALOGUE, Topic
from services.metrics import DEAD_LETTERS, EVENTS_IN, reason_kind
from services.store.db import transaction

log = logging.getLogger(__name__)

T = TypeVar("T")


def describe(error: ValidationError) -> str:
    """The validation errors as one line, without echoing input values (personal data)."""
    parts = [
        f"{'.'.join(str(p) for p in e['loc']) or '<root>'}: {e['msg']}" for e in error.errors()
    ]
    return "invalid message: " + "; ".join(parts)


async def parse_or_dead_letter(
    event: faust.EventT[Any], topic: Topic, dead_letters: faust.TopicT
) -> BaseModel | None:
    """The parsed model, or None after sending the raw bytes to the dead-letter topic."""
    raw = event.value if isinstance(event.value, bytes) else bytes(event.value or b"")
    EVENTS_IN.labels(str(topic)).inc()
    try:
        return CATALOGUE[topic].parse(raw)
    except ValidationError as error:
        reason = describe(error)
    except ValueError as error:  # not JSON at all
        reason = f"invalid message: {type(error).__name__}"
    message = event.message
    letter = DeadLetter.of(
        origin=str(topic),
        reason=reason,
        raw=raw,
        key=message.key if isinstance(message.key, bytes) else None,
        partition=message.partition,
        offset=message.offset,
    )
    await dead_letters.send(value=letter.to_bytes())
    DEAD_LETTERS.labels(str(topic), reason_kind(reason)).inc()
    log.warning("dead-lettered %s[%s]@%s: %s", topic, message.partition, message.offset, reason)
    return None


async def write_with_retry(
    factory: sessionmaker[Session],
    write: Callable[..., T],
    *args: Any,
    max_delay_s: float = 30.0,
) -> T:
    """Run one transaction in a thread (no blocking on the loop), retrying while the
    database is unreachable. Writes are idempotent, so a retry is always safe."""

    def run() -> T:
        with transaction(factory) as session:
            return write(session, *args)

    return await run_with_retry(run, max_delay_s=max_delay_s)


async def handle_with_retry(factory: sessionmaker[Session], command: Command) -> Any:
    """Run a care-record command in a thread, retrying while the database is
    unreachable (commands from the bus carry their event id, so a retry is safe)."""
    return await run_with_retry(lambda: handle(command, SqlAlchemyUnitOfWork(factory)))


async def run_with_retry(run: Callable[[], T], *, max_delay_s: float = 30.0) -> T:
    delay = 0.5
    loop = asyncio.get_running_loop()
    while True:
        try:
            return await loop.run_in_executor(None, run)
        except OperationalError as error:
            log.error("store unavailable (%s); retrying in %.1fs", type(error).__name__, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay_s)
