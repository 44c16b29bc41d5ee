"""The envelope every message on the bus carries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

# A namespace of our own so deterministic ids never collide with another system's uuid5s.
TECFLOW_NAMESPACE = uuid.UUID("6f1d3c9e-6a0b-4c55-9a59-3f1f1d2c7e10")

SCHEMA_VERSION = 1


def utcnow() -> datetime:
    return datetime.now(UTC)


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware instant, normalised to UTC (naive datetimes are refused)."""

PersonId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
"""An opaque service-user id: never a name, an NHS number or a phone number."""


def deterministic_id(*parts: object) -> uuid.UUID:
    """A stable event id from the facts that make an event unique, so a redelivery,
    a replay or a second producer yields the same id and is written once."""
    return uuid.uuid5(TECFLOW_NAMESPACE, "\x1f".join(str(p) for p in parts))


class Envelope(BaseModel):
    """Fields common to every event: identity, key, time and provenance."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    person_id: PersonId
    occurred_at: UtcDatetime
    received_at: UtcDatetime = Field(default_factory=utcnow)
    source: str = Field(min_length=1, max_length=64, description="The producer, e.g. gateway.scaip")
    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)

    @property
    def key(self) -> bytes:
        """The partition key: one person's events stay in order on one partition."""
        return self.person_id.encode()

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()
