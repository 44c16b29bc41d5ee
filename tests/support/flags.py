"""A falls flag and its suggested referral, written as the outcomes processor's sinks
write them: through the care record's handlers."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import flag_command, referral_command
from contracts.care import Flag, Referral
from contracts.codes import ReferralTarget
from contracts.envelope import utcnow
from tests.support.console import seed_person


def seed_flag(factory: sessionmaker[Session], name: str) -> tuple[str, uuid.UUID, uuid.UUID]:
    """(person id, flag id, referral id)."""
    person_id = seed_person(factory, display_name=name)
    flag_id, referral_id = uuid.uuid4(), uuid.uuid4()
    now = utcnow()
    assert handle(
        flag_command(
            Flag(
                person_id=person_id,
                occurred_at=now,
                source="streams.outcomes",
                flag_id=flag_id,
                evidence=(
                    "welfare call: fell in the last few days",
                    "unable to get up after a fall",
                ),
                recommended_referral=ReferralTarget.FALLS_TEAM,
            )
        ),
        SqlAlchemyUnitOfWork(factory),
    )
    assert handle(
        referral_command(
            Referral(
                person_id=person_id,
                occurred_at=now,
                source="streams.outcomes",
                referral_id=referral_id,
                target=ReferralTarget.FALLS_TEAM,
                reason="a fall with injury, told at the welfare call",
                origin="flag",
            )
        ),
        SqlAlchemyUnitOfWork(factory),
    )
    return person_id, flag_id, referral_id
