"""Call request on the real broker -> dialer -> real twilio client -> simulator ->
signed webhooks -> script -> CallOutcome on calls.outcomes, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from contracts.codes import AnsweredBy, CallStatus, ScriptName
from contracts.envelope import deterministic_id
from services.store.db import transaction
from services.store.models import CallAnswer, CallPlan
from tests.e2e.telephony.conftest import SCRS_NUMBER, Telephony, phone_of

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.postgres]


def answers(outcome_answers: object) -> dict[str, str]:
    return {a.question_id: a.value for a in outcome_answers}  # type: ignore[attr-defined]


WELFARE = {"feeling_ok": "yes", "needs_anything": "no", "wants_callback": "yes"}


@pytest.mark.parametrize(
    ("script", "says", "language", "expected"),
    [
        (ScriptName.WELFARE_CHECK, ["1", "no thanks", "yes please"], "en-GB", WELFARE),
        (ScriptName.POST_DISCHARGE, ["yes", "2", "1"], "en-GB", WELFARE),
        (ScriptName.ADVERSE_WEATHER, ["tak", "nie", "1"], "pl-PL", WELFARE),
        (
            ScriptName.UNMET_NEED_CHECKIN,
            ["2", "1", "no", "1", "yes", "3", "no", "yes please"],
            "en-GB",
            {
                "coping": "struggling",
                "eating_and_drinking": "no",
                "personal_care": "yes",
                "medication": "yes",
                "carer_coping": "no_carer",
                "any_falls": "no",
                "offer_community_meals": "accepted",
            },
        ),
        (
            ScriptName.FALLS_PREVENTION,
            ["2", "yes", "2", "1", "2", "2", "no", "2", "1"],
            "en-GB",
            {
                "fallen_past_year": "no",
                "unsteady": "yes",
                "worried_about_falling": "no",
                "four_or_more_medications": "yes",
                "stroke_or_parkinsons": "no",
                "balance_problems": "no",
                "cannot_rise_from_chair": "no",
                "frailty": "no",
                "offer_falls_classes": "accepted",
            },
        ),
        (
            ScriptName.FALLS_FOLLOW_UP,
            ["2", "2", "2"],
            "pl-PL",
            {"fallen_past_year": "no", "unsteady": "no", "worried_about_falling": "no"},
        ),
    ],
)
def test_each_script_runs_end_to_end_and_every_answer_arrives(
    telephony: Telephony,
    script: ScriptName,
    says: list[str],
    language: str,
    expected: dict[str, str],
) -> None:
    who = telephony.person([{"says": says}])
    request = telephony.request(who, script, language=language)

    [outcome] = telephony.outcomes.wait(who)

    assert outcome.request_id == request.event_id
    assert outcome.status is CallStatus.COMPLETED
    assert outcome.answered_by is AnsweredBy.HUMAN
    assert answers(outcome.answers) == expected
    assert list(answers(outcome.answers)) == list(expected)  # in the order asked
    assert outcome.script_completed and not outcome.transferred_to_handler
    assert not outcome.final_attempt
    assert outcome.provider_call_id and outcome.provider_call_id.startswith("CA")
    [call] = telephony.sim_calls(phone_of(telephony.factory, who))
    assert call["callbacks"] == ["initiated", "ringing", "in-progress", "completed"]
    transcript = "\n".join(call["transcript"])  # type: ignore[arg-type]
    goodbye = "Do widzenia" if language == "pl-PL" else "Goodbye"
    assert goodbye in call["transcript"][-1]  # type: ignore[index]
    assert "press 0" in transcript or "nacisnąć 0" in transcript


def test_a_caller_who_hangs_up_half_way_keeps_the_answers_given(telephony: Telephony) -> None:
    who = telephony.person([{"says": ["2", "1", "no", "2", "1"], "hang_up_after": 4}])
    request = telephony.request(who, ScriptName.UNMET_NEED_CHECKIN)

    [outcome] = telephony.outcomes.wait(who)

    expected = {"coping": "struggling", "eating_and_drinking": "no", "personal_care": "no"}
    assert outcome.status is CallStatus.COMPLETED
    assert answers(outcome.answers) == expected
    assert not outcome.script_completed
    with transaction(telephony.factory) as session:
        stored = session.execute(
            select(CallAnswer.question_id, CallAnswer.value).where(
                CallAnswer.call_id == request.event_id
            )
        ).all()
    assert dict(stored) == expected


def test_press_0_is_a_warm_transfer_to_the_scrs_line(telephony: Telephony) -> None:
    who = telephony.person([{"says": ["1", "0"]}])
    telephony.request(who, ScriptName.WELFARE_CHECK)

    [outcome] = telephony.outcomes.wait(who)

    assert outcome.transferred_to_handler and not outcome.script_completed
    assert answers(outcome.answers) == {"feeling_ok": "yes"}
    [call] = telephony.sim_calls(phone_of(telephony.factory, who))
    assert call["transcript"][-2:] == [  # type: ignore[index]
        f"dial: {SCRS_NUMBER} (timeout 20 s)",
        f"dial {SCRS_NUMBER}: completed",
    ]


def test_a_fall_in_the_last_days_goes_straight_to_a_handler(telephony: Telephony) -> None:
    who = telephony.person([{"says": ["1", "2", "2", "yes", "2"]}])
    telephony.request(who, ScriptName.FALLS_FOLLOW_UP)

    [outcome] = telephony.outcomes.wait(who)

    assert outcome.transferred_to_handler
    assert answers(outcome.answers) == {
        "fallen_past_year": "yes",
        "unsteady": "no",
        "worried_about_falling": "no",
        "fall_in_last_days": "yes",
    }


def test_a_redelivered_request_is_dialled_once(telephony: Telephony) -> None:
    who = telephony.person([{"says": ["1", "2", "2"]}])
    first = telephony.request(who, ScriptName.WELFARE_CHECK)
    telephony.publisher.publish("calls.requested", first)  # redelivered
    # Same person, same partition: once this one is done, the duplicate was consumed.
    later = telephony.request(who, ScriptName.POST_DISCHARGE)

    outcomes = telephony.outcomes.wait(who, count=2)

    assert sorted(o.request_id for o in outcomes) == sorted([first.event_id, later.event_id])
    assert len(telephony.sim_calls(phone_of(telephony.factory, who))) == 2


def test_unanswered_calls_are_retried_by_the_policy_then_marked_final(
    telephony: Telephony,
) -> None:
    who = telephony.person(
        [{"behaviour": "no-answer"}, {"behaviour": "busy"}, {"behaviour": "machine"}]
    )
    first = telephony.request(who, ScriptName.WELFARE_CHECK, max_attempts=3, retry_after_s=1)

    outcomes = telephony.outcomes.wait(who, count=3)

    second_id = deterministic_id(first.event_id, 1)
    assert [o.request_id for o in outcomes] == [
        first.event_id,
        second_id,
        deterministic_id(second_id, 2),
    ]
    assert [o.attempt for o in outcomes] == [1, 2, 3]
    assert [o.status for o in outcomes] == [
        CallStatus.NO_ANSWER,
        CallStatus.BUSY,
        CallStatus.MACHINE,
    ]
    assert [o.final_attempt for o in outcomes] == [False, False, True]
    assert outcomes[2].answered_by is AnsweredBy.MACHINE_END_BEEP
    # each retry waited retry_after_s after the attempt before it ended
    assert all(
        b.occurred_at - a.occurred_at >= timedelta(seconds=1)
        for a, b in itertools.pairwise(outcomes)
    )
    assert len(telephony.sim_calls(phone_of(telephony.factory, who))) == 3


def test_an_answer_on_a_retry_ends_the_retries(telephony: Telephony) -> None:
    who = telephony.person([{"behaviour": "busy"}, {"says": ["1", "2", "2"]}])
    telephony.request(who, ScriptName.WELFARE_CHECK, max_attempts=3, retry_after_s=1)

    outcomes = telephony.outcomes.wait(who, count=2)

    assert [(o.status, o.attempt, o.final_attempt) for o in outcomes] == [
        (CallStatus.BUSY, 1, False),
        (CallStatus.COMPLETED, 2, False),
    ]
    assert len(telephony.sim_calls(phone_of(telephony.factory, who))) == 2


def test_a_request_whose_window_has_passed_is_not_dialled(telephony: Telephony) -> None:
    who = telephony.person([{"says": ["1"]}])
    past = datetime.now(UTC) - timedelta(minutes=5)
    request = telephony.request(who, ScriptName.WELFARE_CHECK, window_end=past)

    [outcome] = telephony.outcomes.wait(who)

    assert outcome.status is CallStatus.CANCELED
    assert outcome.final_attempt
    assert outcome.end_reason == "call window ended before dialling"
    assert telephony.sim_calls(phone_of(telephony.factory, who)) == []
    with transaction(telephony.factory) as session:
        plan = session.get_one(CallPlan, request.event_id)
        assert (plan.state, plan.end_reason) == ("ended", outcome.end_reason)


def test_a_person_without_a_phone_number_is_a_failed_call(telephony: Telephony) -> None:
    who = telephony.person(None)
    telephony.request(who, ScriptName.WELFARE_CHECK)

    [outcome] = telephony.outcomes.wait(who)

    assert (outcome.status, outcome.end_reason) == (CallStatus.FAILED, "no phone number on record")
    assert outcome.final_attempt
