"""Issue 18: a signed IVR request whose values are not what Twilio sends gets an answer,
never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from contracts.calls import CallRequested
from services.telephony.ivr import gather_url, webhook_urls
from tests.integration.telephony.test_ivr import PUBLIC, call, client, post

pytestmark = [pytest.mark.postgres]
__all__ = ["call", "client"]  # the fixtures, shared


@pytest.mark.parametrize("confidence", ["high", "nan", "1e999", "-3", ""])
def test_a_non_numeric_confidence_is_no_confidence(
    client: TestClient, call: CallRequested, confidence: str
) -> None:
    voice_url, _ = webhook_urls(PUBLIC, call.event_id)
    post(client, voice_url, {"CallSid": "CA1", "AnsweredBy": "human"})
    step_url = gather_url(PUBLIC, call.event_id, "feeling_ok", 1)
    twiml = post(
        client, step_url, {"CallSid": "CA1", "SpeechResult": "yes", "Confidence": confidence}
    )
    assert isinstance(twiml, str) and "<Response>" in twiml
