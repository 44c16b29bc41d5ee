"""Referrals through the care record's handlers: suggested once per service, moved on
one step at a time, each step with who, when and why."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from care import handle
from care.commands import Actor, MoveReferral, SuggestReferral
from care.errors import NotFound, ReferralChangeRefused
from care.unit_of_work import UnitOfWork
from contracts.codes import ReferralStatus, ReferralTarget
from tests.support.refs import person_id

AT = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
RMU = Actor("R0007", role="rmu_officer", origin="10.0.0.9")


def suggest(
    who: str, target: ReferralTarget = ReferralTarget.FALLS_TEAM, **fields: Any
) -> SuggestReferral:
    suggestion = SuggestReferral(
        person_id=who,
        target=target,
        reason="Falls-risk flag (high)",
        origin="flag",
        at=AT,
        referral_id=uuid.uuid4(),
        event_id=uuid.uuid4(),
        by=Actor.system("streams.outcomes"),
    )
    return replace(suggestion, **fields)


def test_one_open_referral_per_service(uow: UnitOfWork) -> None:
    who = person_id()
    first = handle(suggest(who), uow)
    assert handle(suggest(who), uow) is None  # the falls team already has one open
    assert handle(suggest(who, ReferralTarget.COMMUNITY_MEALS), uow) is not None
    handle(
        MoveReferral(first.id, ReferralStatus.DECLINED, by=RMU, at=AT, reason="person said no"), uow
    )
    assert handle(suggest(who), uow) is not None  # the earlier one is closed


def test_referrals_move_on_one_step_at_a_time_with_who_when_and_why(uow: UnitOfWork) -> None:
    referral = handle(suggest(person_id()), uow)
    handle(
        MoveReferral(
            referral.id, ReferralStatus.SENT, by=RMU, at=AT, reason="emailed the falls team"
        ),
        uow,
    )
    with pytest.raises(ReferralChangeRefused, match="sent; it cannot become suggested"):
        handle(MoveReferral(referral.id, ReferralStatus.SUGGESTED, by=RMU, at=AT), uow)
    with pytest.raises(ReferralChangeRefused):
        handle(MoveReferral(referral.id, ReferralStatus.COMPLETED, by=RMU, at=AT), uow)
    handle(MoveReferral(referral.id, ReferralStatus.ACCEPTED, by=RMU, at=AT), uow)
    handle(MoveReferral(referral.id, ReferralStatus.COMPLETED, by=RMU, at=AT), uow)
    with uow:
        stored = uow.referrals.get(referral.id)
        history = uow.referrals.history(referral.id)
        audit = uow.audit.entries(person_id=referral.person_id)
    assert stored is not None
    assert (stored.status, stored.changed_by) == (ReferralStatus.COMPLETED, "R0007")
    assert [(h.status, h.by, h.reason) for h in history] == [
        (ReferralStatus.SUGGESTED, "streams.outcomes", "Falls-risk flag (high)"),
        (ReferralStatus.SENT, "R0007", "emailed the falls team"),
        (ReferralStatus.ACCEPTED, "R0007", None),
        (ReferralStatus.COMPLETED, "R0007", None),
    ]
    assert [e.detail["status"] for e in audit] == ["completed", "accepted", "sent"]
    with pytest.raises(NotFound):
        handle(MoveReferral(uuid.uuid4(), ReferralStatus.SENT, by=RMU, at=AT), uow)


def test_a_message_naming_a_known_referral_moves_it_on(uow: UnitOfWork) -> None:
    referral = handle(suggest(person_id()), uow)
    moved = handle(
        suggest(
            referral.person_id,
            referral_id=referral.id,
            status=ReferralStatus.SENT,
            by=Actor("H0042", role="staff", origin="streams.outcomes"),
        ),
        uow,
    )
    assert moved.status is ReferralStatus.SENT
    with pytest.raises(ReferralChangeRefused):
        handle(suggest(referral.person_id, referral_id=referral.id), uow)


def test_staff_suggest_referrals_only_for_people_the_record_holds(
    uow: UnitOfWork, add_people: Callable[[int], list[str]]
) -> None:
    [who] = add_people(1)
    with pytest.raises(NotFound):
        handle(suggest("Pmistyped", by=RMU, event_id=None, origin="handler"), uow)
    made = handle(suggest(who, by=RMU, event_id=None, origin="handler"), uow)
    assert made is not None and made.person_id == who
    with uow:
        assert uow.referrals.open_for("Pmistyped", ReferralTarget.FALLS_TEAM) is None
