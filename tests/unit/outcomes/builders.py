"""Realistic call outcomes, as the telephony IVR records them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from contracts.calls import Answer, CallOutcome
from contracts.codes import AnsweredBy, CallStatus, ScriptName

CALL_AT = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)


def outcome(
    script: ScriptName,
    answers: dict[str, str],
    person_id: str = "P000042",
    status: CallStatus = CallStatus.COMPLETED,
    at: datetime = CALL_AT,
    **fields: object,
) -> CallOutcome:
    return CallOutcome(
        person_id=person_id,
        occurred_at=at,
        source="services.telephony.ivr",
        request_id=uuid.uuid4(),
        script=script,
        status=status,
        answered_by=AnsweredBy.HUMAN if status is CallStatus.COMPLETED else None,
        answers=tuple(
            Answer(
                question_id=q,
                value=v,
                heard="1" if v == "yes" else "2",
                answered_at=at + timedelta(seconds=20 * n),
            )
            for n, (q, v) in enumerate(answers.items())
        ),
        script_completed=status is CallStatus.COMPLETED,
        **fields,
    )
