"""Calls a handler made by hand, kept in the same `calls` table as the dialer's so they
count in the measures like an automated call: one `calls` row (script `handler_call`)
and its outcome as the call's one answer (`question_id` "outcome", the notes as what was
heard, `via` "handler"). Not care data: callers audit it with `RecordChange`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from contracts.codes import HANDLER_CALL_SCRIPT, CallStatus, HandlerCallOutcome
from services.store.models import Call, CallAnswer

OUTCOME_QUESTION = "outcome"
UNANSWERED = frozenset({HandlerCallOutcome.NO_ANSWER, HandlerCallOutcome.LEFT_MESSAGE})


def record_handler_call(
    session: Session,
    *,
    person_id: str,
    by: str,
    called: str,
    outcome: HandlerCallOutcome,
    notes: str | None,
    at: datetime,
) -> uuid.UUID:
    """`called`: who was rung, as the handler put it (the person, or a contact's name)."""
    answered = outcome not in UNANSWERED
    call = Call(
        id=uuid.uuid4(),
        person_id=person_id,
        campaign_id=None,
        script=HANDLER_CALL_SCRIPT,
        reason=f"{by} called {called}",
        due_at=at,
        window_end=at,
        attempt=1,
        status=(CallStatus.COMPLETED if answered else CallStatus.NO_ANSWER).value,
        answered_by="human" if answered else None,
        started_at=at,
        ended_at=at,
        script_completed=True,
        transferred_to_handler=False,
    )
    session.add(call)
    session.flush()
    session.add(
        CallAnswer(
            call_id=call.id,
            question_id=OUTCOME_QUESTION,
            value=outcome.value,
            heard=notes,
            via="handler",
            answered_at=at,
        )
    )
    return call.id
