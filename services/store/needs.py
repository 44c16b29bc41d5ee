"""The unmet-need list in the store: read it for triage and figures, import a council's
list, apply need updates from calls and handlers; every change leaves a history row
saying who changed which field from what to what."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import contracts
from contracts.codes import SNOMED_AT_RISK_OF_FALLS, NeedStatus
from services.flags.lifecycle import IN_FORCE
from services.needs.csvfile import RowError, read_rows
from services.needs.entries import NeedEntry, NeedRow
from services.store.idempotency import claim
from services.store.models import FlagRecord, Person, UnmetNeed, UnmetNeedHistory

log = logging.getLogger(__name__)

ROW_FIELDS = ("need_level", "hours_per_week", "waiting_at", "assessed_on", "waiting_since")


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _json(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return getattr(value, "value", value)


def _set(record: UnmetNeed, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Assign the values that differ; returns them as field -> [old, new] for history."""
    changes: dict[str, list[Any]] = {}
    for name, new in values.items():
        old = getattr(record, name)
        if _json(old) != _json(new):
            changes[name] = [_json(old), _json(new)]
            setattr(record, name, new)
    return changes


def _record_history(session: Session, record: UnmetNeed, changes: dict[str, list[Any]],
                    by: str, reason: str | None, at: datetime | None = None) -> None:
    session.flush()
    session.add(UnmetNeedHistory(need_id=record.id, changes=changes, changed_by=by,
                                 reason=reason, **({"changed_at": at} if at else {})))


def import_rows(
    session: Session, rows: list[tuple[int, NeedRow]], parse_errors: list[RowError],
    changed_by: str, all_or_nothing: bool = False,
) -> ImportResult:
    """Add or update one entry per row; a row whose values the store already holds
    changes nothing, so importing the same file twice is harmless. Rows for people the
    store does not know are errors. With `all_or_nothing`, any error imports nothing."""
    result = ImportResult(errors=list(parse_errors))
    ids = [row.person_id for _, row in rows]
    known = set(session.scalars(select(Person.id).where(Person.id.in_(ids))))
    current = {n.person_id: n for n in session.scalars(
        select(UnmetNeed).where(UnmetNeed.person_id.in_(ids)))}
    result.errors += [RowError(line, "person_id is not a known service user")
                      for line, row in rows if row.person_id not in known]
    result.errors.sort(key=lambda e: e.line)
    if all_or_nothing and result.errors:
        return result
    for _, row in rows:
        if row.person_id not in known:
            continue
        values: dict[str, Any] = {name: getattr(row, name) for name in ROW_FIELDS}
        if row.status is not NeedStatus.UNKNOWN:  # a blank status keeps the calls' status
            values["status"] = row.status.value
        values["need_level"] = row.need_level.value
        values["waiting_at"] = row.waiting_at.value
        record = current.get(row.person_id)
        if record is None:
            record = UnmetNeed(person_id=row.person_id, status=NeedStatus.UNKNOWN.value,
                               active=True, last_answers={})
            session.add(record)
            _set(record, values)
            _record_history(session, record, {k: [None, _json(v)] for k, v in values.items()},
                            changed_by, "imported")
            result.added += 1
            continue
        changes = _set(record, {**values, "active": True})
        if changes:
            _record_history(session, record, changes, changed_by, "imported")
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def import_csv(
    session: Session, text: str, today: date, changed_by: str, all_or_nothing: bool = False
) -> ImportResult:
    rows, errors = read_rows(text, today)
    return import_rows(session, rows, errors, changed_by, all_or_nothing)


def apply_need_update(session: Session, update: contracts.NeedUpdate) -> bool:
    """Apply a change from a call or a handler to the person's entry; False on a
    redelivery, or when the person is not on the list (logged)."""
    if not claim(session, "needs", update.event_id):
        return False
    record = session.scalar(select(UnmetNeed).where(UnmetNeed.person_id == update.person_id))
    if record is None:
        log.info("need update %s: %s is not on the unmet-need list", update.event_id,
                 update.person_id)
        return False
    values: dict[str, Any] = {}
    if update.need_level is not None:
        values["need_level"] = update.need_level.value
    if update.hours_per_week is not None:
        values["hours_per_week"] = update.hours_per_week
    if update.waiting_at is not None:
        values["waiting_at"] = update.waiting_at.value
    # An older call's answers never overwrite a newer one's (replays, late retries).
    newer = (update.checked_at is not None and
             (record.last_checked_at is None or update.checked_at >= record.last_checked_at))
    if newer:
        values["last_checked_at"] = update.checked_at
        values["last_answers"] = dict(update.answers)
        if update.status is not None:
            values["status"] = update.status.value
    elif update.status is not None and update.checked_at is None:
        values["status"] = update.status.value  # a handler's own judgement
    changes = _set(record, values)
    if changes:
        _record_history(session, record, changes, update.changed_by, update.change_reason,
                        update.occurred_at)
    return bool(changes)


def close_entry(session: Session, person_id: str, by: str, reason: str, at: datetime) -> bool:
    """Care has started (or the person left the list): the entry stops waiting."""
    record = session.scalar(select(UnmetNeed).where(UnmetNeed.person_id == person_id))
    if record is None or not record.active:
        return False
    _record_history(session, record, _set(record, {"active": False}), by, reason, at)
    return True


def list_entries(session: Session, ended_since: date | None = None) -> list[NeedEntry]:
    """Entries still waiting, plus those that stopped waiting on or after `ended_since`
    (the weekly figures need last week's list)."""
    flagged = set(session.scalars(select(FlagRecord.person_id).where(
        FlagRecord.code == SNOMED_AT_RISK_OF_FALLS,
        FlagRecord.status.in_([s.value for s in IN_FORCE]))))
    rows = session.execute(
        select(UnmetNeed, Person.lives_alone).join(Person, Person.id == UnmetNeed.person_id)
    ).all()
    entries = []
    for need, lives_alone in rows:
        ended_on = None if need.active else _ended_on(need)
        if ended_on is not None and (ended_since is None or ended_on < ended_since):
            continue
        entries.append(NeedEntry(
            row=NeedRow(person_id=need.person_id, need_level=need.need_level,
                        hours_per_week=need.hours_per_week, waiting_at=need.waiting_at,
                        assessed_on=need.assessed_on, waiting_since=need.waiting_since,
                        status=need.status),
            lives_alone=lives_alone, falls_flag=need.person_id in flagged,
            last_checked_at=need.last_checked_at, ended_on=ended_on,
        ))
    return entries


def _ended_on(need: UnmetNeed) -> date:
    closes = [h.changed_at for h in need.history if h.changes.get("active") == [True, False]]
    return (closes[-1] if closes else need.updated_at).date()
