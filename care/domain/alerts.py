"""Alerts: raised by the devices and processors, worked by a person.

- A repeat of an open alert (same key) merges into it: evidence is added once, the
  priority only ever rises, and a repeat raise (a second pendant press) is counted here,
  once, in `occurrences` (the processors do not count).
- Acknowledging says who has the alert; a second handler must take it over knowingly.
- A person resolves an alert with an outcome code. The devices may clear an alert
  nobody has taken yet (a reset at the hub, activity seen again); one a handler has
  taken stays with them until they resolve it (safety over tidiness: the handler's
  outcome is the record of what happened).
- A closed alert can be reopened by a person, with a reason.
Every change is kept as an `AlertChange`: who, when, what and why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from care.domain.reasons import require
from care.errors import AlertChangeRefused
from contracts.codes import AlertOutcome, AlertPriority, AlertQueue, AlertStatus

PRIORITY_ORDER = tuple(AlertPriority)  # urgent first


def higher(a: AlertPriority, b: AlertPriority) -> AlertPriority:
    return a if PRIORITY_ORDER.index(a) <= PRIORITY_ORDER.index(b) else b


@dataclass(frozen=True)
class AlertChange:
    """One line of an alert's history."""

    action: str  # raised, repeated, updated, acknowledged, taken_over, resolved, cleared, ...
    by: str
    at: datetime
    note: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Alert:
    id: uuid.UUID
    person_id: str
    key: str
    kind: str
    priority: AlertPriority
    queue: AlertQueue
    summary: str
    raised_at: datetime
    evidence: list[str] = field(default_factory=list)
    status: AlertStatus = AlertStatus.OPEN
    occurrences: int = 1
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    close_reason: str | None = None
    outcome: AlertOutcome | None = None
    changes: list[AlertChange] = field(default_factory=list)
    """Changes made since the alert was loaded; the unit of work appends them to the
    alert's history (which is never rewritten)."""

    @classmethod
    def raised(
        cls,
        *,
        id: uuid.UUID,
        person_id: str,
        key: str,
        kind: str,
        priority: AlertPriority,
        queue: AlertQueue,
        summary: str,
        evidence: tuple[str, ...],
        at: datetime,
        by: str,
    ) -> Alert:
        alert = cls(
            id=id,
            person_id=person_id,
            key=key,
            kind=kind,
            priority=priority,
            queue=queue,
            summary=summary,
            raised_at=at,
            evidence=list(dict.fromkeys(evidence)),
        )
        alert.changes.append(AlertChange("raised", by, at, detail={"priority": priority.value}))
        return alert

    @property
    def is_open(self) -> bool:
        return self.status is not AlertStatus.CLOSED

    def merge(
        self,
        *,
        priority: AlertPriority,
        summary: str,
        evidence: tuple[str, ...],
        at: datetime,
        by: str,
        repeat: bool,
    ) -> None:
        """A repeat raise (`repeat`) or an update of this open alert."""
        if not self.is_open:
            raise AlertChangeRefused(f"alert {self.id} is closed; a repeat raises a new one")
        before = self.priority
        self.priority = higher(priority, self.priority)
        self.summary = summary
        self.evidence = list(dict.fromkeys([*self.evidence, *evidence]))
        if repeat:
            self.occurrences += 1
        detail: dict[str, Any] = {"occurrences": self.occurrences}
        if self.priority is not before:
            detail["priority"] = [before.value, self.priority.value]
        self.changes.append(AlertChange("repeated" if repeat else "updated", by, at, detail=detail))

    def acknowledge(self, *, by: str, at: datetime, take_over: bool = False) -> None:
        """`by` has the alert now. Someone else's alert is only taken over knowingly."""
        if not self.is_open:
            raise AlertChangeRefused(f"alert {self.id} is closed")
        if self.acknowledged_by == by:
            return
        if self.acknowledged_by is not None and not take_over:
            raise AlertChangeRefused(
                f"alert {self.id} is with {self.acknowledged_by}; take it over to work it"
            )
        action = "taken_over" if self.acknowledged_by is not None else "acknowledged"
        detail = {"from": self.acknowledged_by} if self.acknowledged_by else {}
        self.status = AlertStatus.ACKNOWLEDGED
        self.acknowledged_by, self.acknowledged_at = by, at
        self.changes.append(AlertChange(action, by, at, detail=detail))

    def resolve(
        self,
        *,
        outcome: AlertOutcome,
        by: str,
        at: datetime,
        note: str | None = None,
        take_over: bool = False,
    ) -> None:
        """A person closes the alert with what happened."""
        if outcome is AlertOutcome.CLEARED_AT_DEVICE:
            raise AlertChangeRefused("cleared_at_device is the devices' outcome, not a person's")
        self.acknowledge(by=by, at=at, take_over=take_over)
        self._close(outcome=outcome, by=by, at=at, reason=note, action="resolved")

    def clear(self, *, reason: str, by: str, at: datetime) -> None:
        """The devices say the condition is over (a reset, a cancel, activity again)."""
        if not self.is_open:
            return
        if self.status is AlertStatus.ACKNOWLEDGED:
            # The handler who has it resolves it; the clearing is kept as a fact.
            self.evidence = list(dict.fromkeys([*self.evidence, reason]))
            self.changes.append(AlertChange("cleared_while_taken", by, at, note=reason))
            return
        self._close(
            outcome=AlertOutcome.CLEARED_AT_DEVICE, by=by, at=at, reason=reason, action="cleared"
        )

    def add_note(self, *, text: str, by: str, at: datetime) -> None:
        self.changes.append(AlertChange("note", by, at, note=require(text, "a note's text")))

    def reopen(self, *, reason: str, by: str, at: datetime) -> None:
        why = require(reason, "a reason to reopen")
        if self.is_open:
            raise AlertChangeRefused(f"alert {self.id} is not closed")
        self.status = AlertStatus.OPEN
        self.acknowledged_by = self.acknowledged_at = None
        self.closed_at = self.closed_by = self.close_reason = self.outcome = None
        self.changes.append(AlertChange("reopened", by, at, note=why))

    def _close(
        self, *, outcome: AlertOutcome, by: str, at: datetime, reason: str | None, action: str
    ) -> None:
        self.status = AlertStatus.CLOSED
        self.closed_at, self.closed_by = at, by
        self.outcome, self.close_reason = outcome, reason
        self.changes.append(
            AlertChange(action, by, at, note=reason, detail={"outcome": outcome.value})
        )
