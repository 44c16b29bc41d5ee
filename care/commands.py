"""What callers ask the care record to do: one imperative dataclass per change. Each
says who asks (`by`), when (`at`), and why where a change needs a reason. Commands from
the bus carry the message's `event_id`, so a redelivery changes nothing twice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import contracts
from contracts.codes import AlertAction, AlertOutcome, AlertPriority, AlertQueue


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a member of staff (with their role and where they are), or a
    part of the platform (`Actor.system("streams.triage")`)."""

    id: str
    role: str = "system"
    origin: str | None = None  # an IP address, "cli"

    @classmethod
    def system(cls, component: str) -> Actor:
        return cls(id=component, role="system")

    @property
    def is_person(self) -> bool:
        return self.role != "system"


# --- alerts -----------------------------------------------------------------


@dataclass(frozen=True)
class RaiseAlert:
    """Raise an alert, or merge into the open one with the same key. `repeat` counts
    a repeat (another press); an update of the same condition (`repeat=False`) does not."""

    person_id: str
    key: str
    kind: str
    priority: AlertPriority
    summary: str
    by: Actor
    at: datetime
    queue: AlertQueue = AlertQueue.CALL_HANDLER
    evidence: tuple[str, ...] = ()
    repeat: bool = True
    event_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ClearAlert:
    """The devices or processors say the open alert with this key is over."""

    key: str
    reason: str
    by: Actor
    at: datetime
    event_id: uuid.UUID | None = None


@dataclass(frozen=True)
class AcknowledgeAlert:
    alert_id: uuid.UUID
    by: Actor
    at: datetime
    take_over: bool = False


@dataclass(frozen=True)
class ResolveAlert:
    alert_id: uuid.UUID
    outcome: AlertOutcome
    by: Actor
    at: datetime
    note: str | None = None
    take_over: bool = False


@dataclass(frozen=True)
class AddAlertNote:
    alert_id: uuid.UUID
    text: str
    by: Actor
    at: datetime


@dataclass(frozen=True)
class ReopenAlert:
    alert_id: uuid.UUID
    reason: str
    by: Actor
    at: datetime


def alert_command(alert: contracts.Alert) -> RaiseAlert | ClearAlert:
    """The command an alert event on the bus stands for."""
    by = Actor.system(alert.source)
    if alert.action is AlertAction.CLOSE:
        return ClearAlert(key=alert.alert_key, reason=alert.close_reason or alert.summary,
                          by=by, at=alert.occurred_at, event_id=alert.event_id)
    return RaiseAlert(
        person_id=alert.person_id, key=alert.alert_key, kind=alert.alert_kind.value,
        priority=alert.priority, summary=alert.summary, by=by, at=alert.occurred_at,
        queue=alert.queue, evidence=alert.evidence,
        repeat=alert.action is AlertAction.RAISE, event_id=alert.event_id,
    )


# --- audit ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordView:
    """Someone looked at part of a person's record."""

    entity: str
    entity_id: str | None
    person_id: str | None
    by: Actor
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordChange:
    """Someone changed part of a person's record kept outside the care tables (their
    details, contacts, devices): the audit line for it. Changes made through the other
    commands are audited by their handlers."""

    action: str
    entity: str
    entity_id: str | None
    person_id: str | None
    by: Actor
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


Command = (
    RaiseAlert | ClearAlert | AcknowledgeAlert | ResolveAlert | AddAlertNote | ReopenAlert
    | RecordView | RecordChange
)
