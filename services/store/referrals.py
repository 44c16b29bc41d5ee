"""Referrals in the store: created from flags, calls or by a handler, then moved on
through their statuses (suggested -> sent -> accepted | declined -> completed)."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

import contracts
from contracts.codes import ReferralStatus
from services.store.idempotency import claim
from services.store.models import ReferralRecord

log = logging.getLogger(__name__)

OPEN = (ReferralStatus.SUGGESTED, ReferralStatus.SENT, ReferralStatus.ACCEPTED)
STEPS = {
    ReferralStatus.SUGGESTED: {ReferralStatus.SENT, ReferralStatus.DECLINED},
    ReferralStatus.SENT: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED, ReferralStatus.DECLINED},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.COMPLETED: set(),
}


def open_referral(session: Session, person_id: str, target: str) -> ReferralRecord | None:
    return session.scalar(
        select(ReferralRecord).where(
            ReferralRecord.person_id == person_id, ReferralRecord.target == target,
            ReferralRecord.status.in_([s.value for s in OPEN]),
        ).limit(1)
    )


def apply_referral(session: Session, referral: contracts.Referral) -> bool:
    """Create a referral or move it on; False on a redelivery, on a suggestion the person
    already has open for the same service, or on a step backwards (logged)."""
    if not claim(session, "referrals", referral.event_id):
        return False
    record = session.get(ReferralRecord, referral.referral_id)
    if record is None:
        if open_referral(session, referral.person_id, referral.target.value) is not None:
            log.info("referral %s: one to %s is already open", referral.referral_id,
                     referral.target.value)
            return False
        session.add(ReferralRecord(
            id=referral.referral_id, person_id=referral.person_id,
            target=referral.target.value, status=referral.status.value,
            reason=referral.reason, origin=referral.origin, changed_by=referral.changed_by,
            created_at=referral.occurred_at, updated_at=referral.occurred_at,
        ))
        return True
    if referral.status not in STEPS[ReferralStatus(record.status)]:
        log.warning("referral %s: %s -> %s refused", record.id, record.status,
                    referral.status.value)
        return False
    record.status = referral.status.value
    record.changed_by = referral.changed_by
    return True
