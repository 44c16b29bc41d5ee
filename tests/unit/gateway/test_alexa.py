from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from contracts.devices import VoiceIntent
from services.gateway.alexa import SPEECH, AlexaRejected, answer, parse_request
from services.gateway.alexa_signature import SignatureInvalid, check_cert_url

APP = "amzn1.ask.skill.test"
NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)


def body(
    kind: str = "IntentRequest", intent: str | None = None, at: datetime = NOW, **slots: str
) -> bytes:
    request: dict[str, object] = {
        "type": kind,
        "requestId": "amzn1.echo-api.request.1",
        "timestamp": at.isoformat().replace("+00:00", "Z"),
        "locale": "en-GB",
    }
    if intent:
        request["intent"] = {
            "name": intent,
            "slots": {k: {"name": k, "value": v} for k, v in slots.items()},
        }
    return json.dumps(
        {
            "version": "1.0",
            "session": {"application": {"applicationId": APP}},
            "context": {"System": {"device": {"deviceId": "dev-1"}}},
            "request": request,
        }
    ).encode()


@pytest.mark.parametrize(
    ("kind", "intent", "slots", "expected", "reminder"),
    [
        ("LaunchRequest", None, {}, VoiceIntent.LAUNCH, None),
        ("SessionEndedRequest", None, {}, VoiceIntent.SESSION_ENDED, None),
        ("IntentRequest", "CheckInOkIntent", {}, VoiceIntent.CHECKIN_OK, None),
        ("IntentRequest", "CheckInNeedHelpIntent", {}, VoiceIntent.CHECKIN_NEED_HELP, None),
        ("IntentRequest", "SosIntent", {}, VoiceIntent.SOS, None),
        ("IntentRequest", "CallMyContactIntent", {}, VoiceIntent.CALL_MY_CONTACT, None),
        (
            "IntentRequest",
            "ReminderAcknowledgedIntent",
            {"reminder": "Tablets"},
            VoiceIntent.REMINDER_ACKNOWLEDGED,
            "medication",
        ),
        (
            "IntentRequest",
            "ReminderAcknowledgedIntent",
            {"reminder": "drink"},
            VoiceIntent.REMINDER_ACKNOWLEDGED,
            "fluids",
        ),
        ("IntentRequest", "AMAZON.FallbackIntent", {}, None, None),
    ],
)
def test_requests_map_to_care_intents(
    kind: str,
    intent: str | None,
    slots: dict[str, str],
    expected: VoiceIntent | None,
    reminder: str | None,
) -> None:
    parsed = parse_request(body(kind, intent, NOW, **slots), APP, NOW)
    assert (parsed.intent, parsed.reminder) == (expected, reminder)
    assert answer(parsed)["version"] == "1.0"


def test_a_retried_request_is_the_same_event() -> None:
    parsed = parse_request(body(intent="SosIntent"), APP, NOW)
    assert parsed.to_event("P1", NOW).event_id == parsed.to_event("P1", NOW).event_id


@pytest.mark.parametrize(
    ("raw", "app", "now", "reason"),
    [
        (body(intent="SosIntent"), "amzn1.ask.skill.other", NOW, "applicationId"),
        (body(intent="SosIntent", at=NOW - timedelta(seconds=151)), APP, NOW, "150 s"),
        (body(intent="SosIntent", at=NOW + timedelta(seconds=151)), APP, NOW, "150 s"),
        (b"{}", APP, NOW, "not an Alexa request"),
        (b"nonsense", APP, NOW, "not an Alexa request"),
    ],
)
def test_foreign_stale_or_broken_requests_are_refused(
    raw: bytes, app: str, now: datetime, reason: str
) -> None:
    with pytest.raises(AlexaRejected, match=reason):
        parse_request(raw, app, now)


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://S3.AMAZONAWS.COM/echo.api/../echo.api/echo-api-cert.pem",
    ],
)
def test_amazons_certificate_urls_are_accepted(url: str) -> None:
    check_cert_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
    ],
)
def test_other_certificate_urls_are_refused(url: str) -> None:
    with pytest.raises(SignatureInvalid):
        check_cert_url(url)


def test_alexa_never_promises_help_is_on_its_way() -> None:
    """H8: the gateway only knows the request was taken, not that anyone is watching."""
    for text in SPEECH.values():
        assert "getting help" not in text and "will call you" not in text
    assert "999" in SPEECH[VoiceIntent.SOS] and "999" in SPEECH[VoiceIntent.CHECKIN_NEED_HELP]
