"""The equipment register: which person holds a device, from the store's open loans.

Looked up in a thread (the event loop never waits on the database) and cached briefly,
since every message from a home asks the same question."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from contracts.errors import TecflowError
from services.store.db import transaction
from services.store.models import Device, DeviceLoan

# Device kinds, as services/sim/cohort.py and the loan records name them.
SCAIP_HUB = "scaip_hub"
ZIGBEE = "zigbee"
OWNTRACKS = "owntracks"
ALEXA = "alexa"


class RegisterUnavailable(TecflowError, RuntimeError):
    """The store did not answer and nothing usable is cached."""


@dataclass(frozen=True)
class Holder:
    person_id: str
    placement: str | None = None


def holder(session: Session, kind: str, identifier: str) -> Holder | None:
    """The person on the device's open loan (the latest, if records overlap)."""
    row = session.execute(
        select(DeviceLoan.person_id, Device.placement)
        .join(Device, Device.id == DeviceLoan.device_id)
        .where(
            Device.kind == kind, Device.identifier == identifier, DeviceLoan.returned_at.is_(None)
        )
        .order_by(DeviceLoan.loaned_at.desc())
        .limit(1)
    ).first()
    return Holder(row.person_id, row.placement) if row else None


class EquipmentRegister:
    def __init__(
        self,
        factory: sessionmaker[Session],
        ttl_s: float = 30.0,
        unknown_ttl_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._factory = factory
        self._ttl_s = ttl_s
        # An unknown device is often being installed right now: ask again soon.
        self._unknown_ttl_s = unknown_ttl_s
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[Holder | None, float]] = {}

    async def holder_of(self, kind: str, identifier: str) -> Holder | None:
        key = (kind, identifier)
        cached = self._cache.get(key)
        if cached and cached[1] > self._clock():
            return cached[0]
        try:
            found = await asyncio.to_thread(self._lookup, kind, identifier)
        except SQLAlchemyError as error:
            if cached and cached[0] is not None:
                return cached[0]  # a stale answer beats refusing an alarm
            raise RegisterUnavailable(f"equipment register unavailable: {error}") from error
        ttl = self._ttl_s if found is not None else self._unknown_ttl_s
        self._cache[key] = (found, self._clock() + ttl)
        return found

    def _lookup(self, kind: str, identifier: str) -> Holder | None:
        with transaction(self._factory) as session:
            return holder(session, kind, identifier)
