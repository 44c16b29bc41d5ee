"""Reading a shared topic in tests: every test run shares the broker, and some tests send
deliberately malformed messages, so readers keep only what parses as their model."""

from __future__ import annotations

from typing import TypeVar

from kafka import KafkaConsumer
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


def read_topic(bootstrap: str, topic: str, model: type[M], idle_ms: int = 3000) -> list[M]:
    """Every message on `topic` from the beginning that is a valid `model`, in order per
    partition; returns once no message has arrived for `idle_ms`."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=idle_ms,
    )
    parsed: list[M] = []
    try:
        for message in consumer:
            try:
                parsed.append(model.model_validate_json(message.value))
            except ValidationError:
                continue
    finally:
        consumer.close()
    return parsed
