"""Falls flags and referrals in SQLite and PostgreSQL: raised once, merged, moved through
their lifecycle with who and why."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from contracts.care import Flag, Referral
from contracts.codes import FlagStatus, QualitativeRisk, ReferralStatus, ReferralTarget
from services.flags.lifecycle import FlagTransitionRefused
from services.store.db import transaction
from services.store.flags import apply_flag, change_status, flag_in_force
from services.store.models import FlagHistory, FlagRecord, ReferralRecord
from services.store.referrals import apply_referral
from tests.support.refs import person_id

AT = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
pytestmark = pytest.mark.postgres


def flag_event(who: str, evidence: tuple[str, ...], **fields: object) -> Flag:
    values: dict[str, object] = {"flag_id": uuid.uuid4(), "risk": QualitativeRisk.MODERATE,
                                 "recommended_referral": ReferralTarget.STRENGTH_AND_BALANCE}
    return Flag(person_id=who, occurred_at=AT, source="test", evidence=evidence,
                **(values | fields))  # type: ignore[arg-type]


def test_a_second_flag_merges_into_the_one_in_force_and_history_says_who_and_why(
    session_factory: sessionmaker[Session],
) -> None:
    who = person_id()
    first = flag_event(who, ("2026-11-24 falls prevention call: is worried about falling",))
    second = flag_event(who, ("2026-11-25 falls follow up call: had a blackout",),
                        risk=QualitativeRisk.HIGH,
                        recommended_referral=ReferralTarget.FALLS_TEAM,
                        change_reason="high-risk marker (had a blackout)")
    with transaction(session_factory) as session:
        assert apply_flag(session, first)
        assert not apply_flag(session, first)  # redelivered
        assert apply_flag(session, second)

    with transaction(session_factory) as session:
        [record] = session.scalars(select(FlagRecord).where(FlagRecord.person_id == who))
        assert record.id == first.flag_id
        assert (record.risk, record.recommended_referral) == ("high", "falls_team")
        assert record.evidence == [*first.evidence, *second.evidence]
        reviewed = change_status(session, record.id, FlagStatus.REVIEWED, "H0042",
                                 "spoke to her; falls team referral sent", AT)
        assert reviewed.status == "reviewed"
        assert flag_in_force(session, who, record.code) is not None

    with transaction(session_factory) as session:
        change_status(session, first.flag_id, FlagStatus.RESOLVED, "H0042",
                      "assessed by the falls team", AT)
        with pytest.raises(FlagTransitionRefused):
            change_status(session, first.flag_id, FlagStatus.ACTIVE, "H0042", "reopen", AT)
        history = session.scalars(select(FlagHistory).where(
            FlagHistory.flag_id == first.flag_id).order_by(FlagHistory.id)).all()
        assert [(h.status, h.changed_by, h.reason) for h in history] == [
            ("active", "system", None),
            ("active", "system", "high-risk marker (had a blackout)"),
            ("reviewed", "H0042", "spoke to her; falls team referral sent"),
            ("resolved", "H0042", "assessed by the falls team"),
        ]
        assert flag_in_force(session, who, record.code) is None

    late = flag_event(who, ("late evidence",), flag_id=first.flag_id)
    with transaction(session_factory) as session:
        assert not apply_flag(session, late)  # a resolved flag is not reopened by an event
        assert session.get(FlagRecord, first.flag_id).status == "resolved"  # type: ignore[union-attr]


def test_referrals_are_suggested_once_per_service_and_move_on_through_their_statuses(
    session_factory: sessionmaker[Session],
) -> None:
    who = person_id()

    def referral(status: ReferralStatus = ReferralStatus.SUGGESTED, **fields: object) -> Referral:
        values: dict[str, object] = {"referral_id": uuid.uuid4(),
                                     "target": ReferralTarget.FALLS_TEAM}
        return Referral(person_id=who, occurred_at=AT, source="test", status=status,
                        reason="Falls-risk flag (high)", origin="flag",
                        **(values | fields))  # type: ignore[arg-type]

    suggested = referral()
    with transaction(session_factory) as session:
        assert apply_referral(session, suggested)
        assert not apply_referral(session, referral())  # the falls team already has one open
        assert apply_referral(session, referral(target=ReferralTarget.COMMUNITY_MEALS))
        assert apply_referral(session, referral(ReferralStatus.SENT, changed_by="H0042",
                                                referral_id=suggested.referral_id))
        assert not apply_referral(session, referral(ReferralStatus.SUGGESTED,
                                                    referral_id=suggested.referral_id))
    with transaction(session_factory) as session:
        rows = session.execute(select(ReferralRecord.target, ReferralRecord.status,
                                      ReferralRecord.changed_by)
                               .where(ReferralRecord.person_id == who)
                               .order_by(ReferralRecord.target)).all()
        assert [tuple(r) for r in rows] == [("community_meals", "suggested", "system"),
                                            ("falls_team", "sent", "H0042")]
        assert session.scalar(select(func.count()).select_from(ReferralRecord).where(
            ReferralRecord.person_id == who)) == 2
