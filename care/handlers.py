"""One handler per command: load through the unit of work, apply one rule of the
domain, audit what a person changed, commit. The registry is at the bottom; callers go
through `care.handle`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from care import commands as c
from care.domain.alerts import Alert
from care.domain.audit import VIEW, AuditEntry
from care.domain.away import check_away_until
from care.domain.flags import IN_FORCE, Flag
from care.domain.needs import CRISIS_KEPT, NeedListEntry
from care.domain.reasons import require
from care.domain.referrals import Referral
from care.errors import AlertChangeRefused, NotFound
from care.unit_of_work import UnitOfWork
from contracts.codes import AlertKind, FlagStatus, NeedStatus
from contracts.envelope import deterministic_id
from services.needs.csvfile import RowError

# Consumer names in the idempotency ledger (kept from the store's sinks, so messages
# claimed before the care record existed stay claimed).
ALERTS_CONSUMER = "alerts"
FLAGS_CONSUMER = "flags"
REFERRALS_CONSUMER = "referrals"
NEEDS_CONSUMER = "needs"

log = logging.getLogger(__name__)


def _new_id(event_id: uuid.UUID | None, kind: str) -> uuid.UUID:
    """A new record's id: derived from the message's id when there is one, so a replay
    after a failure makes the same record."""
    return deterministic_id("care", event_id, kind) if event_id else uuid.uuid4()


def _audit(
    uow: UnitOfWork,
    by: c.Actor,
    action: str,
    entity: str,
    entity_id: object,
    person_id: str | None,
    at: Any,
    always: bool = False,
    **detail: Any,
) -> None:
    """Changes made by people go into the audit trail; the platform's own changes are in
    each record's history already."""
    if by.is_person or always:
        uow.audit.add(
            AuditEntry(
                at=at,
                actor=by.id,
                role=by.role,
                action=action,
                entity=entity,
                entity_id=str(entity_id) if entity_id else None,
                person_id=person_id,
                origin=by.origin,
                detail=detail,
            )
        )


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
                id=command.event_id or uuid.uuid4(),
                person_id=command.person_id,
                key=command.key,
                kind=command.kind,
                priority=command.priority,
                queue=command.queue,
                summary=command.summary,
                evidence=command.evidence,
                at=command.at,
                by=command.by.id,
            )
            uow.alerts.add(alert)
        else:
            alert.merge(
                priority=command.priority,
                summary=command.summary,
                evidence=command.evidence,
                at=command.at,
                by=command.by.id,
                repeat=command.repeat,
            )
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
        _audit(
            uow,
            command.by,
            "acknowledge_alert",
            "alert",
            alert.id,
            alert.person_id,
            command.at,
            take_over=command.take_over,
        )
        uow.commit()
        return alert


def resolve_alert(command: c.ResolveAlert, uow: UnitOfWork) -> Alert:
    with uow:
        alert = _alert(uow, command.alert_id)
        alert.resolve(
            outcome=command.outcome,
            by=command.by.id,
            at=command.at,
            note=command.note,
            take_over=command.take_over,
        )
        _audit(
            uow,
            command.by,
            "resolve_alert",
            "alert",
            alert.id,
            alert.person_id,
            command.at,
            outcome=command.outcome.value,
        )
        uow.commit()
        return alert


def add_alert_note(command: c.AddAlertNote, uow: UnitOfWork) -> Alert:
    with uow:
        alert = _alert(uow, command.alert_id)
        alert.add_note(text=command.text, by=command.by.id, at=command.at)
        _audit(uow, command.by, "add_alert_note", "alert", alert.id, alert.person_id, command.at)
        uow.commit()
        return alert


def reopen_alert(command: c.ReopenAlert, uow: UnitOfWork) -> Alert:
    with uow:
        alert = _alert(uow, command.alert_id)
        newer = uow.alerts.open_for_key(alert.key)
        if newer is not None and newer.id != alert.id:
            raise AlertChangeRefused(
                f"alert {alert.id} cannot be reopened: alert {newer.id} is open for the "
                "same cause; work that one"
            )
        alert.reopen(reason=command.reason, by=command.by.id, at=command.at)
        _audit(
            uow,
            command.by,
            "reopen_alert",
            "alert",
            alert.id,
            alert.person_id,
            command.at,
            reason=command.reason,
        )
        uow.commit()
        return alert


# --- flags ------------------------------------------------------------------


def raise_flag(command: c.RaiseFlag, uow: UnitOfWork) -> Flag | None:
    """New facts join the flag in force for the person and code; without one (or when
    the flag named is closed) they raise a new flag. None for a redelivered message."""
    with uow:
        if command.event_id is not None and not uow.claim(FLAGS_CONSUMER, command.event_id):
            return None
        named = uow.flags.get(command.flag_id)
        flag = named
        if (flag is None or not flag.in_force) and command.status in IN_FORCE:
            flag = uow.flags.in_force(command.person_id, command.code)
        if flag is None:
            flag = Flag.raised(
                id=command.flag_id if named is None else _new_id(command.event_id, "flag"),
                person_id=command.person_id,
                code=command.code,
                status=command.status,
                evidence=command.evidence,
                referral=command.recommended_referral,
                by=command.by.id,
                at=command.at,
                reason=command.reason,
            )
            uow.flags.add(flag)
        else:
            flag.add_facts(
                evidence=command.evidence,
                referral=command.recommended_referral,
                status=command.status,
                by=command.by.id,
                at=command.at,
                reason=command.reason,
            )
        _audit(uow, command.by, "raise_flag", "flag", flag.id, flag.person_id, command.at)
        uow.commit()
        return flag


def _decide_flag(
    command: c.ReviewFlag | c.ResolveFlag | c.MarkFlagEnteredInError,
    status: FlagStatus,
    uow: UnitOfWork,
) -> Flag:
    with uow:
        flag = uow.flags.get(command.flag_id)
        if flag is None:
            raise NotFound(f"no flag {command.flag_id}")
        flag.decide(status=status, by=command.by.id, at=command.at, reason=command.reason)
        _audit(
            uow,
            command.by,
            f"flag_{status.value}",
            "flag",
            flag.id,
            flag.person_id,
            command.at,
            reason=command.reason,
        )
        uow.commit()
        return flag


def review_flag(command: c.ReviewFlag, uow: UnitOfWork) -> Flag:
    return _decide_flag(command, FlagStatus.REVIEWED, uow)


def resolve_flag(command: c.ResolveFlag, uow: UnitOfWork) -> Flag:
    return _decide_flag(command, FlagStatus.RESOLVED, uow)


def mark_flag_entered_in_error(command: c.MarkFlagEnteredInError, uow: UnitOfWork) -> Flag:
    return _decide_flag(command, FlagStatus.ENTERED_IN_ERROR, uow)


# --- referrals --------------------------------------------------------------


def suggest_referral(command: c.SuggestReferral, uow: UnitOfWork) -> Referral | None:
    """A new referral; None for a redelivery or when one to the same service is open.
    A message naming a referral the record holds moves it on instead."""
    with uow:
        if command.event_id is not None and not uow.claim(REFERRALS_CONSUMER, command.event_id):
            return None
        referral = uow.referrals.get(command.referral_id)
        if referral is not None:
            referral.move(status=command.status, by=command.by.id, at=command.at, reason=None)
        elif uow.referrals.open_for(command.person_id, command.target) is not None:
            log.info(
                "referral %s: one to %s is already open", command.referral_id, command.target.value
            )
            return None
        elif command.by.is_person and not uow.people.known([command.person_id]):
            # Referrals name no person row, so a mistyped id (console, CLI) would make an
            # orphan nobody sees: a new one from staff must name someone the record holds.
            raise NotFound(f"no person {command.person_id}")
        else:
            referral = Referral.suggested(
                id=command.referral_id,
                person_id=command.person_id,
                target=command.target,
                status=command.status,
                reason=command.reason,
                origin=command.origin,
                by=command.by.id,
                at=command.at,
            )
            uow.referrals.add(referral)
        _audit(
            uow,
            command.by,
            "suggest_referral",
            "referral",
            referral.id,
            referral.person_id,
            command.at,
            status=referral.status.value,
        )
        uow.commit()
        return referral


def move_referral(command: c.MoveReferral, uow: UnitOfWork) -> Referral | None:
    with uow:
        if command.event_id is not None and not uow.claim(REFERRALS_CONSUMER, command.event_id):
            return None
        referral = uow.referrals.get(command.referral_id)
        if referral is None:
            raise NotFound(f"no referral {command.referral_id}")
        referral.move(status=command.status, by=command.by.id, at=command.at, reason=command.reason)
        _audit(
            uow,
            command.by,
            "move_referral",
            "referral",
            referral.id,
            referral.person_id,
            command.at,
            status=command.status.value,
            reason=command.reason,
        )
        uow.commit()
        return referral


# --- the unmet-need list ----------------------------------------------------


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def update_need(command: c.UpdateNeed, uow: UnitOfWork) -> NeedListEntry | None:
    """None for a redelivery or a person not on the list (logged)."""
    with uow:
        if command.event_id is not None and not uow.claim(NEEDS_CONSUMER, command.event_id):
            return None
        entry = uow.needs.for_person(command.person_id)
        if entry is None:
            log.info(
                "need update %s: %s is not on the unmet-need list",
                command.event_id,
                command.person_id,
            )
            return None
        values: dict[str, Any] = {
            name: value
            for name, value in (
                ("need_level", command.need_level),
                ("hours_per_week", command.hours_per_week),
                ("waiting_at", command.waiting_at),
            )
            if value is not None
        }
        values = {k: getattr(v, "value", v) for k, v in values.items()}
        crisis_open = bool(uow.alerts.open_for_person(command.person_id, AlertKind.IN_CRISIS.value))
        reason = command.reason
        if command.checked_at is not None:
            entry.apply_call(
                status=command.status,
                answers=command.answers,
                checked_at=command.checked_at,
                values=values,
                crisis_alert_open=crisis_open,
                by=command.by.id,
                at=command.at,
                reason=reason,
            )
        else:
            if command.status is not None:
                if not command.by.is_person and entry.crisis_stands(command.status, crisis_open):
                    reason = f"{reason}; {CRISIS_KEPT}" if reason else CRISIS_KEPT
                else:
                    values["status"] = command.status
            entry.change(values, by=command.by.id, at=command.at, reason=reason)
        _audit(uow, command.by, "update_need", "unmet_need", entry.id, entry.person_id, command.at)
        uow.commit()
        return entry


def change_need_status(command: c.ChangeNeedStatus, uow: UnitOfWork) -> NeedListEntry:
    with uow:
        why = require(command.reason, "a reason")
        entry = uow.needs.for_person(command.person_id)
        if entry is None:
            raise NotFound(f"{command.person_id} is not on the unmet-need list")
        entry.change({"status": command.status}, by=command.by.id, at=command.at, reason=why)
        _audit(
            uow,
            command.by,
            "change_need_status",
            "unmet_need",
            entry.id,
            entry.person_id,
            command.at,
            status=command.status.value,
            reason=why,
        )
        uow.commit()
        return entry


IMPORTED_FIELDS = ("need_level", "hours_per_week", "waiting_at", "assessed_on", "waiting_since")


def import_needs(command: c.ImportNeeds, uow: UnitOfWork) -> ImportResult:
    """Add or update one entry per row; a row whose values the record already holds
    changes nothing, so importing the same file twice is harmless. Rows for people the
    record does not know are errors."""
    result = ImportResult(errors=list(command.parse_errors))
    with uow:
        ids = [row.person_id for _, row in command.rows]
        known = uow.people.known(ids)
        current = uow.needs.for_people(ids)
        result.errors += [
            RowError(line, "person_id is not a known service user")
            for line, row in command.rows
            if row.person_id not in known
        ]
        result.errors.sort(key=lambda e: e.line)
        if command.all_or_nothing and result.errors:
            return result
        for _, row in command.rows:
            if row.person_id not in known:
                continue
            values: dict[str, Any] = {name: getattr(row, name) for name in IMPORTED_FIELDS}
            values["need_level"], values["waiting_at"] = row.need_level.value, row.waiting_at.value
            if row.status is not NeedStatus.UNKNOWN:  # blank keeps the calls' status
                values["status"] = row.status
            entry = current.get(row.person_id)
            if entry is None:
                entry = NeedListEntry.imported(
                    row.person_id, values, by=command.by.id, at=command.at
                )
                uow.needs.add(entry)
                current[row.person_id] = entry
                result.added += 1
            elif entry.change(
                {**values, "active": True}, by=command.by.id, at=command.at, reason="imported"
            ):
                result.updated += 1
            else:
                result.unchanged += 1
        if result.added or result.updated:
            _audit(
                uow,
                command.by,
                "import_needs",
                "unmet_need",
                None,
                None,
                command.at,
                added=result.added,
                updated=result.updated,
            )
        uow.commit()
    return result


def close_need_entry(command: c.CloseNeedEntry, uow: UnitOfWork) -> bool:
    """False when the person has no entry still waiting."""
    with uow:
        why = require(command.reason, "a reason")
        entry = uow.needs.for_person(command.person_id)
        if entry is None or not entry.active:
            return False
        entry.change({"active": False}, by=command.by.id, at=command.at, reason=why)
        _audit(
            uow,
            command.by,
            "close_need_entry",
            "unmet_need",
            entry.id,
            entry.person_id,
            command.at,
            reason=why,
        )
        uow.commit()
        return True


# --- away mode --------------------------------------------------------------


def set_away_mode(command: c.SetAwayMode, uow: UnitOfWork) -> None:
    with uow:
        why = require(command.reason, "a reason")
        check_away_until(command.until, command.at)
        before = uow.people.away_until(command.person_id)
        uow.people.set_away_until(command.person_id, command.until)
        # Away mode has no history table: the audit trail is its history, whoever set it.
        _audit(
            uow,
            command.by,
            "set_away_mode",
            "person",
            command.person_id,
            command.person_id,
            command.at,
            always=True,
            reason=why,
            before=before.isoformat() if before else None,
            until=command.until.isoformat() if command.until else None,
        )
        uow.commit()


# --- audit ------------------------------------------------------------------


def record_view(command: c.RecordView, uow: UnitOfWork) -> None:
    with uow:
        uow.audit.add(
            AuditEntry(
                at=command.at,
                actor=command.by.id,
                role=command.by.role,
                action=VIEW,
                entity=command.entity,
                entity_id=command.entity_id,
                person_id=command.person_id,
                origin=command.by.origin,
                detail=dict(command.detail),
            )
        )
        uow.commit()


def record_change(command: c.RecordChange, uow: UnitOfWork) -> None:
    with uow:
        uow.audit.add(
            AuditEntry(
                at=command.at,
                actor=command.by.id,
                role=command.by.role,
                action=command.action,
                entity=command.entity,
                entity_id=command.entity_id,
                person_id=command.person_id,
                origin=command.by.origin,
                detail=dict(command.detail),
            )
        )
        uow.commit()


HANDLERS: dict[type[Any], Callable[[Any, UnitOfWork], Any]] = {
    c.RaiseAlert: raise_alert,
    c.ClearAlert: clear_alert,
    c.AcknowledgeAlert: acknowledge_alert,
    c.ResolveAlert: resolve_alert,
    c.AddAlertNote: add_alert_note,
    c.ReopenAlert: reopen_alert,
    c.RaiseFlag: raise_flag,
    c.ReviewFlag: review_flag,
    c.ResolveFlag: resolve_flag,
    c.MarkFlagEnteredInError: mark_flag_entered_in_error,
    c.SuggestReferral: suggest_referral,
    c.MoveReferral: move_referral,
    c.UpdateNeed: update_need,
    c.ChangeNeedStatus: change_need_status,
    c.ImportNeeds: import_needs,
    c.CloseNeedEntry: close_need_entry,
    c.SetAwayMode: set_away_mode,
    c.RecordView: record_view,
    c.RecordChange: record_change,
}
