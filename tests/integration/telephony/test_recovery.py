"""Calls lost between the dialer and Twilio are recovered from the store: a call taken
but never placed goes back in the queue; one never finished is ended with its reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.calls import CallOutcome, CallRequested
from contracts.codes import CallStatus, ScriptName
from services.store.db import transaction
from services.store.models import CallPlan, OutboxRecord
from services.telephony import calls_store
from tests.support.refs import person_id

pytestmark = [pytest.mark.postgres]

NOW = datetime.now(UTC)


def queued(factory: sessionmaker[Session]) -> CallRequested:
    request = CallRequested(
        person_id=person_id(),
        occurred_at=NOW,
        source="tests",
        script=ScriptName.WELFARE_CHECK,
        reason="weekly",
        due_at=NOW - timedelta(days=3),
        window_end=NOW + timedelta(hours=2),
    )
    with transaction(factory) as session:
        calls_store.accept_request(session, request)
    return request


def take(factory: sessionmaker[Session], request: CallRequested, at: datetime) -> None:
    with transaction(factory) as session:
        jobs = calls_store.take_due(session, at, limit=1000)
    assert request.event_id in {job.call_id for job in jobs}


def state(factory: sessionmaker[Session], request: CallRequested) -> str:
    with transaction(factory) as session:
        return session.get_one(CallPlan, request.event_id).state


def test_a_call_taken_but_never_placed_goes_back_in_the_queue(
    session_factory: sessionmaker[Session],
) -> None:
    request = queued(session_factory)
    take(session_factory, request, NOW - timedelta(minutes=11))
    with transaction(session_factory) as session:
        released, _ = calls_store.recover_stale(session, NOW)
    assert released >= 1
    assert state(session_factory, request) == "waiting"


def test_a_call_twilio_reported_on_is_never_dialled_again(
    session_factory: sessionmaker[Session],
) -> None:
    request = queued(session_factory)
    take(session_factory, request, NOW - timedelta(minutes=11))
    with transaction(session_factory) as session:
        calls_store.record_progress(session, request.event_id, "initiated", None)
        calls_store.recover_stale(session, NOW)
        calls_store.release(session, request.event_id, NOW)
    with transaction(session_factory) as session:
        jobs = calls_store.take_due(session, NOW, limit=1000)
    assert request.event_id not in {job.call_id for job in jobs}


def test_a_call_never_finished_is_ended_with_its_reason(
    session_factory: sessionmaker[Session],
) -> None:
    request = queued(session_factory)
    take(session_factory, request, NOW - timedelta(hours=5))
    with transaction(session_factory) as session:
        calls_store.mark_placed(session, request.event_id, "CA" + "0" * 32, "queued", NOW)
        _, ended = calls_store.recover_stale(session, NOW)
    assert ended >= 1
    assert state(session_factory, request) == "ended"
    with transaction(session_factory) as session:
        payload = session.scalars(
            select(OutboxRecord.payload).where(OutboxRecord.topic == "calls.outcomes")
        ).all()
    [outcome] = [
        CallOutcome.model_validate(p) for p in payload if p["request_id"] == str(request.event_id)
    ]
    assert (outcome.status, outcome.end_reason) == (
        CallStatus.FAILED,
        "no final status from Twilio",
    )
