"""The store side of telephony: the dialer's queue (CallPlan), the Call rows Twilio's
callbacks update and answers as they are given; the events a call ending makes go to
the outbox (services/store/outbox.py) in the same transaction.
Each function runs inside one transaction the caller opens."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from contracts.calls import OPTED_OUT, Answer, CallRequested
from contracts.care import Alert
from contracts.codes import AnsweredBy, CallStatus, ScriptName
from contracts.topics import Topic
from services.store import outbox
from services.store.idempotency import claim, insert_ignoring_duplicates
from services.store.models import Call, CallAnswer, CallPlan, Person
from services.store.outbox import Relay
from services.telephony import consent
from services.telephony.consent import Consent
from services.telephony.endings import Ending, conclude

CONSUMER = "telephony.dialer"
# A call taken for dialling that Twilio has not reported on after this was never placed
# (the dialer stopped mid-dial): it goes back in the queue.
UNPLACED_AFTER = timedelta(minutes=10)
# A call with no final status this long after it was taken is ended, so its slot and
# its outcome are not lost to a callback that never came.
UNFINISHED_AFTER = timedelta(hours=4)
WAITING, DIALLING, PLACED, ENDED = "waiting", "dialling", "placed", "ended"
TRANSFER_FAILED = "transfer to a handler failed"


@dataclass(frozen=True)
class DialJob:
    call_id: uuid.UUID
    phone: str | None
    request: CallRequested
    opted_out: bool = False  # asked for no automated calls since this one was planned


@dataclass(frozen=True)
class CallContext:
    person_id: str
    script: ScriptName
    language: str
    given: dict[str, str]
    ended: bool


def accept_request(session: Session, request: CallRequested) -> bool:
    """Queue a call request once; False for a redelivery (nothing written)."""
    if not claim(session, CONSUMER, request.event_id):
        return False
    # The scheduler may already have written the Call row; the dialer's claim is the ledger.
    insert_ignoring_duplicates(
        session,
        Call.__table__,  # type: ignore[arg-type]
        {
            "id": request.event_id,
            "person_id": request.person_id,
            "campaign_id": request.campaign_id,
            "script": request.script.value,
            "reason": request.reason,
            "due_at": request.due_at,
            "window_end": request.window_end,
            "attempt": request.attempt,
            "status": "requested",
            "script_completed": False,
            "transferred_to_handler": False,
        },
    )
    session.add(
        CallPlan(
            call_id=request.event_id,
            state=WAITING,
            due_at=request.due_at,
            language=request.language,
            request=request.model_dump(mode="json"),
        )
    )
    return True


def take_due(session: Session, now: datetime, limit: int) -> list[DialJob]:
    """Up to `limit` of the most overdue waiting calls, now marked as being dialled (by
    this dialer only: a call another dialer took first is skipped)."""
    plans = session.scalars(
        select(CallPlan)
        .join(Call, Call.id == CallPlan.call_id)
        # Once Twilio has reported on a call it was placed, whatever the dialer last heard.
        .where(CallPlan.state == WAITING, CallPlan.due_at <= now, Call.status == "requested")
        .order_by(CallPlan.due_at)
        .limit(limit)
    ).all()
    jobs = []
    for plan in plans:
        taken = session.execute(
            update(CallPlan)
            .where(CallPlan.call_id == plan.call_id, CallPlan.state == WAITING)
            .values(state=DIALLING, claimed_at=now)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        request = CallRequested.model_validate(plan.request)
        person = session.execute(
            select(Person.phone, Person.opted_out).where(Person.id == request.person_id)
        ).first()
        jobs.append(
            DialJob(
                call_id=plan.call_id,
                phone=person.phone if person else None,
                request=request,
                opted_out=bool(person and person.opted_out),
            )
        )
    return jobs


def active_calls(session: Session) -> int:
    count = session.scalar(
        select(func.count()).select_from(CallPlan).where(CallPlan.state.in_((DIALLING, PLACED)))
    )
    return count or 0


def mark_placed(session: Session, call_id: uuid.UUID, sid: str, status: str, at: datetime) -> None:
    session.execute(
        update(CallPlan)
        .where(CallPlan.call_id == call_id, CallPlan.state == DIALLING)
        .values(state=PLACED)
    )
    session.execute(
        update(Call)
        .where(Call.id == call_id, Call.ended_at.is_(None))
        .values(provider_call_id=sid, status=status, started_at=at)
    )


def call_context(session: Session, call_id: uuid.UUID) -> CallContext | None:
    row = session.execute(
        select(Call.person_id, Call.script, CallPlan.language, CallPlan.state)
        .join(CallPlan, CallPlan.call_id == Call.id)
        .where(Call.id == call_id)
    ).first()
    if row is None:
        return None
    rows = session.execute(
        select(CallAnswer.question_id, CallAnswer.value).where(CallAnswer.call_id == call_id)
    )
    given = {question: value for question, value in rows}
    return CallContext(
        row.person_id, ScriptName(row.script), row.language, given, row.state == ENDED
    )


def record_turn(
    session: Session, call_id: uuid.UUID, answer: Answer | None, completed: bool
) -> None:
    """Save an answer the moment it is given (a repeated webhook saves it once)."""
    if answer is not None:
        insert_ignoring_duplicates(
            session,
            CallAnswer.__table__,  # type: ignore[arg-type]
            {"call_id": call_id, **answer.model_dump()},
        )
    if completed:
        session.get_one(Call, call_id).script_completed = True


def record_connected(session: Session, call_id: uuid.UUID) -> None:
    """A handler picked up the transfer: only now is the call 'transferred'."""
    session.get_one(Call, call_id).transferred_to_handler = True


def record_transfer_failed(session: Session, call_id: uuid.UUID, alert: Alert) -> None:
    """No handler answered: the urgent alert goes out with this transaction (before the
    person is told it was raised), and the call's outcome will say why it ended."""
    outbox.add(session, Relay.DIALER, Topic.ALERTS, [alert])
    session.execute(
        update(CallPlan).where(CallPlan.call_id == call_id).values(end_reason=TRANSFER_FAILED)
    )


def record_opt_out(
    session: Session, call_id: uuid.UUID, context: CallContext, at: datetime
) -> None:
    """The person confirmed they want no more automated calls: consent withdrawn (the
    scheduler stops planning their calls) and a handler told, in this transaction."""
    how = f"said so on the {context.script.value.replace('_', ' ')} call {call_id}"
    consent.record(session, context.person_id, Consent.WITHDRAWN, consent.ON_A_CALL, how, at)
    stopped = consent.stopped_alert(context.person_id, call_id, context.script, at)
    outbox.add(session, Relay.DIALER, Topic.ALERTS, [stopped])
    session.execute(
        update(CallPlan).where(CallPlan.call_id == call_id).values(end_reason=OPTED_OUT)
    )


def record_progress(
    session: Session, call_id: uuid.UUID, status: str, answered_by: AnsweredBy | None
) -> None:
    """A callback that does not end the call: ringing, answered, in progress."""
    values: dict[str, object] = {"status": status}
    if answered_by is not None:
        values["answered_by"] = answered_by.value
    session.execute(update(Call).where(Call.id == call_id, Call.ended_at.is_(None)).values(values))


def answers_of(session: Session, call_id: uuid.UUID) -> tuple[Answer, ...]:
    rows = session.scalars(
        select(CallAnswer)
        .where(CallAnswer.call_id == call_id)
        .order_by(CallAnswer.answered_at, CallAnswer.id)
    )
    return tuple(
        Answer(
            question_id=row.question_id,
            value=row.value,
            heard=row.heard,
            via=row.via,
            confidence=row.confidence,
            answered_at=row.answered_at,
        )
        for row in rows
    )


def end_call(
    session: Session,
    call_id: uuid.UUID,
    status: CallStatus,
    at: datetime,
    *,
    answered_by: AnsweredBy | None = None,
    duration_s: int | None = None,
    end_reason: str | None = None,
) -> bool:
    """Close the call once: its outcome (and any retry) go to the outbox in this same
    transaction. False if it had already ended (a repeated callback)."""
    closed = session.execute(
        update(CallPlan)
        .where(CallPlan.call_id == call_id, CallPlan.state != ENDED)
        .values(state=ENDED)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    plan = session.get_one(CallPlan, call_id)
    # A reason noted during the call (the transfer failed) stands unless this end says why.
    end_reason = plan.end_reason = end_reason or plan.end_reason
    call = session.get_one(Call, call_id)
    if answered_by is None and call.answered_by:
        answered_by = AnsweredBy(call.answered_by)
    outcome, retry = conclude(
        CallRequested.model_validate(plan.request),
        Ending(
            status=status,
            ended_at=at,
            answered_by=answered_by,
            answers=answers_of(session, call_id),
            script_completed=call.script_completed,
            transferred=call.transferred_to_handler,
            duration_s=duration_s,
            provider_call_id=call.provider_call_id,
            end_reason=end_reason,
        ),
    )
    call.status = outcome.status.value
    call.answered_by = answered_by.value if answered_by else None
    call.ended_at = at
    call.duration_s = duration_s
    outbox.add(session, Relay.DIALER, Topic.CALLS_OUTCOMES, [outcome])
    if retry is not None:
        outbox.add(session, Relay.DIALER, Topic.CALLS_REQUESTED, [retry])
    return True


def release(session: Session, call_id: uuid.UUID, due_at: datetime) -> None:
    """Put a call that could not be placed back in the queue for later."""
    session.execute(
        update(CallPlan)
        .where(CallPlan.call_id == call_id, CallPlan.state == DIALLING)
        .values(state=WAITING, due_at=due_at)
    )


def recover_stale(session: Session, now: datetime) -> tuple[int, int]:
    """Calls lost between the dialer and Twilio: (put back in the queue, ended)."""
    unplaced = select(Call.id).where(Call.status == "requested")
    released = session.execute(
        update(CallPlan)
        .where(
            CallPlan.state == DIALLING,
            CallPlan.claimed_at < now - UNPLACED_AFTER,
            CallPlan.call_id.in_(unplaced),
        )
        .values(state=WAITING, claimed_at=None)
    )
    unfinished = session.scalars(
        select(CallPlan.call_id).where(
            CallPlan.state.in_((DIALLING, PLACED)), CallPlan.claimed_at < now - UNFINISHED_AFTER
        )
    ).all()
    for call_id in unfinished:
        end_call(session, call_id, CallStatus.FAILED, now, end_reason="no final status from Twilio")
    return released.rowcount, len(unfinished)  # type: ignore[attr-defined]
