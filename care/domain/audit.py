"""The audit trail: who saw or changed what part of a person's record, when, and from
where. Changes made by people are recorded by the handlers themselves (one place);
views are recorded by whoever shows the record (the console), with `RecordView`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

VIEW = "view"


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    role: str
    action: str  # "view", or the command that changed the record (e.g. "resolve_alert")
    entity: str  # alert, flag, referral, unmet_need, person, ...
    entity_id: str | None
    person_id: str | None
    origin: str | None = None  # where from: an IP address, "cli"
    detail: dict[str, Any] = field(default_factory=dict)
