"""Entries on the RMU unmet-need list: their status changes, with history.

- Every change keeps a history line: which fields changed from what to what, who,
  when and why. A change that changes nothing leaves no line (a repeat import).
- A call's answers are applied only if the call is newer than the last one applied
  (replays and late retries never overwrite newer answers).
- An "in crisis" status is lowered only by a person, never by an automated call, while
  the person's in-crisis alert is open: the call's answers are kept, the status stays
  (clinical safety: a later "managing OK" must not hide a crisis nobody has seen to)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from contracts.codes import NeedStatus

CRISIS_KEPT = "in crisis kept: its alert is open, and only a person lowers it"


def _plain(value: Any) -> Any:
    """A value as history keeps it (JSON): dates as ISO text, enums as their value."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return getattr(value, "value", value)


@dataclass(frozen=True)
class NeedChange:
    changes: dict[str, list[Any]]  # field -> [old, new]
    by: str
    at: datetime | None
    reason: str | None


@dataclass
class NeedListEntry:
    """A person's entry: assessed for a care package and waiting for it."""

    person_id: str
    need_level: str
    hours_per_week: float
    waiting_at: str
    assessed_on: date
    waiting_since: date
    status: NeedStatus = NeedStatus.UNKNOWN
    last_checked_at: datetime | None = None
    last_answers: dict[str, Any] = field(default_factory=dict)
    active: bool = True
    id: int | None = None  # given by the store
    changes: list[NeedChange] = field(default_factory=list)

    @classmethod
    def imported(
        cls, person_id: str, values: Mapping[str, Any], *, by: str, at: datetime | None
    ) -> NeedListEntry:
        """A new entry from a council's list; its history starts with every value."""
        entry = cls(person_id=person_id, **values)
        entry.changes.append(
            NeedChange({k: [None, _plain(v)] for k, v in values.items()}, by, at, "imported")
        )
        return entry

    def change(
        self, values: Mapping[str, Any], *, by: str, at: datetime | None, reason: str | None
    ) -> dict[str, list[Any]]:
        """Set the values that differ and keep them in the history; returns them."""
        changed: dict[str, list[Any]] = {}
        for name, new in values.items():
            old = getattr(self, name)
            if _plain(old) != _plain(new):
                changed[name] = [_plain(old), _plain(new)]
                setattr(self, name, new)
        if changed:
            self.changes.append(NeedChange(changed, by, at, reason))
        return changed

    def apply_call(
        self,
        *,
        status: NeedStatus | None,
        answers: Mapping[str, str],
        checked_at: datetime,
        values: Mapping[str, Any],
        crisis_alert_open: bool,
        by: str,
        at: datetime,
        reason: str | None,
    ) -> dict[str, list[Any]]:
        """An automated call's answers (and any level, hours or place it learnt)."""
        update = dict(values)
        if self.last_checked_at is None or checked_at >= self.last_checked_at:
            update["last_checked_at"] = checked_at
            update["last_answers"] = dict(answers)
            if status is not None:
                if self.crisis_stands(status, crisis_alert_open):
                    reason = f"{reason}; {CRISIS_KEPT}" if reason else CRISIS_KEPT
                else:
                    update["status"] = status
        return self.change(update, by=by, at=at, reason=reason)

    def crisis_stands(self, status: NeedStatus, crisis_alert_open: bool) -> bool:
        return (
            self.status is NeedStatus.IN_CRISIS
            and status is not NeedStatus.IN_CRISIS
            and crisis_alert_open
        )
