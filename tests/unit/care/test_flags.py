"""Falls flags through the care record's handlers: one in force per person, facts merged
by key, the lifecycle, and a person's decisions with who and why."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from care import handle
from care.commands import (
    Actor,
    MarkFlagEnteredInError,
    RaiseFlag,
    ResolveFlag,
    ReviewFlag,
    flag_command,
)
from care.domain.flags import Fact, fall_detector_fact, merge_facts, signal_facts
from care.errors import FlagChangeRefused, NotFound, ReasonRequired
from care.unit_of_work import UnitOfWork
from contracts.care import Flag as FlagEvent
from contracts.codes import FlagStatus, ReferralTarget
from tests.support.refs import person_id

AT = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
OUTCOMES = Actor.system("streams.outcomes")
ANN = Actor("H0042", role="call_handler", origin="10.0.0.7")


def raise_(
    who: str,
    *facts: Fact,
    flag_id: uuid.UUID | None = None,
    reason: str | None = None,
    referral: ReferralTarget = ReferralTarget.STRENGTH_AND_BALANCE,
    minutes: int = 0,
) -> RaiseFlag:
    return RaiseFlag(
        flag_id=flag_id or uuid.uuid4(),
        person_id=who,
        evidence=facts,
        by=OUTCOMES,
        at=AT + timedelta(minutes=minutes),
        recommended_referral=referral,
        reason=reason,
        event_id=uuid.uuid4(),
    )


WORRIED = Fact("call:1:falls:0", "2026-11-24 falls prevention call: is worried about falling")
BLACKOUT = Fact("call:2:falls:0", "2026-11-25 falls follow up call: had a blackout")


def texts(uow: UnitOfWork, flag_id: uuid.UUID) -> list[str]:
    with uow:
        flag = uow.flags.get(flag_id)
    assert flag is not None
    return [fact.text for fact in flag.evidence]


def test_a_second_flag_merges_into_the_one_in_force_and_history_says_who_and_why(
    uow: UnitOfWork,
) -> None:
    who = person_id()
    first = raise_(who, WORRIED)
    flag = handle(first, uow)
    assert handle(first, uow) is None  # redelivered
    handle(
        raise_(
            who,
            BLACKOUT,
            referral=ReferralTarget.FALLS_TEAM,
            reason="had a blackout: multifactorial falls assessment",
        ),
        uow,
    )
    with uow:
        stored = uow.flags.in_force(who, flag.code)
    assert stored is not None and stored.id == first.flag_id
    assert stored.recommended_referral is ReferralTarget.FALLS_TEAM
    assert texts(uow, flag.id) == [WORRIED.text, BLACKOUT.text]

    handle(ReviewFlag(flag.id, "spoke to her; falls team referral sent", by=ANN, at=AT), uow)
    handle(ResolveFlag(flag.id, "assessed by the falls team", by=ANN, at=AT), uow)
    with pytest.raises(FlagChangeRefused):
        handle(ReviewFlag(flag.id, "look again", by=ANN, at=AT), uow)
    with uow:
        history = uow.flags.history(flag.id)
        assert uow.flags.in_force(who, flag.code) is None
    assert [(h.status, h.by, h.reason) for h in history] == [
        (FlagStatus.ACTIVE, "streams.outcomes", None),
        (FlagStatus.ACTIVE, "streams.outcomes", "had a blackout: multifactorial falls assessment"),
        (FlagStatus.REVIEWED, "H0042", "spoke to her; falls team referral sent"),
        (FlagStatus.RESOLVED, "H0042", "assessed by the falls team"),
    ]
    assert history[1].evidence == (WORRIED.text, BLACKOUT.text)


def test_facts_are_merged_by_key_so_a_reworded_fact_replaces_the_old_one(
    uow: UnitOfWork,
) -> None:
    who = person_id()
    at = datetime(2026, 11, 20, 3, 12, tzinfo=UTC)
    one = fall_detector_fact([at])
    two = fall_detector_fact([at - timedelta(days=30), at])
    assert one is not None and two is not None and one.key == two.key
    flag = handle(raise_(who, WORRIED, one), uow)
    handle(raise_(who, two, WORRIED), uow)  # the alarm count grew; the call is known
    assert texts(uow, flag.id) == [
        WORRIED.text,
        "2 fall-detector alarm(s) in the last 12 months, latest 2026-11-20 03:12 UTC",
    ]


def test_two_facts_that_read_alike_are_both_kept() -> None:
    same_words = Fact("call:9:falls:0", WORRIED.text)
    assert merge_facts([WORRIED], [same_words]) == [WORRIED, same_words]


def test_a_signals_facts_read_and_key_the_same_wherever_they_are_built() -> None:
    signal_id = uuid.uuid4()
    [reason, extra] = signal_facts(
        signal_id, AT.date(), "fall detector alarm at 03:12", ("no movement until 09:40",)
    )
    assert reason == Fact(
        f"signal:{signal_id}:0", "2026-11-24 device signal: fall detector alarm at 03:12"
    )
    assert extra.key == f"signal:{signal_id}:1"


def test_new_facts_make_a_reviewed_flag_active_again(uow: UnitOfWork) -> None:
    who = person_id()
    flag = handle(raise_(who, WORRIED), uow)
    handle(ReviewFlag(flag.id, "seen", by=ANN, at=AT), uow)
    handle(raise_(who, BLACKOUT), uow)
    with uow:
        again = uow.flags.get(flag.id)
    assert again is not None and again.status is FlagStatus.ACTIVE


def test_new_facts_for_a_resolved_flag_raise_a_new_flag_rather_than_being_lost(
    uow: UnitOfWork,
) -> None:
    who = person_id()
    flag = handle(raise_(who, WORRIED), uow)
    handle(ResolveFlag(flag.id, "assessed", by=ANN, at=AT), uow)
    late = handle(raise_(who, BLACKOUT, flag_id=flag.id, minutes=5), uow)
    assert late.id != flag.id
    with uow:
        old, new = uow.flags.get(flag.id), uow.flags.in_force(who, flag.code)
    assert old is not None and old.status is FlagStatus.RESOLVED
    assert new is not None and new.id == late.id
    assert texts(uow, late.id) == [BLACKOUT.text]


def test_a_persons_decisions_need_a_reason_and_entered_in_error_ends_it(
    uow: UnitOfWork,
) -> None:
    flag = handle(raise_(person_id(), WORRIED), uow)
    with pytest.raises(ReasonRequired):
        handle(ReviewFlag(flag.id, " ", by=ANN, at=AT), uow)
    handle(MarkFlagEnteredInError(flag.id, "wrong person", by=ANN, at=AT), uow)
    with pytest.raises(FlagChangeRefused):
        handle(ResolveFlag(flag.id, "assessed", by=ANN, at=AT), uow)
    with pytest.raises(NotFound):
        handle(ReviewFlag(uuid.uuid4(), "seen", by=ANN, at=AT), uow)
    with uow:
        [decision] = [e for e in uow.audit.entries(person_id=flag.person_id)]
    assert (decision.actor, decision.action, decision.detail) == (
        "H0042",
        "flag_entered-in-error",
        {"reason": "wrong person"},
    )


def test_flag_messages_carry_keyed_facts_or_each_fact_is_its_own_key() -> None:
    def event(**fields: object) -> FlagEvent:
        return FlagEvent(
            person_id="P1",
            occurred_at=AT,
            source="streams.outcomes",
            flag_id=uuid.uuid4(),
            evidence=("a", "b"),
            **fields,
        )

    assert flag_command(event(evidence_keys=("k1", "k2"))).evidence == (
        Fact("k1", "a"),
        Fact("k2", "b"),
    )
    assert flag_command(event()).evidence == (Fact("a", "a"), Fact("b", "b"))
    assert flag_command(event(changed_by="H0042")).by.is_person
