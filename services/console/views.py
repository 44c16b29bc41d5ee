"""What the console's pages and API show, read from the store (reads only: every change
goes through the care-record handlers)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from contracts.codes import HANDLER_CALL_SCRIPT, AlertPriority, AlertQueue
from services.store.handler_calls import OUTCOME_QUESTION
from services.store.models import (
    AlertHistory,
    AlertRecord,
    Call,
    CallAnswer,
    Contact,
    FlagRecord,
    Person,
    UnmetNeed,
)

PRIORITY_RANK = case(
    {p.value: rank for rank, p in enumerate(AlertPriority)}, value=AlertRecord.priority, else_=99
)
OPEN_FLAG_STATUSES = ("active", "reviewed")


@dataclass(frozen=True)
class KeyFacts:
    """What a handler needs before picking up the phone."""

    person_id: str
    name: str | None
    age: int | None
    phone: str | None
    postcode: str | None
    lives_alone: bool
    keyholders: int
    open_flags: list[str] = field(default_factory=list)
    need_level: str | None = None


@dataclass(frozen=True)
class QueueRow:
    id: uuid.UUID
    kind: str
    priority: str
    queue: str
    status: str
    outcome: str | None
    summary: str
    evidence: list[Any]
    occurrences: int
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    person: KeyFacts


def age_on(born: date | None, today: date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def key_facts(session: Session, person_ids: set[str], today: date) -> dict[str, KeyFacts]:
    if not person_ids:
        return {}
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    keyholders: dict[str, int] = {
        person_id: count
        for person_id, count in session.execute(
            select(Contact.person_id, func.count())
            .where(Contact.person_id.in_(person_ids), Contact.is_keyholder)
            .group_by(Contact.person_id)
        )
    }
    flags: dict[str, list[str]] = {}
    for person_id, code in session.execute(
        select(FlagRecord.person_id, FlagRecord.code).where(
            FlagRecord.person_id.in_(person_ids), FlagRecord.status.in_(OPEN_FLAG_STATUSES)
        )
    ):
        flags.setdefault(person_id, []).append(code)
    needs: dict[str, str] = {
        person_id: level
        for person_id, level in session.execute(
            select(UnmetNeed.person_id, UnmetNeed.need_level).where(
                UnmetNeed.person_id.in_(person_ids), UnmetNeed.active
            )
        )
    }
    facts = {}
    for person_id in person_ids:
        person = people.get(person_id)
        facts[person_id] = KeyFacts(
            person_id=person_id,
            name=person.display_name if person else None,
            age=age_on(person.date_of_birth, today) if person else None,
            phone=person.phone if person else None,
            postcode=person.postcode if person else None,
            lives_alone=bool(person and person.lives_alone),
            keyholders=keyholders.get(person_id, 0),
            open_flags=sorted(flags.get(person_id, [])),
            need_level=needs.get(person_id),
        )
    return facts


def queue(session: Session, queues: tuple[AlertQueue, ...], today: date) -> list[QueueRow]:
    """Open alerts of these queues, most urgent first, then oldest first."""
    if not queues:
        return []
    alerts = session.scalars(
        select(AlertRecord)
        .where(AlertRecord.status != "closed", AlertRecord.queue.in_([q.value for q in queues]))
        .order_by(PRIORITY_RANK, AlertRecord.raised_at, AlertRecord.id)
    ).all()
    facts = key_facts(session, {a.person_id for a in alerts}, today)
    return [row(alert, facts[alert.person_id]) for alert in alerts]


def row(alert: AlertRecord, facts: KeyFacts) -> QueueRow:
    return QueueRow(
        id=alert.id,
        kind=alert.kind,
        priority=alert.priority,
        queue=alert.queue,
        status=alert.status,
        outcome=alert.outcome,
        summary=alert.summary,
        evidence=list(alert.evidence),
        occurrences=alert.occurrences,
        raised_at=alert.raised_at,
        acknowledged_at=alert.acknowledged_at,
        acknowledged_by=alert.acknowledged_by,
        person=facts,
    )


def find_people(session: Session, query: str, today: date, limit: int = 50) -> list[KeyFacts]:
    """People whose name, id or postcode matches `query` (all people, by name, if empty)."""
    statement = select(Person.id).order_by(Person.display_name, Person.id).limit(limit)
    if query := query.strip():
        pattern = f"%{query}%"
        statement = statement.where(
            Person.display_name.ilike(pattern)
            | Person.id.ilike(pattern)
            | Person.postcode.ilike(pattern)
        )
    ids = list(session.scalars(statement))
    facts = key_facts(session, set(ids), today)
    return [facts[person_id] for person_id in ids]


def queue_row(session: Session, alert_id: uuid.UUID, today: date) -> QueueRow | None:
    alert = session.get(AlertRecord, alert_id)
    if alert is None:
        return None
    return row(alert, key_facts(session, {alert.person_id}, today)[alert.person_id])


@dataclass(frozen=True)
class HandlerCall:
    reason: str
    due_at: datetime
    outcome: str


@dataclass(frozen=True)
class AlertDetail:
    row: QueueRow
    history: list[AlertHistory]
    phone: str | None
    contacts: list[Contact]
    closed_by: str | None
    close_reason: str | None
    calls: list[HandlerCall]


def alert_detail(session: Session, alert_id: uuid.UUID, today: date) -> AlertDetail | None:
    """An alert with its history and who to call: the person, then their contacts in
    their call order (keyholders and responders marked)."""
    alert = session.get(AlertRecord, alert_id)
    if alert is None:
        return None
    facts = key_facts(session, {alert.person_id}, today)[alert.person_id]
    contacts = session.scalars(
        select(Contact)
        .where(Contact.person_id == alert.person_id)
        .order_by(Contact.call_order, Contact.id)
    ).all()
    calls = [
        HandlerCall(reason, due_at, outcome)
        for reason, due_at, outcome in session.execute(
            select(Call.reason, Call.due_at, CallAnswer.value)
            .join(CallAnswer, CallAnswer.call_id == Call.id)
            .where(
                Call.person_id == alert.person_id,
                Call.script == HANDLER_CALL_SCRIPT,
                Call.due_at >= alert.raised_at,
                CallAnswer.question_id == OUTCOME_QUESTION,
            )
            .order_by(Call.due_at)
        )
    ]
    return AlertDetail(
        row=row(alert, facts),
        history=list(alert.history),
        phone=facts.phone,
        contacts=list(contacts),
        closed_by=alert.closed_by,
        close_reason=alert.close_reason,
        calls=calls,
    )
