"""The live queue's change detector: one poller per console process, whatever the
number of open queue pages. Every `poll_s` it reads a cheap fingerprint of the open
alerts (how many, the latest change); when it moves, every waiting page is woken and
re-renders its rows. Polling the store (rather than listening on the bus) means the
page shows exactly what the store holds, including changes made by other handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from services.store.models import AlertRecord

log = logging.getLogger(__name__)

Fingerprint = tuple[int, datetime | None]


class QueueWatch:
    def __init__(self, factory: sessionmaker[Session], poll_s: float) -> None:
        self._factory = factory
        self._poll_s = poll_s
        self._fingerprint: Fingerprint | None = None
        self._generation = 0
        self._changed = asyncio.Event()

    def _read(self) -> Fingerprint:
        with self._factory() as session:
            count, latest = session.execute(
                select(func.count(), func.max(AlertRecord.updated_at)).where(
                    AlertRecord.status != "closed"
                )
            ).one()
        return count, latest

    async def run(self) -> None:
        while True:
            try:
                fingerprint = await run_in_threadpool(self._read)
            except Exception:  # a store hiccup must not end the live queue for everyone
                log.exception("live queue: reading the store failed; retrying")
            else:
                if fingerprint != self._fingerprint:
                    self._fingerprint = fingerprint
                    self._generation += 1
                    changed, self._changed = self._changed, asyncio.Event()
                    changed.set()
            await asyncio.sleep(self._poll_s)

    async def changes(self, idle_s: float) -> AsyncIterator[int]:
        """Yields the generation at once, then after every change (a burst of changes
        yields once), and at least every `idle_s` even without one (so the caller can
        check that its viewer is still signed in)."""
        while True:
            yield self._generation
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), idle_s)
