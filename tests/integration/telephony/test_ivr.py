"""The IVR webhooks on a real database (SQLite and PostgreSQL): signed requests run the
script and save each answer at once; unsigned or wrongly signed ones get 403 and change
nothing. The IVR sits behind a proxy, so signatures are for the public URL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from contracts.calls import CallOutcome, CallRequested
from contracts.codes import CallStatus, ScriptName
from services.store.db import transaction
from services.store.models import Call, CallAnswer, CallPlan, OutboxRecord
from services.telephony import calls_store
from services.telephony.ivr import create_ivr_app, gather_url, webhook_urls
from services.telephony.settings import TelephonySettings
from tests.support.refs import person_id

pytestmark = [pytest.mark.postgres]

PUBLIC = "https://ivr.council.example"
TOKEN = "ivr-test-token"
SETTINGS = TelephonySettings(
    TECFLOW_TWILIO_ACCOUNT_SID="AC" + "1" * 32,
    TECFLOW_TWILIO_AUTH_TOKEN=TOKEN,
    TECFLOW_TWILIO_FROM_NUMBER="+441382000100",
    public_base_url=PUBLIC,
    scrs_number="+441382000999",
)


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_ivr_app(SETTINGS, session_factory)) as test_client:
        yield test_client


@pytest.fixture
def call(session_factory: sessionmaker[Session]) -> CallRequested:
    now = datetime.now(UTC)
    request = CallRequested(
        person_id=person_id(),
        occurred_at=now,
        source="tests",
        script=ScriptName.WELFARE_CHECK,
        reason="weekly",
        due_at=now,
        window_end=now + timedelta(hours=2),
    )
    with transaction(session_factory) as session:
        calls_store.accept_request(session, request)
    return request


def post(
    client: TestClient, public_url: str, form: dict[str, str], token: str | None = TOKEN
) -> int | str:
    """POST as Twilio would (to the proxy's address); the status, or the TwiML on 200."""
    headers = {}
    if token is not None:
        headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(public_url, form)
    response = client.post(public_url.removeprefix(PUBLIC), data=form, headers=headers)
    answer: int | str = response.text if response.status_code == 200 else response.status_code
    return answer


def answers(factory: sessionmaker[Session], request: CallRequested) -> dict[str, str]:
    with transaction(factory) as session:
        rows = session.execute(
            select(CallAnswer.question_id, CallAnswer.value).where(
                CallAnswer.call_id == request.event_id
            )
        )
        return {question: value for question, value in rows}


def test_signed_webhooks_run_the_script_and_save_each_answer_at_once(
    client: TestClient, call: CallRequested, session_factory: sessionmaker[Session]
) -> None:
    voice_url, _ = webhook_urls(PUBLIC, call.event_id)
    twiml = post(client, voice_url, {"CallSid": "CA1", "AnsweredBy": "human"})
    assert isinstance(twiml, str) and "<Gather" in twiml and "Are you feeling OK" in twiml

    step_url = gather_url(PUBLIC, call.event_id, "feeling_ok", 1)
    twiml = post(client, step_url, {"CallSid": "CA1", "Digits": "2"})
    assert isinstance(twiml, str) and "Do you need anything" in twiml
    assert answers(session_factory, call) == {"feeling_ok": "no"}

    # Twilio repeating the same webhook saves the answer once
    assert isinstance(post(client, step_url, {"CallSid": "CA1", "Digits": "2"}), str)
    assert answers(session_factory, call) == {"feeling_ok": "no"}


@pytest.mark.parametrize(
    "forge",
    ["missing", "other token", "other url", "changed form"],
)
def test_an_unsigned_or_wrongly_signed_request_is_refused_and_changes_nothing(
    client: TestClient, call: CallRequested, session_factory: sessionmaker[Session], forge: str
) -> None:
    step_url = gather_url(PUBLIC, call.event_id, "feeling_ok", 1)
    _, status_url = webhook_urls(PUBLIC, call.event_id)
    form = {"CallSid": "CA1", "Digits": "1"}
    ended = {"CallSid": "CA1", "CallStatus": "completed", "CallDuration": "30"}
    for url, body in ((step_url, form), (status_url, ended)):
        headers: dict[str, str] = {}
        if forge != "missing":
            signed_url = url + "&step=other" if forge == "other url" else url
            token = "not-the-token" if forge == "other token" else TOKEN
            headers["X-Twilio-Signature"] = RequestValidator(token).compute_signature(
                signed_url, body
            )
        sent = {**body, "CallSid": "CA2"} if forge == "changed form" else body
        response = client.post(url.removeprefix(PUBLIC), data=sent, headers=headers)
        assert response.status_code == 403
        assert response.json() == {"detail": "invalid X-Twilio-Signature"}

    assert answers(session_factory, call) == {}
    with transaction(session_factory) as session:
        assert session.get_one(CallPlan, call.event_id).state == "waiting"
        assert session.get_one(Call, call.event_id).status == "requested"
        assert (
            session.scalars(
                select(OutboxRecord).where(
                    OutboxRecord.payload["person_id"].as_string() == call.person_id
                )
            ).all()
            == []
        )


def test_the_final_status_callback_writes_the_outcome_to_the_outbox_once(
    client: TestClient, call: CallRequested, session_factory: sessionmaker[Session]
) -> None:
    post(client, gather_url(PUBLIC, call.event_id, "feeling_ok", 1), {"Digits": "1"})
    _, status_url = webhook_urls(PUBLIC, call.event_id)
    for _ in range(2):  # Twilio may send it twice
        assert post(client, status_url, {"CallStatus": "completed", "CallDuration": "42"}) == 204

    with transaction(session_factory) as session:
        [row] = session.scalars(
            select(OutboxRecord)
            .where(OutboxRecord.topic == "calls.outcomes")
            .where(OutboxRecord.payload["person_id"].as_string() == call.person_id)
        ).all()
    outcome = CallOutcome.model_validate(row.payload)
    assert (outcome.status, outcome.duration_s) == (CallStatus.COMPLETED, 42)
    assert [(a.question_id, a.value) for a in outcome.answers] == [("feeling_ok", "yes")]
