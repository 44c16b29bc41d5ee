"""Publishing events to the bus with kafka-python, keyed by person."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata
from pydantic import BaseModel

from contracts.deadletter import DeadLetter
from contracts.envelope import Envelope
from contracts.topics import Topic

Record = tuple[Topic | str, bytes | None, bytes]
"""A message already serialised: topic, key, value."""


class EventPublisher:
    """Sends envelopes keyed by person_id, so one person's events stay in order."""

    def __init__(self, bootstrap_servers: str, **producer_config: object) -> None:
        config: dict[str, object] = {
            "acks": "all",
            # One in-flight request per connection keeps a person's events in order on retry.
            "max_in_flight_requests_per_connection": 1,
            "retries": 5,
            "linger_ms": 5,
        }
        # Callers may override the defaults (a gateway that waits on each send wants no
        # linger, for example).
        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap_servers, **(config | producer_config)
        )

    def publish(self, topic: Topic | str, event: BaseModel, timeout_s: float = 10.0) -> None:
        """Send and wait for the broker's acknowledgement (raises on failure)."""
        key = event.key if isinstance(event, Envelope) else None
        value = event.model_dump_json().encode()
        self._producer.send(str(topic), key=key, value=value).get(timeout=timeout_s)

    def publish_many(
        self, topic: Topic | str, events: Iterable[BaseModel], timeout_s: float = 30.0
    ) -> None:
        """Send a batch, then wait for every acknowledgement (raises on the first failure):
        one round trip per batch rather than per event."""
        self.publish_records(
            (
                (
                    topic,
                    event.key if isinstance(event, Envelope) else None,
                    event.model_dump_json().encode(),
                )
                for event in events
            ),
            timeout_s,
        )

    def publish_records(self, records: Iterable[Record], timeout_s: float = 30.0) -> None:
        """`publish_many` for records already serialised (topic, key, value), as an outbox
        holds them: nothing is parsed only to be written out again."""
        futures = [
            self._producer.send(str(topic), key=key, value=value) for topic, key, value in records
        ]
        self._producer.flush(timeout=timeout_s)
        for future in futures:
            future.get(timeout=timeout_s)

    def publish_raw(
        self, topic: Topic | str, value: bytes, key: bytes | None = None, timeout_s: float = 10.0
    ) -> None:
        self.submit_raw(topic, value, key).get(timeout=timeout_s)

    def submit_raw(
        self, topic: Topic | str, value: bytes, key: bytes | None = None
    ) -> FutureRecordMetadata:
        """Hand a record to the producer without waiting: many can be in flight, and the
        future settles once the broker acknowledged it or the producer gave up on it."""
        future: FutureRecordMetadata = self._producer.send(str(topic), key=key, value=value)
        return future

    def dead_letter(self, letter: DeadLetter) -> None:
        self.publish(Topic.DEADLETTER, letter)

    def close(self) -> None:
        self._producer.close(timeout=5)

    def __enter__(self) -> EventPublisher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
