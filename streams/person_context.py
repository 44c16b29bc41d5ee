"""People's time zone, away mode and safe zones, read from the store off the event loop
for everyone at once and refreshed every `ttl_s` (the console changes them rarely).

One read of every person replaced a read per person: with thousands of people the
per-person reads, each a round trip through a thread and the store, were what the
telemetry agent spent most of its time waiting on."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.store.db import transaction
from services.store.models import Person, SafeZoneRecord
from streams.processors.context import PersonContext, SafeZone

log = logging.getLogger(__name__)


def load_contexts(session: Session, default_tz: str) -> dict[str, PersonContext]:
    """Every person's context; people with the default one share a single object, so a
    region's worth costs little memory."""
    zones: defaultdict[str, list[SafeZone]] = defaultdict(list)
    for z in session.scalars(select(SafeZoneRecord)):
        zones[z.person_id].append(
            SafeZone(z.name, z.lat, z.lon, z.radius_m, z.active_from, z.active_to)
        )
    default = PersonContext(tz=default_tz)
    contexts: dict[str, PersonContext] = {}
    rows = session.execute(select(Person.id, Person.timezone, Person.away_until))
    for person_id, tz, away_until in rows:
        own_zones = tuple(zones.get(person_id, ()))
        if tz == default_tz and away_until is None and not own_zones:
            contexts[person_id] = default
        else:
            contexts[person_id] = PersonContext(
                tz=sys.intern(tz), away_until=away_until, zones=own_zones
            )
    return contexts


class ContextBook:
    """Everyone's context, refreshed in the background once older than `ttl_s` (the old
    one answers meanwhile). A person not on record gets the default. If the store cannot
    be read, the last contexts known (or the default) are used: an alert evaluated
    without away mode beats no evaluation."""

    def __init__(self, factory: sessionmaker[Session], ttl_s: float, default_tz: str) -> None:
        self._factory = factory
        self._ttl_s = ttl_s
        self._default = PersonContext(tz=default_tz)
        self._contexts: dict[str, PersonContext] | None = None
        self._loaded_at = 0.0
        self._refresh: asyncio.Task[None] | None = None

    async def get(self, person_id: str) -> PersonContext:
        if self._contexts is None or time.monotonic() - self._loaded_at >= self._ttl_s:
            if self._refresh is None or self._refresh.done():
                self._refresh = asyncio.create_task(self._reload())
            if self._contexts is None or self._ttl_s <= 0:
                await asyncio.shield(self._refresh)
        return (self._contexts or {}).get(person_id, self._default)

    async def _reload(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            contexts = await loop.run_in_executor(None, self._load)
        except SQLAlchemyError as error:
            log.warning(
                "person contexts unavailable (%s); using the last known", type(error).__name__
            )
            if self._contexts is None:
                self._contexts = {}
            self._loaded_at = time.monotonic()  # try again after ttl_s, not every event
            return
        self._contexts = contexts
        self._loaded_at = time.monotonic()

    def _load(self) -> dict[str, PersonContext]:
        with transaction(self._factory) as session:
            return load_contexts(session, self._default.tz)
