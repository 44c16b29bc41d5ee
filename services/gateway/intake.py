"""What every gateway does with a device's message once it is read: find who holds the
device, route each event to its topic, and keep what cannot be used."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from enum import StrEnum

from contracts.deadletter import DeadLetter
from contracts.envelope import Envelope
from contracts.topics import Topic
from services.gateway.register import EquipmentRegister, Holder
from services.gateway.routing import UNREGISTERED_PERSON, is_urgent, topic_for, unregistered
from services.gateway.sender import Sender, Undeliverable

log = logging.getLogger(__name__)


class Taken(StrEnum):
    ACCEPTED = "accepted"
    UNREGISTERED = "unregistered"
    REFUSED = "refused"  # unusable content: dead-lettered with the reason


def usable_identifier(identifier: str) -> bool:
    """A device id the store can look up: no control characters (a NUL once made every
    OwnTracks post answer 503), and not absurdly long."""
    return 0 < len(identifier) <= 256 and identifier.isprintable()


class Intake:
    def __init__(
        self,
        register: EquipmentRegister,
        sender: Sender,
        unregistered_alert_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.register = register
        self.sender = sender
        self._alert_window_s = unregistered_alert_s
        self._clock = clock
        # (kind, urgent) -> when its last alert went: one alert a window, however many
        # unknown devices speak (a flood of random hub ids once queued 166 urgent alerts).
        self._alerted: dict[tuple[str, bool], float] = {}

    async def take(
        self,
        kind: str,
        identifier: str,
        origin: str,
        raw: bytes,
        build: Callable[[Holder], Sequence[Envelope]],
        facts: tuple[str, ...] = (),
    ) -> Taken:
        """Raises Undeliverable or RegisterUnavailable when the message cannot be kept."""
        if not usable_identifier(identifier):
            await self._refuse(
                origin, f"{kind} id is empty, too long or has control characters", raw
            )
            return Taken.REFUSED
        holder = await self.register.holder_of(kind, identifier)
        if holder is None:
            urgent = any(is_urgent(e) for e in build(Holder(UNREGISTERED_PERSON)))
            letter, alert = unregistered(kind, identifier, origin, raw, urgent, facts)
            await self.sender.send(Topic.DEADLETTER, letter)
            last = self._alerted.get((kind, urgent))
            if last is None or self._clock() - last >= self._alert_window_s:
                self._alerted[(kind, urgent)] = self._clock()
                await self.sender.send(Topic.ALERTS, alert)
            log.warning(
                "%s: message from unregistered %s %s dead-lettered", origin, kind, identifier
            )
            return Taken.UNREGISTERED
        events = [(topic_for(e), e.key, e.model_dump_json().encode()) for e in build(holder)]
        if any(b"\\u0000" in value for _, _, value in events):
            # PostgreSQL's json type cannot hold a NUL: one would break every later query.
            await self._refuse(origin, "a text field holds a NUL character", raw)
            return Taken.REFUSED
        for topic, key, value in events:
            await self.sender.send_bytes(topic, key, value)
        return Taken.ACCEPTED

    async def _refuse(self, origin: str, reason: str, raw: bytes) -> None:
        if not await self.reject(origin, reason, raw):
            raise Undeliverable(f"{origin}: refused message could not be dead-lettered")

    async def reject(self, origin: str, reason: str, raw: bytes) -> bool:
        """Keep an unreadable message whole, with the reason; never raises. False when it
        could not be kept (neither broker nor spool took it)."""
        log.warning("%s: rejected: %s", origin, reason)
        try:
            await self.sender.send(Topic.DEADLETTER, DeadLetter.of(origin, reason, raw))
        except Undeliverable:
            log.error("%s: rejected message not dead-lettered (spool failed)", origin)
            return False
        return True
