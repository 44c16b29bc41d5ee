"""A message that could not be used, kept whole with the reason."""

from __future__ import annotations

import base64
import uuid

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import UtcDatetime, utcnow


class DeadLetter(BaseModel):
    """Not an Envelope: a dead letter may have no person to key it by."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dead_letter_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    origin: str = Field(description="The topic, or the gateway, the message came from")
    reason: str = Field(min_length=1)
    raw_b64: str = Field(description="The message exactly as received, base64")
    key_b64: str | None = None
    partition: int | None = None
    offset: int | None = None
    received_at: UtcDatetime = Field(default_factory=utcnow)

    @classmethod
    def of(
        cls,
        origin: str,
        reason: str,
        raw: bytes,
        key: bytes | None = None,
        partition: int | None = None,
        offset: int | None = None,
    ) -> DeadLetter:
        return cls(
            origin=origin,
            # The reason may quote what came (a topic): never a NUL into the store.
            reason=reason.replace("\x00", "\\0")[:2000],
            raw_b64=base64.b64encode(raw).decode(),
            key_b64=base64.b64encode(key).decode() if key is not None else None,
            partition=partition,
            offset=offset,
        )

    @property
    def raw(self) -> bytes:
        return base64.b64decode(self.raw_b64)

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()
