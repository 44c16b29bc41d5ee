"""One handler per command: load through the unit of work, apply one rule of the
domain, audit what a person changed, commit. The registry is at the bottom; callers go
through `care.handle`."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from care import commands as c
from care.domain.alerts import Alert
from care.domain.audit import VIEW, AuditEntry
from care.errors import AlertChangeRefused, NotFound
from care.unit_of_work import UnitOfWork

# Consumer names in the idempotency ledger (kept from the store's sinks, so messages
# claimed before the care record existed stay claimed).
ALERTS_CONSUMER = "alerts"


def _audit(uow: UnitOfWork, by: c.Actor, action: str, entity: str, entity_id: object,
           person_id: str | None, at: Any, **detail: Any) -> None:
    """Changes made by people go into the audit trail; the platform's own changes are in
    each record's history already."""
    if by.is_person:
        uow.audit.add(AuditEntry(at=at, actor=by.id, role=by.role, action=action,
                                 entity=entity, entity_id=str(entity_id) if entity_id else None,
                                 person_id=person_id, origin=by.origin, detail=detail))


def _alert(uow: UnitOfWork, alert_id: uuid.UUID) -> Alert:
    alert = uow.alerts.get(alert_id)
    if alert is None:
        raise NotFound(f"no alert {alert_id}")
    return alert


# --- alerts -----------------------------------------------------------------


def raise_alert(command: c.RaiseAlert, uow: UnitOfWork) -> Alert | None:
    """A new alert, or the open one with the same key with this repeat merged in;
    None for a redelivered message."""
    with uow:
        if command.event_id is not None and not uow.claim(ALERTS_CONSUMER, command.event_id):
            return None
        alert = uow.alerts.open_for_key(command.key)
        if alert is None:
            alert = Alert.raised(
                id=command.event_id or uuid.uuid4(), person_id=command.person_id,
                key=command.key, kind=command.kind, priority=command.priority,
                queue=command.queue, summary=command.summary, evidence=command.evidence,
                at=command.at, by=command.by.id,
            )
            uow.alerts.add(alert)
        else:
            alert.merge(priority=command.priority, summary=command.summary,
                        evidence=command.evidence, at=command.at, by=command.by.id,
                        repeat=command.repeat)
        _audit(uow, command.by, "raise_alert", "alert", alert.id, alert.person_id, command.at)
        uow.commit()
        return alert


def clear_alert(command: c.ClearAlert, uow: UnitOfWork) -> Alert | None:
    with uow:
        if command.event_id is not None and not uow.claim(ALERTS_CONSUMER, command.event_id):
            return None
        alert = uow.alerts.open_for_key(command.key)
        if alert is not None:
            alert.clear(reason=command.reason, by=command.by.id, at=command.at)
        uow.commit()
        return alert


def acknowledge_alert(command: c.AcknowledgeAlert, uow: UnitOfWork) -> Alert:
    with uow:
        alert = _alert(uow, command.alert_id)
        alert.acknowledge(by=command.by.id, at=command.at, take_over=command.take_over)
        _audit(uow, command.by, "acknowledge_alert", "alert", alert.id, alert.person_id,
               command.at, take_over=command.take_over)
        uow.commit()
        return alert


def resolve_alert(command: c.ResolveAlert, uow: UnitOfWork) -> Alert:
    with uow:
        alert = _alert(uow, command.alert_id)
        alert.resolve(outcome=command.outcome, by=command.by.id, at=command.at,
                      note=command.note, take_over=command.take_over)
        _audit(uow, command.by, "resolve_alert", "alert", alert.id, alert.person_id,
               command.at, outcome=command.outcome.value)
        uow.commit()
        return alert


def add_alert_note(command: c.AddAlertNote, uow: UnitOfWork) -> Alert:
    with uow:
        alert = _alert(uow, command.alert_id)
        alert.add_note(text=command.text, by=command.by.id, at=command.at)
        _audit(uow, command.by, "add_alert_note", "alert", alert.id, alert.person_id,
               command.at)
        uow.commit()
        return alert


def reopen_alert(command: c.ReopenAlert, uow: UnitOfWork) -> Alert:
    with uow:
        alert = _alert(uow, command.alert_id)
        newer = uow.alerts.open_for_key(alert.key)
        if newer is not None and newer.id != alert.id:
            raise AlertChangeRefused(
                f"alert {alert.id} cannot be reopened: alert {newer.id} is open for the "
                "same cause; work that one")
        alert.reopen(reason=command.reason, by=command.by.id, at=command.at)
        _audit(uow, command.by, "reopen_alert", "alert", alert.id, alert.person_id,
               command.at, reason=command.reason)
        uow.commit()
        return alert


# --- audit ------------------------------------------------------------------


def record_view(command: c.RecordView, uow: UnitOfWork) -> None:
    with uow:
        uow.audit.add(AuditEntry(
            at=command.at, actor=command.by.id, role=command.by.role, action=VIEW,
            entity=command.entity, entity_id=command.entity_id, person_id=command.person_id,
            origin=command.by.origin, detail=dict(command.detail)))
        uow.commit()


def record_change(command: c.RecordChange, uow: UnitOfWork) -> None:
    with uow:
        uow.audit.add(AuditEntry(
            at=command.at, actor=command.by.id, role=command.by.role, action=command.action,
            entity=command.entity, entity_id=command.entity_id, person_id=command.person_id,
            origin=command.by.origin, detail=dict(command.detail)))
        uow.commit()


HANDLERS: dict[type[Any], Callable[[Any, UnitOfWork], Any]] = {
    c.RaiseAlert: raise_alert,
    c.ClearAlert: clear_alert,
    c.AcknowledgeAlert: acknowledge_alert,
    c.ResolveAlert: resolve_alert,
    c.AddAlertNote: add_alert_note,
    c.ReopenAlert: reopen_alert,
    c.RecordView: record_view,
    c.RecordChange: record_change,
}
