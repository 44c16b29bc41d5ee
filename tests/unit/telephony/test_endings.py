"""Outcomes and the retry policy: which endings are retried, when, and which is final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts.calls import CallRequested
from contracts.codes import AnsweredBy, CallStatus, ScriptName
from contracts.envelope import deterministic_id
from services.telephony.endings import Ending, conclude

START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def request(attempt: int = 1, window_h: float = 4) -> CallRequested:
    return CallRequested(
        person_id="P000001",
        occurred_at=START,
        source="tests",
        script=ScriptName.WELFARE_CHECK,
        reason="weekly",
        due_at=START,
        window_end=START + timedelta(hours=window_h),
        attempt=attempt,
        max_attempts=3,
        retry_after_s=1800,
    )


def ending(status: CallStatus, answered_by: AnsweredBy | None = None) -> Ending:
    return Ending(status=status, ended_at=START + timedelta(minutes=1), answered_by=answered_by)


def test_no_answer_is_retried_after_the_spacing_with_a_deterministic_id() -> None:
    first = request()
    outcome, retry = conclude(first, ending(CallStatus.NO_ANSWER))
    assert retry is not None
    assert retry.event_id == deterministic_id(first.event_id, 1)
    assert (retry.attempt, retry.due_at) == (2, START + timedelta(minutes=31))
    assert (retry.script, retry.window_end) == (first.script, first.window_end)
    assert outcome.event_id == deterministic_id(first.event_id, "outcome")
    assert (outcome.status, outcome.attempt, outcome.final_attempt) == (
        CallStatus.NO_ANSWER,
        1,
        False,
    )
    assert conclude(first, ending(CallStatus.NO_ANSWER)) == (outcome, retry)


def test_the_last_attempt_is_final() -> None:
    outcome, retry = conclude(request(attempt=3), ending(CallStatus.BUSY))
    assert retry is None and outcome.final_attempt


def test_no_retry_beyond_the_call_window() -> None:
    outcome, retry = conclude(request(window_h=0.5), ending(CallStatus.NO_ANSWER))
    assert retry is None and outcome.final_attempt


def test_voicemail_is_a_machine_outcome_and_is_retried() -> None:
    outcome, retry = conclude(request(), ending(CallStatus.COMPLETED, AnsweredBy.MACHINE_END_BEEP))
    assert outcome.status is CallStatus.MACHINE and retry is not None


def test_an_answered_call_is_not_retried_and_not_final() -> None:
    outcome, retry = conclude(request(), ending(CallStatus.COMPLETED, AnsweredBy.HUMAN))
    assert retry is None and not outcome.final_attempt


def test_a_failed_or_cancelled_call_is_not_retried_and_is_final() -> None:
    for status in (CallStatus.FAILED, CallStatus.CANCELED):
        outcome, retry = conclude(request(), ending(status))
        assert retry is None and outcome.final_attempt
