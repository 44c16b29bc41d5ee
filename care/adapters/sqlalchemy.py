"""The unit of work over the store (SQLite or PostgreSQL): loads care records as domain
objects, writes them back, with their history, in one transaction on commit."""

from __future__ import annotations

import uuid
from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from care.domain.alerts import Alert, AlertChange
from care.domain.audit import AuditEntry
from care.unit_of_work import AlertRepository, AuditLog, UnitOfWork
from contracts.codes import AlertOutcome, AlertPriority, AlertQueue, AlertStatus
from services.store.idempotency import claim
from services.store.models import AlertHistory, AlertRecord, AuditRecord


def _alert(row: AlertRecord) -> Alert:
    return Alert(
        id=row.id, person_id=row.person_id, key=row.alert_key, kind=row.kind,
        priority=AlertPriority(row.priority), queue=AlertQueue(row.queue), summary=row.summary,
        raised_at=row.raised_at, evidence=list(row.evidence), status=AlertStatus(row.status),
        occurrences=row.occurrences, acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by, closed_at=row.closed_at, closed_by=row.closed_by,
        close_reason=row.close_reason,
        outcome=AlertOutcome(row.outcome) if row.outcome else None,
    )


def _write_alert(alert: Alert, row: AlertRecord) -> None:
    row.person_id, row.alert_key, row.kind = alert.person_id, alert.key, alert.kind
    row.priority, row.queue = alert.priority.value, alert.queue.value
    row.status, row.summary = alert.status.value, alert.summary
    row.evidence, row.occurrences = list(alert.evidence), alert.occurrences
    row.raised_at = alert.raised_at
    row.acknowledged_at, row.acknowledged_by = alert.acknowledged_at, alert.acknowledged_by
    row.closed_at, row.closed_by = alert.closed_at, alert.closed_by
    row.close_reason = alert.close_reason
    row.outcome = alert.outcome.value if alert.outcome else None


class SqlAlchemyAlerts(AlertRepository):
    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[uuid.UUID, tuple[Alert, AlertRecord]] = {}

    def get(self, alert_id: uuid.UUID) -> Alert | None:
        return self._track(self._session.get(AlertRecord, alert_id))

    def open_for_key(self, key: str) -> Alert | None:
        return self._track(self._session.scalar(select(AlertRecord).where(
            AlertRecord.alert_key == key, AlertRecord.status != AlertStatus.CLOSED.value)))

    def add(self, alert: Alert) -> None:
        row = AlertRecord(id=alert.id)
        self._session.add(row)
        self._seen[alert.id] = (alert, row)

    def history(self, alert_id: uuid.UUID) -> list[AlertChange]:
        rows = self._session.scalars(select(AlertHistory).where(
            AlertHistory.alert_id == alert_id).order_by(AlertHistory.id))
        return [AlertChange(r.action, r.changed_by, r.changed_at, r.note, dict(r.detail))
                for r in rows]

    def _track(self, row: AlertRecord | None) -> Alert | None:
        if row is None:
            return None
        if row.id not in self._seen:
            self._seen[row.id] = (_alert(row), row)
        return self._seen[row.id][0]

    def write(self) -> None:
        for alert, row in self._seen.values():
            _write_alert(alert, row)
        self._session.flush()  # the alerts exist before their history rows refer to them
        for alert, _ in self._seen.values():
            self._session.add_all(
                AlertHistory(alert_id=alert.id, action=change.action, changed_by=change.by,
                             changed_at=change.at, note=change.note, detail=dict(change.detail))
                for change in alert.changes)
            alert.changes.clear()


class SqlAlchemyAuditLog(AuditLog):
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, entry: AuditEntry) -> None:
        self._session.add(AuditRecord(
            at=entry.at, actor=entry.actor, role=entry.role, action=entry.action,
            entity=entry.entity, entity_id=entry.entity_id, person_id=entry.person_id,
            origin=entry.origin, detail=dict(entry.detail)))

    def entries(self, person_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
        if person_id is not None:
            query = query.where(AuditRecord.person_id == person_id)
        return [AuditEntry(at=r.at, actor=r.actor, role=r.role, action=r.action,
                           entity=r.entity, entity_id=r.entity_id, person_id=r.person_id,
                           origin=r.origin, detail=dict(r.detail))
                for r in self._session.scalars(query)]


class SqlAlchemyUnitOfWork(UnitOfWork):
    """One session per `with`: `SqlAlchemyUnitOfWork(session_factory)`; the same object
    can be used for one command after another."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = self._factory()
        self._alerts = SqlAlchemyAlerts(self._session)
        self.alerts = self._alerts
        self.audit = SqlAlchemyAuditLog(self._session)
        return super().__enter__()

    def __exit__(self, *args: Any) -> None:
        super().__exit__(*args)
        self.session.close()
        self._session = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("use the unit of work in a `with` block")
        return self._session

    def claim(self, consumer: str, event_id: uuid.UUID) -> bool:
        return claim(self.session, consumer, event_id)

    def commit(self) -> None:
        self._alerts.write()
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
