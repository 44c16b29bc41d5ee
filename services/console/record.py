"""A person's record as the console shows it: every section read from the store in one
place (reads only; changes go through the care-record handlers)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.console.views import age_on
from services.store.models import (
    AlertRecord,
    Call,
    CallAnswer,
    Campaign,
    Contact,
    DeviceLoan,
    FlagRecord,
    HospitalStay,
    Person,
    PlannedCallRecord,
    ReferralRecord,
    SafeZoneRecord,
    UnmetNeed,
)
from services.telephony.consent import ConsentRecord
from services.telephony.consent import history as consent_history

RECENT = 20


@dataclass(frozen=True)
class CallWithAnswers:
    call: Call
    answers: list[CallAnswer]


@dataclass(frozen=True)
class PersonRecord:
    person: Person
    age: int | None
    contacts: list[Contact]
    loans: list[DeviceLoan]
    alerts: list[AlertRecord]
    flags: list[FlagRecord]
    calls: list[CallWithAnswers]
    need: UnmetNeed | None
    referrals: list[ReferralRecord]
    safe_zones: list[SafeZoneRecord]
    hospital_stays: list[HospitalStay]
    campaigns: list[Campaign]
    consents: list[ConsentRecord]


def person_record(session: Session, person_id: str, today: date) -> PersonRecord | None:
    person = session.get(Person, person_id)
    if person is None:
        return None
    calls = session.scalars(
        select(Call).where(Call.person_id == person_id).order_by(Call.due_at.desc()).limit(RECENT)
    ).all()
    answers: dict[object, list[CallAnswer]] = {}
    for answer in session.scalars(
        select(CallAnswer)
        .where(CallAnswer.call_id.in_([c.id for c in calls]))
        .order_by(CallAnswer.answered_at)
    ):
        answers.setdefault(answer.call_id, []).append(answer)
    campaign_ids = set(
        session.scalars(
            select(PlannedCallRecord.campaign_id)
            .where(PlannedCallRecord.person_id == person_id)
            .distinct()
        )
    ) | {c.campaign_id for c in calls}
    return PersonRecord(
        person=person,
        age=age_on(person.date_of_birth, today),
        contacts=list(
            session.scalars(
                select(Contact)
                .where(Contact.person_id == person_id)
                .order_by(Contact.call_order, Contact.id)
            )
        ),
        loans=list(
            session.scalars(
                select(DeviceLoan)
                .options(selectinload(DeviceLoan.device))
                .where(DeviceLoan.person_id == person_id, DeviceLoan.returned_at.is_(None))
                .order_by(DeviceLoan.loaned_at)
            )
        ),
        alerts=list(
            session.scalars(
                select(AlertRecord)
                .where(AlertRecord.person_id == person_id)
                .order_by(AlertRecord.raised_at.desc())
                .limit(RECENT)
            )
        ),
        flags=list(
            session.scalars(
                select(FlagRecord)
                .options(selectinload(FlagRecord.history))
                .where(FlagRecord.person_id == person_id)
                .order_by(FlagRecord.raised_at.desc())
            )
        ),
        calls=[CallWithAnswers(call, answers.get(call.id, [])) for call in calls],
        need=session.scalar(
            select(UnmetNeed)
            .options(selectinload(UnmetNeed.history))
            .where(UnmetNeed.person_id == person_id)
        ),
        referrals=list(
            session.scalars(
                select(ReferralRecord)
                .where(ReferralRecord.person_id == person_id)
                .order_by(ReferralRecord.created_at.desc())
            )
        ),
        safe_zones=list(
            session.scalars(
                select(SafeZoneRecord)
                .where(SafeZoneRecord.person_id == person_id)
                .order_by(SafeZoneRecord.id)
            )
        ),
        hospital_stays=list(
            session.scalars(
                select(HospitalStay)
                .where(HospitalStay.person_id == person_id)
                .order_by(HospitalStay.admitted_at.desc())
            )
        ),
        campaigns=list(
            session.scalars(
                select(Campaign)
                .where(Campaign.id.in_([c for c in campaign_ids if c]))
                .order_by(Campaign.name)
            )
        ),
        consents=consent_history(session, person_id),
    )
