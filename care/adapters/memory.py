"""The unit of work in memory: the same rules with no database, for tests (and any
caller that wants to try a command). Uncommitted changes are discarded, as in the store."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from typing import Any, Self

from care.domain.alerts import Alert, AlertChange
from care.domain.audit import AuditEntry
from care.unit_of_work import AlertRepository, AuditLog, UnitOfWork


@dataclass
class Tables:
    """What the store would hold."""

    alerts: dict[uuid.UUID, Alert] = field(default_factory=dict)
    alert_history: dict[uuid.UUID, list[AlertChange]] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    claims: set[tuple[str, uuid.UUID]] = field(default_factory=set)


class InMemoryAlerts(AlertRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def get(self, alert_id: uuid.UUID) -> Alert | None:
        return self._tables.alerts.get(alert_id)

    def open_for_key(self, key: str) -> Alert | None:
        return next((a for a in self._tables.alerts.values() if a.key == key and a.is_open),
                    None)

    def add(self, alert: Alert) -> None:
        self._tables.alerts[alert.id] = alert

    def history(self, alert_id: uuid.UUID) -> list[AlertChange]:
        return list(self._tables.alert_history.get(alert_id, []))


class InMemoryAuditLog(AuditLog):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add(self, entry: AuditEntry) -> None:
        self._tables.audit.append(entry)

    def entries(self, person_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        return [e for e in reversed(self._tables.audit)
                if person_id is None or e.person_id == person_id][:limit]


class InMemoryUnitOfWork(UnitOfWork):
    def __init__(self) -> None:
        self.tables = Tables()  # committed
        self.commits = 0
        self._working = Tables()

    def __enter__(self) -> Self:
        self._working = copy.deepcopy(self.tables)
        self.alerts = InMemoryAlerts(self._working)
        self.audit = InMemoryAuditLog(self._working)
        return super().__enter__()

    def __exit__(self, *args: Any) -> None:
        super().__exit__(*args)

    def claim(self, consumer: str, event_id: uuid.UUID) -> bool:
        if (consumer, event_id) in self._working.claims:
            return False
        self._working.claims.add((consumer, event_id))
        return True

    def commit(self) -> None:
        for alert in self._working.alerts.values():
            self._working.alert_history.setdefault(alert.id, []).extend(alert.changes)
            alert.changes.clear()
        self.tables = self._working
        self._working = copy.deepcopy(self.tables)
        self.commits += 1

    def rollback(self) -> None:
        self._working = copy.deepcopy(self.tables)
