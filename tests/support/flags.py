"""A falls flag and its suggested referral, written as the outcomes processor's sinks
write them."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from contracts.care import Flag, Referral
from contracts.codes import QualitativeRisk, ReferralTarget
from contracts.envelope import utcnow
from services.store.db import transaction
from services.store.flags import apply_flag
from services.store.referrals import apply_referral
from tests.support.console import seed_person


def seed_flag(factory: sessionmaker[Session], name: str) -> tuple[str, uuid.UUID, uuid.UUID]:
    """(person id, flag id, referral id)."""
    person_id = seed_person(factory, display_name=name)
    flag_id, referral_id = uuid.uuid4(), uuid.uuid4()
    now = utcnow()
    with transaction(factory) as session:
        assert apply_flag(session, Flag(
            person_id=person_id, occurred_at=now, source="streams.outcomes", flag_id=flag_id,
            risk=QualitativeRisk.HIGH,
            evidence=("welfare call: fell in the last few days", "unable to get up after a fall"),
            recommended_referral=ReferralTarget.FALLS_TEAM))
        assert apply_referral(session, Referral(
            person_id=person_id, occurred_at=now, source="streams.outcomes",
            referral_id=referral_id, target=ReferralTarget.FALLS_TEAM,
            reason="high falls risk at the welfare call", origin="flag"))
    return person_id, flag_id, referral_id
