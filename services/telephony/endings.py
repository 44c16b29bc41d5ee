"""How a call ended -> the CallOutcome to publish and, for an unanswered attempt with
attempts and window left, the retry to request. Pure: the store adapter calls it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.calls import Answer, CallOutcome, CallRequested
from contracts.codes import AnsweredBy, CallStatus
from contracts.envelope import deterministic_id

SOURCE = "telephony.dialer"
ENDED = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELED,
    }
)
# Worth another try later; a failed number or a cancelled request is not.
RETRIED = frozenset({CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.MACHINE})
MACHINE_ANSWERS = frozenset(
    {
        AnsweredBy.MACHINE_START,
        AnsweredBy.MACHINE_END_BEEP,
        AnsweredBy.MACHINE_END_SILENCE,
        AnsweredBy.MACHINE_END_OTHER,
        AnsweredBy.FAX,
    }
)


@dataclass(frozen=True)
class Ending:
    """The facts of an ended call, as the store and Twilio's last callback give them."""

    status: CallStatus
    ended_at: datetime
    answered_by: AnsweredBy | None = None
    answers: tuple[Answer, ...] = ()
    script_completed: bool = False
    transferred: bool = False
    duration_s: int | None = None
    provider_call_id: str | None = None
    end_reason: str | None = None


def is_machine(answered_by: AnsweredBy | None) -> bool:
    return answered_by in MACHINE_ANSWERS


def final_status(status: CallStatus, answered_by: AnsweredBy | None) -> CallStatus:
    """Twilio says `completed` for a voicemail too; the outcome says `machine`."""
    if status is CallStatus.COMPLETED and is_machine(answered_by):
        return CallStatus.MACHINE
    return status


def retry_of(request: CallRequested, ending: Ending) -> CallRequested | None:
    status = final_status(ending.status, ending.answered_by)
    due = ending.ended_at + timedelta(seconds=request.retry_after_s)
    if status not in RETRIED or request.attempt >= request.max_attempts:
        return None
    if due >= request.window_end:
        return None
    return request.model_copy(
        update={
            "event_id": deterministic_id(request.event_id, request.attempt),
            "attempt": request.attempt + 1,
            "due_at": due,
            "occurred_at": ending.ended_at,
            "received_at": ending.ended_at,
            "source": SOURCE,
        }
    )


def conclude(request: CallRequested, ending: Ending) -> tuple[CallOutcome, CallRequested | None]:
    status = final_status(ending.status, ending.answered_by)
    retry = retry_of(request, ending)
    outcome = CallOutcome(
        event_id=deterministic_id(request.event_id, "outcome"),
        person_id=request.person_id,
        occurred_at=ending.ended_at,
        received_at=ending.ended_at,
        source=SOURCE,
        request_id=request.event_id,
        campaign_id=request.campaign_id,
        script=request.script,
        status=status,
        answered_by=ending.answered_by,
        answers=ending.answers,
        script_completed=ending.script_completed,
        transferred_to_handler=ending.transferred,
        attempt=request.attempt,
        final_attempt=status is not CallStatus.COMPLETED and retry is None,
        duration_s=ending.duration_s,
        provider_call_id=ending.provider_call_id,
        end_reason=ending.end_reason,
    )
    return outcome, retry
