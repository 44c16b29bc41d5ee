"""The falls-flags worklist as the console shows it: flags in force with their evidence
and history, and each person's referrals with the steps each may take next."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.domain.flags import ALLOWED, IN_FORCE
from care.domain.referrals import STEPS
from contracts.codes import FlagStatus, ReferralStatus
from services.store.models import FlagHistory, FlagRecord, Person, ReferralRecord


@dataclass(frozen=True)
class ReferralView:
    id: uuid.UUID
    target: str
    status: str
    reason: str
    origin: str
    changed_by: str
    updated_at: datetime
    next_steps: list[str]


@dataclass(frozen=True)
class FlagView:
    id: uuid.UUID
    person_id: str
    name: str | None
    status: str
    evidence: list[str]
    recommended_referral: str | None
    raised_at: datetime
    updated_at: datetime
    history: list[tuple[datetime, str, str, str | None]]  # at, status, by, reason
    referrals: list[ReferralView]
    next_statuses: list[str]


def referral_view(record: ReferralRecord) -> ReferralView:
    return ReferralView(
        id=record.id,
        target=record.target,
        status=record.status,
        reason=record.reason,
        origin=record.origin,
        changed_by=record.changed_by,
        updated_at=record.updated_at,
        next_steps=[s.value for s in ReferralStatus if s in STEPS[ReferralStatus(record.status)]],
    )


def open_flags(session: Session, limit: int = 200) -> list[FlagView]:
    """Flags in force, the newest evidence first (an active flag nobody has reviewed
    before a reviewed one)."""
    flags = session.scalars(
        select(FlagRecord)
        .where(FlagRecord.status.in_([s.value for s in IN_FORCE]))
        .order_by(
            (FlagRecord.status == FlagStatus.ACTIVE.value).desc(), FlagRecord.updated_at.desc()
        )
        .limit(limit)
    ).all()
    ids = {f.person_id for f in flags}
    names = {
        pid: name
        for pid, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(ids))
        )
    }
    referrals: dict[str, list[ReferralView]] = {}
    for record in session.scalars(
        select(ReferralRecord)
        .where(ReferralRecord.person_id.in_(ids))
        .order_by(ReferralRecord.created_at)
    ):
        referrals.setdefault(record.person_id, []).append(referral_view(record))
    history: dict[uuid.UUID, list[tuple[datetime, str, str, str | None]]] = {}
    for h in session.scalars(
        select(FlagHistory)
        .where(FlagHistory.flag_id.in_([f.id for f in flags]))
        .order_by(FlagHistory.id.desc())
    ):
        history.setdefault(h.flag_id, []).append((h.changed_at, h.status, h.changed_by, h.reason))
    return [
        FlagView(
            id=f.id,
            person_id=f.person_id,
            name=names.get(f.person_id),
            status=f.status,
            evidence=[str(e) for e in f.evidence],
            recommended_referral=f.recommended_referral,
            raised_at=f.raised_at,
            updated_at=f.updated_at,
            history=history.get(f.id, []),
            referrals=referrals.get(f.person_id, []),
            next_statuses=[
                s.value
                for s in FlagStatus
                if s in ALLOWED[FlagStatus(f.status)]
                and s.value != f.status
                and s is not FlagStatus.ACTIVE
            ],
        )
        for f in flags
    ]
