"""Replaying dead letters after a fix: each unresolved letter from a topic that now
parses goes back to its topic, once, and is marked resolved in the same step."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.envelope import Envelope
from contracts.topics import CATALOGUE, Topic
from services.metrics import DEAD_LETTERS_REPLAYED
from services.store.db import transaction
from services.store.models import DeadLetterRecord

log = logging.getLogger(__name__)

Send = Callable[[Topic, bytes, bytes | None], None]


@dataclass(frozen=True)
class Replayed:
    sent: int
    still_invalid: int


def replay_dead_letters(factory: sessionmaker[Session], topic: Topic, send: Send) -> Replayed:
    """Send each unresolved dead letter from `topic` that parses now back to it, keyed by
    its person, and mark it resolved; one that still fails stays as it is.

    Each letter is sent (and acknowledged by `send`) before its row is marked, one
    transaction per letter: a crash in between sends it again on the next replay, and
    the processors skip an event_id they have seen, so it is still processed once."""
    sent = still_invalid = 0
    with transaction(factory) as session:
        ids = session.scalars(
            select(DeadLetterRecord.id)
            .where(DeadLetterRecord.origin == str(topic), DeadLetterRecord.resolved.is_(False))
            .order_by(DeadLetterRecord.received_at)
        ).all()
    for letter_id in ids:
        with transaction(factory) as session:
            record = session.get(DeadLetterRecord, letter_id)
            if record is None or record.resolved:
                continue
            raw = base64.b64decode(record.raw_b64)
            try:
                model: BaseModel = CATALOGUE[topic].parse(raw)
            except (ValidationError, ValueError):
                still_invalid += 1
                continue
            send(topic, raw, model.key if isinstance(model, Envelope) else None)
            record.resolved = True
            sent += 1
            DEAD_LETTERS_REPLAYED.labels(str(topic)).inc()
    log.info("replayed %d dead letter(s) to %s; %d still invalid", sent, topic, still_invalid)
    return Replayed(sent, still_invalid)
