"""The unit of work over the store (SQLite or PostgreSQL): loads care records as domain
objects, writes them back, with their history, in one transaction on commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from care.domain.alerts import Alert, AlertChange
from care.domain.audit import AuditEntry
from care.domain.flags import IN_FORCE, Flag, FlagChange, facts
from care.domain.needs import NeedChange, NeedListEntry
from care.domain.referrals import OPEN as OPEN_REFERRALS
from care.domain.referrals import Referral, ReferralChange
from care.errors import NotFound
from care.unit_of_work import (
    AlertRepository,
    AuditLog,
    FlagRepository,
    NeedRepository,
    PeopleRepository,
    ReferralRepository,
    UnitOfWork,
)
from contracts.codes import (
    AlertOutcome,
    AlertPriority,
    AlertQueue,
    AlertStatus,
    FlagStatus,
    NeedStatus,
    ReferralStatus,
    ReferralTarget,
)
from services.store.idempotency import claim
from services.store.models import (
    AlertHistory,
    AlertRecord,
    AuditRecord,
    FlagHistory,
    FlagRecord,
    Person,
    ReferralHistory,
    ReferralRecord,
    UnmetNeed,
    UnmetNeedHistory,
)


def _alert(row: AlertRecord) -> Alert:
    return Alert(
        id=row.id,
        person_id=row.person_id,
        key=row.alert_key,
        kind=row.kind,
        priority=AlertPriority(row.priority),
        queue=AlertQueue(row.queue),
        summary=row.summary,
        raised_at=row.raised_at,
        evidence=list(row.evidence),
        status=AlertStatus(row.status),
        occurrences=row.occurrences,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
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
        return self._track(
            self._session.scalar(
                select(AlertRecord).where(
                    AlertRecord.alert_key == key, AlertRecord.status != AlertStatus.CLOSED.value
                )
            )
        )

    def open_for_person(self, person_id: str, kind: str) -> list[Alert]:
        rows = self._session.scalars(
            select(AlertRecord).where(
                AlertRecord.person_id == person_id,
                AlertRecord.kind == kind,
                AlertRecord.status != AlertStatus.CLOSED.value,
            )
        )
        return [alert for row in rows if (alert := self._track(row)) is not None]

    def add(self, alert: Alert) -> None:
        row = AlertRecord(id=alert.id)
        _write_alert(alert, row)  # complete before any autoflush
        self._session.add(row)
        self._seen[alert.id] = (alert, row)

    def history(self, alert_id: uuid.UUID) -> list[AlertChange]:
        rows = self._session.scalars(
            select(AlertHistory).where(AlertHistory.alert_id == alert_id).order_by(AlertHistory.id)
        )
        return [
            AlertChange(r.action, r.changed_by, r.changed_at, r.note, dict(r.detail)) for r in rows
        ]

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
                AlertHistory(
                    alert_id=alert.id,
                    action=change.action,
                    changed_by=change.by,
                    changed_at=change.at,
                    note=change.note,
                    detail=dict(change.detail),
                )
                for change in alert.changes
            )
            alert.changes.clear()


def _flag(row: FlagRecord) -> Flag:
    keys = row.evidence_keys if len(row.evidence_keys) == len(row.evidence) else row.evidence
    return Flag(
        id=row.id,
        person_id=row.person_id,
        code=row.code,
        status=FlagStatus(row.status),
        raised_at=row.raised_at,
        evidence=facts(row.evidence, keys),
        recommended_referral=ReferralTarget(row.recommended_referral)
        if row.recommended_referral
        else None,
    )


def _write_flag(flag: Flag, row: FlagRecord) -> None:
    row.person_id, row.code, row.raised_at = flag.person_id, flag.code, flag.raised_at
    row.status = flag.status.value
    row.evidence = [fact.text for fact in flag.evidence]
    row.evidence_keys = [fact.key for fact in flag.evidence]
    row.recommended_referral = (
        flag.recommended_referral.value if flag.recommended_referral else None
    )


class SqlAlchemyFlags(FlagRepository):
    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[uuid.UUID, tuple[Flag, FlagRecord]] = {}

    def get(self, flag_id: uuid.UUID) -> Flag | None:
        return self._track(self._session.get(FlagRecord, flag_id))

    def in_force(self, person_id: str, code: str) -> Flag | None:
        return self._track(
            self._session.scalar(
                select(FlagRecord)
                .where(
                    FlagRecord.person_id == person_id,
                    FlagRecord.code == code,
                    FlagRecord.status.in_([s.value for s in IN_FORCE]),
                )
                .order_by(FlagRecord.raised_at.desc())
                .limit(1)
            )
        )

    def add(self, flag: Flag) -> None:
        row = FlagRecord(id=flag.id)
        _write_flag(flag, row)  # complete before any autoflush
        self._session.add(row)
        self._seen[flag.id] = (flag, row)

    def history(self, flag_id: uuid.UUID) -> list[FlagChange]:
        rows = self._session.scalars(
            select(FlagHistory).where(FlagHistory.flag_id == flag_id).order_by(FlagHistory.id)
        )
        return [
            FlagChange(
                FlagStatus(r.status),
                tuple(r.evidence),
                r.changed_by,
                r.changed_at,
                r.reason,
            )
            for r in rows
        ]

    def _track(self, row: FlagRecord | None) -> Flag | None:
        if row is None:
            return None
        if row.id not in self._seen:
            self._seen[row.id] = (_flag(row), row)
        return self._seen[row.id][0]

    def write(self) -> None:
        for flag, row in self._seen.values():
            _write_flag(flag, row)
        self._session.flush()
        for flag, _ in self._seen.values():
            self._session.add_all(
                FlagHistory(
                    flag_id=flag.id,
                    status=change.status.value,
                    evidence=list(change.evidence),
                    changed_by=change.by,
                    reason=change.reason,
                    changed_at=change.at,
                )
                for change in flag.changes
            )
            flag.changes.clear()


def _referral(row: ReferralRecord) -> Referral:
    return Referral(
        id=row.id,
        person_id=row.person_id,
        target=ReferralTarget(row.target),
        status=ReferralStatus(row.status),
        reason=row.reason,
        origin=row.origin,
        created_at=row.created_at,
        changed_by=row.changed_by,
        updated_at=row.updated_at,
    )


def _write_referral(referral: Referral, row: ReferralRecord) -> None:
    row.person_id, row.target = referral.person_id, referral.target.value
    row.status, row.reason = referral.status.value, referral.reason
    row.origin, row.changed_by = referral.origin, referral.changed_by
    row.created_at, row.updated_at = referral.created_at, referral.updated_at


class SqlAlchemyReferrals(ReferralRepository):
    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[uuid.UUID, tuple[Referral, ReferralRecord]] = {}

    def get(self, referral_id: uuid.UUID) -> Referral | None:
        return self._track(self._session.get(ReferralRecord, referral_id))

    def open_for(self, person_id: str, target: ReferralTarget) -> Referral | None:
        return self._track(
            self._session.scalar(
                select(ReferralRecord)
                .where(
                    ReferralRecord.person_id == person_id,
                    ReferralRecord.target == target.value,
                    ReferralRecord.status.in_([s.value for s in OPEN_REFERRALS]),
                )
                .limit(1)
            )
        )

    def add(self, referral: Referral) -> None:
        row = ReferralRecord(id=referral.id)
        _write_referral(referral, row)  # complete before any autoflush
        self._session.add(row)
        self._seen[referral.id] = (referral, row)

    def history(self, referral_id: uuid.UUID) -> list[ReferralChange]:
        rows = self._session.scalars(
            select(ReferralHistory)
            .where(ReferralHistory.referral_id == referral_id)
            .order_by(ReferralHistory.id)
        )
        return [
            ReferralChange(ReferralStatus(r.status), r.changed_by, r.changed_at, r.reason)
            for r in rows
        ]

    def _track(self, row: ReferralRecord | None) -> Referral | None:
        if row is None:
            return None
        if row.id not in self._seen:
            self._seen[row.id] = (_referral(row), row)
        return self._seen[row.id][0]

    def write(self) -> None:
        for referral, row in self._seen.values():
            _write_referral(referral, row)
        self._session.flush()
        for referral, _ in self._seen.values():
            self._session.add_all(
                ReferralHistory(
                    referral_id=referral.id,
                    status=change.status.value,
                    changed_by=change.by,
                    changed_at=change.at,
                    reason=change.reason,
                )
                for change in referral.changes
            )
            referral.changes.clear()


NEED_FIELDS = (
    "need_level",
    "hours_per_week",
    "waiting_at",
    "assessed_on",
    "waiting_since",
    "last_checked_at",
    "active",
)


def _need(row: UnmetNeed) -> NeedListEntry:
    return NeedListEntry(
        id=row.id,
        person_id=row.person_id,
        status=NeedStatus(row.status),
        last_answers=dict(row.last_answers),
        **{name: getattr(row, name) for name in NEED_FIELDS},
    )


def _write_need(entry: NeedListEntry, row: UnmetNeed) -> None:
    for name in NEED_FIELDS:
        setattr(row, name, getattr(entry, name))
    row.status, row.last_answers = entry.status.value, dict(entry.last_answers)


class SqlAlchemyNeeds(NeedRepository):
    def __init__(self, session: Session) -> None:
        self._session = session
        self._seen: dict[str, tuple[NeedListEntry, UnmetNeed]] = {}

    def for_person(self, person_id: str) -> NeedListEntry | None:
        return self.for_people([person_id]).get(person_id)

    def for_people(self, person_ids: Collection[str]) -> dict[str, NeedListEntry]:
        wanted = set(person_ids) - set(self._seen)
        if wanted:
            for row in self._session.scalars(
                select(UnmetNeed).where(UnmetNeed.person_id.in_(wanted))
            ):
                self._seen[row.person_id] = (_need(row), row)
        return {p: self._seen[p][0] for p in person_ids if p in self._seen}

    def add(self, entry: NeedListEntry) -> None:
        row = UnmetNeed(person_id=entry.person_id)
        _write_need(entry, row)  # complete before any autoflush
        self._session.add(row)
        self._seen[entry.person_id] = (entry, row)

    def history(self, person_id: str) -> list[NeedChange]:
        rows = self._session.scalars(
            select(UnmetNeedHistory)
            .join(UnmetNeed, UnmetNeed.id == UnmetNeedHistory.need_id)
            .where(UnmetNeed.person_id == person_id)
            .order_by(UnmetNeedHistory.id)
        )
        return [NeedChange(dict(r.changes), r.changed_by, r.changed_at, r.reason) for r in rows]

    def write(self) -> None:
        for entry, row in self._seen.values():
            _write_need(entry, row)
        self._session.flush()  # new entries get their ids
        for entry, row in self._seen.values():
            entry.id = row.id
            self._session.add_all(
                UnmetNeedHistory(
                    need_id=row.id,
                    changes=change.changes,
                    changed_by=change.by,
                    reason=change.reason,
                    **({"changed_at": change.at} if change.at else {}),
                )
                for change in entry.changes
            )
            entry.changes.clear()


class SqlAlchemyPeople(PeopleRepository):
    def __init__(self, session: Session) -> None:
        self._session = session

    def known(self, person_ids: Collection[str]) -> set[str]:
        return set(self._session.scalars(select(Person.id).where(Person.id.in_(person_ids))))

    def away_until(self, person_id: str) -> datetime | None:
        return self._person(person_id).away_until

    def set_away_until(self, person_id: str, until: datetime | None) -> None:
        self._person(person_id).away_until = until

    def _person(self, person_id: str) -> Person:
        person = self._session.get(Person, person_id)
        if person is None:
            raise NotFound(f"no person {person_id}")
        return person


class SqlAlchemyAuditLog(AuditLog):
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, entry: AuditEntry) -> None:
        self._session.add(
            AuditRecord(
                at=entry.at,
                actor=entry.actor,
                role=entry.role,
                action=entry.action,
                entity=entry.entity,
                entity_id=entry.entity_id,
                person_id=entry.person_id,
                origin=entry.origin,
                detail=dict(entry.detail),
            )
        )

    def entries(self, person_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        query = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(limit)
        if person_id is not None:
            query = query.where(AuditRecord.person_id == person_id)
        return [
            AuditEntry(
                at=r.at,
                actor=r.actor,
                role=r.role,
                action=r.action,
                entity=r.entity,
                entity_id=r.entity_id,
                person_id=r.person_id,
                origin=r.origin,
                detail=dict(r.detail),
            )
            for r in self._session.scalars(query)
        ]


class SqlAlchemyUnitOfWork(UnitOfWork):
    """One session per `with`: `SqlAlchemyUnitOfWork(session_factory)`; the same object
    can be used for one command after another."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._session: Session | None = None

    def __enter__(self) -> Self:
        self._session = self._factory()
        self._alerts = SqlAlchemyAlerts(self._session)
        self._flags = SqlAlchemyFlags(self._session)
        self._referrals = SqlAlchemyReferrals(self._session)
        self._needs = SqlAlchemyNeeds(self._session)
        self.alerts, self.flags = self._alerts, self._flags
        self.referrals, self.needs = self._referrals, self._needs
        self.people = SqlAlchemyPeople(self._session)
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
        for repository in (self._alerts, self._flags, self._referrals, self._needs):
            repository.write()
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()
