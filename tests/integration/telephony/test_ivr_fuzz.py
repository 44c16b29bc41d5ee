"""API fuzzing of the IVR webhooks from their OpenAPI document, with requests signed as
Twilio signs them (so the fuzzing reaches past the signature check) and forms of any
values, some for a call that exists: refusals, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from contracts.calls import CallRequested
from services.telephony.ivr import create_ivr_app
from tests.integration.telephony.test_ivr import PUBLIC, SETTINGS, TOKEN, call
from tests.support.apifuzz import requests

pytestmark = [pytest.mark.postgres]
__all__ = ["call"]  # the fixture, shared
FIELDS = [
    "CallSid",
    "AnsweredBy",
    "Digits",
    "SpeechResult",
    "Confidence",
    "CallStatus",
    "CallDuration",
]
forms = st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=12), max_size=5)


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(
        create_ivr_app(SETTINGS, session_factory), raise_server_exceptions=False
    ) as client:
        yield client


def sign(path: str, query: str, form: dict[str, str]) -> dict[str, str]:
    url = f"{PUBLIC}{path}" + (f"?{query}" if query else "")
    return {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(url, form)}


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_signed_webhooks_never_answer_500(
    client: TestClient, call: CallRequested, data: st.DataObject
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    request = data.draw(
        requests(
            app.openapi(),
            sign=sign,
            forms=forms,
            known={"call": str(call.event_id), "step": "feeling_ok"},
        )
    )
    answer = client.send(request)
    assert answer.status_code < 500, (request.url, answer.text)
