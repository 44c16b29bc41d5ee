"""The topic catalogue: every topic on the bus, its key, partitions, retention and model."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from pydantic import BaseModel, TypeAdapter

from contracts.calls import CallOutcome, CallRequested
from contracts.care import Alert, Flag, NeedUpdate, Referral, Signal
from contracts.deadletter import DeadLetter
from contracts.devices import DeviceEvent

DAY_MS = 24 * 60 * 60 * 1000


class Topic(StrEnum):
    DEVICE_ALARMS = "device.alarms"
    DEVICE_EVENTS = "device.events"
    ALERTS = "alerts"
    SIGNALS = "signals"
    CALLS_REQUESTED = "calls.requested"
    CALLS_OUTCOMES = "calls.outcomes"
    FLAGS = "flags"
    NEEDS_UPDATES = "needs.updates"
    REFERRALS = "referrals"
    DEADLETTER = "deadletter"


@dataclass(frozen=True)
class TopicSpec:
    name: Topic
    description: str
    model: Any  # a pydantic model class or an annotated union of them
    key: str | None = "person_id"
    partitions: int = 6
    retention_ms: int = 30 * DAY_MS
    configs: dict[str, str] = field(default_factory=dict)

    @cached_property
    def adapter(self) -> TypeAdapter[Any]:
        return TypeAdapter(self.model)

    def parse(self, raw: bytes) -> BaseModel:
        """Parse a message value; raises pydantic.ValidationError saying what is wrong."""
        parsed: BaseModel = self.adapter.validate_json(raw)
        return parsed

    def json_schema(self) -> dict[str, Any]:
        return self.adapter.json_schema()

    @property
    def topic_configs(self) -> dict[str, str]:
        return {"retention.ms": str(self.retention_ms), **self.configs}


CATALOGUE: dict[Topic, TopicSpec] = {
    spec.name: spec
    for spec in (
        TopicSpec(
            Topic.DEVICE_ALARMS,
            "Priority lane: alarms a person may need help with now (pendant, fall "
            "detector, SOS, smoke, CO, flood). Never waits behind telemetry.",
            DeviceEvent,
            # As many as device.events: the processors' tables are written from both
            # topics, and Faust needs a table co-partitioned with every source.
            partitions=12,
            retention_ms=90 * DAY_MS,
        ),
        TopicSpec(
            Topic.DEVICE_EVENTS,
            "Telemetry from homes: sensors, trackers, voice assistants, heartbeats, "
            "resets and technical SCAIP messages.",
            DeviceEvent,
            partitions=12,
            retention_ms=30 * DAY_MS,
        ),
        TopicSpec(Topic.ALERTS, "Alerts for call handlers and technology assistants.", Alert),
        TopicSpec(Topic.SIGNALS, "Reasons to place a proactive call.", Signal),
        TopicSpec(Topic.CALLS_REQUESTED, "Outbound calls for the dialer to place.", CallRequested),
        TopicSpec(Topic.CALLS_OUTCOMES, "How each call ended and its answers.", CallOutcome),
        TopicSpec(Topic.FLAGS, "Falls-risk flag changes.", Flag, retention_ms=365 * DAY_MS),
        TopicSpec(
            Topic.NEEDS_UPDATES,
            "Changes to the RMU unmet-need list.",
            NeedUpdate,
            retention_ms=365 * DAY_MS,
        ),
        TopicSpec(Topic.REFERRALS, "Referral changes.", Referral, retention_ms=365 * DAY_MS),
        TopicSpec(
            Topic.DEADLETTER,
            "Messages that could not be used, with the reason and the raw bytes.",
            DeadLetter,
            key=None,
            partitions=1,
            retention_ms=90 * DAY_MS,
        ),
    )
}
