"""A person's time zone, away mode and safe zones, read from the store off the event
loop and cached for a short while (the console changes them rarely)."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.store.db import transaction
from services.store.models import Person, SafeZoneRecord
from streams.processors.context import PersonContext, SafeZone

log = logging.getLogger(__name__)


def load_context(session: Session, person_id: str, default_tz: str) -> PersonContext:
    person = session.get(Person, person_id)
    zones = session.scalars(
        select(SafeZoneRecord).where(SafeZoneRecord.person_id == person_id)
    ).all()
    return PersonContext(
        tz=person.timezone if person is not None else default_tz,
        away_until=person.away_until if person is not None else None,
        zones=tuple(
            SafeZone(z.name, z.lat, z.lon, z.radius_m, z.active_from, z.active_to)
            for z in zones
        ),
    )


class ContextBook:
    """Cached contexts. If the store cannot be read, the last context known (or the
    default) is used: an alert evaluated without away mode beats no evaluation."""

    def __init__(self, factory: sessionmaker[Session], ttl_s: float, default_tz: str) -> None:
        self._factory = factory
        self._ttl_s = ttl_s
        self._default = PersonContext(tz=default_tz)
        self._cache: dict[str, tuple[float, PersonContext]] = {}

    async def get(self, person_id: str) -> PersonContext:
        cached = self._cache.get(person_id)
        if cached is not None and time.monotonic() - cached[0] < self._ttl_s:
            return cached[1]
        loop = asyncio.get_running_loop()
        try:
            context = await loop.run_in_executor(None, self._load, person_id)
        except SQLAlchemyError as error:
            log.warning("person context unavailable (%s); using the last known",
                        type(error).__name__)
            return cached[1] if cached is not None else self._default
        self._cache[person_id] = (time.monotonic(), context)
        return context

    def _load(self, person_id: str) -> PersonContext:
        with transaction(self._factory) as session:
            return load_context(session, person_id, self._default.tz)
