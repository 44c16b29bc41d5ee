"""Clinical safety on the real IVR webhooks (docs/safety/hazard-log.md): signed requests,
as Twilio sends them, to the real app on a real database.

- H1: distress words (English and Polish) and key 0 at every step of every script, and
  during a read-back, are answered with a Dial to the SCRS line at once: the very next
  TwiML, with the stated ring timeout and an action callback for the result.
- H2: a transfer nobody answers tries the second line, then raises an urgent
  "transfer failed" alert with the time, before the person is told it was raised.
- H3/H4: silence, low or unreadable speech confidence."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

import pytest
from defusedxml.ElementTree import fromstring
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from contracts.calls import OPTED_OUT, CallRequested
from contracts.care import Alert
from contracts.codes import AlertKind, AlertPriority, CallStatus, ScriptName
from contracts.envelope import utcnow
from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import Call, CallAnswer, CallPlan, OutboxRecord, Person
from services.telephony import calls_store, consent
from services.telephony.distress import TransferReason
from services.telephony.ivr import create_ivr_app, dialed_url, gather_url, webhook_urls
from services.telephony.script import library
from services.telephony.settings import TelephonySettings
from tests.support.refs import person_id

PUBLIC = "https://ivr.council.example"
TOKEN = "ivr-safety-token"
SCRS, SECOND = "+441382000999", "+441382000998"
SETTINGS = TelephonySettings(
    TECFLOW_TWILIO_ACCOUNT_SID="AC" + "2" * 32,
    TECFLOW_TWILIO_AUTH_TOKEN=TOKEN,
    TECFLOW_TWILIO_FROM_NUMBER="+441382000100",
    public_base_url=PUBLIC,
    scrs_number=SCRS,
    scrs_fallback_number=SECOND,
    transfer_timeout_s=20,
)
# What a person in distress says, in each language (the matcher's own list is wider).
DISTRESS = {
    "en-GB": [
        "I have fallen and I cannot get up",
        "help",
        "help me",
        "ambulance",
        "I'm in a lot of pain",
        "I can't breathe",
        "I'm in crisis",
        "I'm not coping",
        "I can't manage",
        "I've fallen",
        "no, help me",
    ],
    "pl-PL": [
        "upadłem i nie mogę wstać",
        "pomocy",
        "proszę o pomoc",
        "wezwijcie karetkę",
        "bardzo boli",
        "nie mogę oddychać",
        "nie radzę sobie",
        "przewróciłam się",
    ],
}
STEPS = [
    (name, step.id, language)
    for name, script in sorted(library().items())
    for step in script.steps
    for language in ("en-GB", "pl-PL")
]


def post(client: TestClient, url: str, form: dict[str, str]) -> str:
    signature = RequestValidator(TOKEN).compute_signature(url, form)
    response = client.post(
        url.removeprefix(PUBLIC), data=form, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200, response.text
    text: str = response.text
    return text


def new_call(
    factory: sessionmaker[Session],
    script: ScriptName,
    language: str,
    who: str | None = None,
    due_at: datetime | None = None,
) -> CallRequested:
    now = datetime.now(UTC)
    request = CallRequested(
        person_id=who or person_id("SAFE"),
        occurred_at=now,
        source="tests",
        script=script,
        reason="safety test",
        due_at=due_at or now,
        window_end=now + timedelta(hours=2),
        language=language,
    )
    with transaction(factory) as session:
        calls_store.accept_request(session, request)
    return request


def dial_of(twiml: str) -> Element:
    """The <Dial> a response puts the person through with (failing if there is none)."""
    dials: list[Element] = [verb for verb in fromstring(twiml) if verb.tag == "Dial"]
    assert len(dials) == 1, twiml
    return dials[0]


def assert_put_through(twiml: str, number: str = SCRS) -> dict[str, list[str]]:
    dial = dial_of(twiml)
    assert (dial.text, dial.get("timeout"), dial.get("method")) == (number, "20", "POST")
    action = dial.get("action") or ""
    assert action.startswith(f"{PUBLIC}/ivr/dialed?")
    return parse_qs(urlsplit(action).query, keep_blank_values=True)


@pytest.fixture(scope="module")
def sqlite_factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def sweep_client(sqlite_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_ivr_app(SETTINGS, sqlite_factory)) as client:
        yield client


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_ivr_app(SETTINGS, session_factory)) as test_client:
        yield test_client


@pytest.mark.parametrize(("script", "step", "language"), STEPS)
def test_distress_at_every_step_is_put_through_at_once(
    sweep_client: TestClient,
    sqlite_factory: sessionmaker[Session],
    script: ScriptName,
    step: str,
    language: str,
) -> None:
    """H1: the webhook that hears the words answers with the Dial, nothing in between."""
    call = new_call(sqlite_factory, script, language)
    for form in [
        *({"SpeechResult": s, "Confidence": "0.9"} for s in DISTRESS[language]),
        {"SpeechResult": DISTRESS["en-GB"][1], "Confidence": "0.2"},
        {"Digits": "0"},
    ]:
        twiml = post(sweep_client, gather_url(PUBLIC, call.event_id, step, 1), form)
        query = assert_put_through(twiml)
        assert query["reason"] in (["distress"], ["asked"]), form
        assert query["tried"] == [""]
    with transaction(sqlite_factory) as session:
        call_row = session.get_one(Call, call.event_id)
        assert not call_row.transferred_to_handler  # only once a handler answers


@pytest.mark.parametrize("language", ["en-GB", "pl-PL"])
def test_distress_during_a_read_back_is_put_through_at_once(
    client: TestClient, session_factory: sessionmaker[Session], language: str
) -> None:
    call = new_call(session_factory, ScriptName.UNMET_NEED_CHECKIN, language)
    twiml = post(client, gather_url(PUBLIC, call.event_id, "coping", 1), {"Digits": "1"})
    assert "confirm=managing_ok" in twiml.replace("&amp;", "&")
    read_back = gather_url(PUBLIC, call.event_id, "coping", 1)
    read_back += "&confirm=managing_ok"
    assert_put_through(
        post(client, read_back, {"SpeechResult": DISTRESS[language][1], "Confidence": "0.9"})
    )


def test_pressing_3_in_crisis_is_put_through_before_any_other_question(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call = new_call(session_factory, ScriptName.UNMET_NEED_CHECKIN, "en-GB")
    query = assert_put_through(
        post(client, gather_url(PUBLIC, call.event_id, "coping", 1), {"Digits": "3"})
    )
    assert query["reason"] == ["urgent_answer"]
    with transaction(session_factory) as session:
        assert session.scalars(
            select(CallAnswer.value).where(CallAnswer.call_id == call.event_id)
        ).all() == ["in_crisis"]


def test_silence_after_the_person_answered_is_put_through(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    """H4: Twilio falls through the Gather to its Redirect with no Digits or speech."""
    call = new_call(session_factory, ScriptName.WELFARE_CHECK, "en-GB")
    voice_url, _ = webhook_urls(PUBLIC, call.event_id)
    post(client, voice_url, {"CallSid": "CA1", "AnsweredBy": "human"})
    query = assert_put_through(
        post(client, gather_url(PUBLIC, call.event_id, "feeling_ok", 1), {"CallSid": "CA1"})
    )
    assert query["reason"] == ["silence"]


@pytest.mark.parametrize("confidence", ["0.2", "not-a-number", "nan", "7"])
def test_low_or_unreadable_confidence_is_asked_again_then_put_through(
    client: TestClient, session_factory: sessionmaker[Session], confidence: str
) -> None:
    """H3: a "yes" heard with low (or nonsense) confidence is not taken as feeling OK;
    a non-numeric Confidence no longer fails the webhook with a 500."""
    call = new_call(session_factory, ScriptName.WELFARE_CHECK, "en-GB")
    form = {"SpeechResult": "yes", "Confidence": confidence}
    again = post(client, gather_url(PUBLIC, call.event_id, "feeling_ok", 1), form)
    assert "Sorry, I didn't catch that." in again and "<Dial" not in again
    query = assert_put_through(
        post(client, gather_url(PUBLIC, call.event_id, "feeling_ok", 2), form)
    )
    assert query["reason"] == ["unclear"]
    with transaction(session_factory) as session:
        assert (
            session.scalars(select(CallAnswer).where(CallAnswer.call_id == call.event_id)).all()
            == []
        )


def outbox_alerts(factory: sessionmaker[Session], who: str) -> list[Alert]:
    with transaction(factory) as session:
        rows = session.scalars(
            select(OutboxRecord.payload).where(OutboxRecord.topic == "alerts")
        ).all()
    return [Alert.model_validate(p) for p in rows if p["person_id"] == who]


def test_a_transfer_a_handler_answers_marks_the_call_transferred(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    call = new_call(session_factory, ScriptName.WELFARE_CHECK, "en-GB")
    url = dialed_url(PUBLIC, call.event_id, TransferReason.DISTRESS, ())
    twiml = post(client, url, {"DialCallStatus": "completed", "DialCallDuration": "95"})
    assert [verb.tag for verb in fromstring(twiml)] == ["Hangup"]
    with transaction(session_factory) as session:
        assert session.get_one(Call, call.event_id).transferred_to_handler
    assert outbox_alerts(session_factory, call.person_id) == []


def test_an_unanswered_transfer_tries_the_second_line_then_raises_an_urgent_alert(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    """H2: Twilio's <Dial action> callback with DialCallStatus no-answer, then busy."""
    call = new_call(session_factory, ScriptName.WELFARE_CHECK, "pl-PL")
    first = dialed_url(PUBLIC, call.event_id, TransferReason.DISTRESS, ())
    retry = post(client, first, {"DialCallStatus": "no-answer", "CallStatus": "in-progress"})
    query = assert_put_through(retry, SECOND)
    assert query["tried"] == ["no-answer"]
    assert "Nadal próbujemy" in retry
    assert outbox_alerts(session_factory, call.person_id) == []

    before = utcnow()
    second = dial_of(retry).get("action") or ""
    ended = post(client, second, {"DialCallStatus": "busy", "CallStatus": "in-progress"})

    verbs = list(fromstring(ended))
    assert [verb.tag for verb in verbs] == ["Say", "Hangup"]
    assert "Zgłosiliśmy pilny alarm" in (verbs[0].text or "") and "999" in (verbs[0].text or "")
    [alert] = outbox_alerts(session_factory, call.person_id)
    assert (alert.alert_kind, alert.priority) == (AlertKind.TRANSFER_FAILED, AlertPriority.URGENT)
    assert before <= alert.occurred_at <= utcnow()
    assert f"{alert.occurred_at:%H:%M:%S} UTC" in alert.summary
    assert alert.evidence[1:] == (
        "SCRS line: no-answer (rang up to 20 s)",
        "second SCRS line: busy (rang up to 20 s)",
    )
    with transaction(session_factory) as session:
        assert not session.get_one(Call, call.event_id).transferred_to_handler
        assert session.get_one(CallPlan, call.event_id).end_reason == calls_store.TRANSFER_FAILED

    # Twilio repeating the callback raises the alert once
    post(client, second, {"DialCallStatus": "busy"})
    assert len(outbox_alerts(session_factory, call.person_id)) == 1


def test_stop_calling_me_withdraws_consent_and_tells_a_handler(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    """H11: by whom (the person, on a call), when, how; honoured at dialling too."""
    call = new_call(session_factory, ScriptName.WELFARE_CHECK, "en-GB")
    with transaction(session_factory) as session:
        session.add(Person(id=call.person_id, display_name="Test Person", phone="+447700900555"))
    asked = post(
        client,
        gather_url(PUBLIC, call.event_id, "feeling_ok", 1),
        {"SpeechResult": "stop calling me", "Confidence": "0.9"},
    )
    assert "stop these automated calls" in asked and "stop=1" in asked
    before = utcnow()
    done = post(
        client, gather_url(PUBLIC, call.event_id, "feeling_ok", 1) + "&stop=1", {"Digits": "1"}
    )
    assert "We will not call you again with automated calls" in done
    with transaction(session_factory) as session:
        assert session.get_one(Person, call.person_id).opted_out
        [entry] = consent.history(session, call.person_id)
        assert session.get_one(CallPlan, call.event_id).end_reason == OPTED_OUT
    assert (entry.consent, entry.recorded_by) == (consent.Consent.WITHDRAWN, consent.ON_A_CALL)
    assert before <= entry.recorded_at <= utcnow()
    assert str(call.event_id) in entry.how
    [alert] = outbox_alerts(session_factory, call.person_id)
    assert alert.alert_kind is AlertKind.CALLS_STOPPED

    # A call planned before the opt-out is not dialled: the dialer sees it withdrawn.
    # (due long ago, so it is the one taken: other tests' calls are left as they are)
    later = new_call(
        session_factory,
        ScriptName.POST_DISCHARGE,
        "en-GB",
        call.person_id,
        due_at=datetime(2000, 1, 1, tzinfo=UTC),
    )
    with transaction(session_factory) as session:
        [job] = calls_store.take_due(session, utcnow(), 1)
        calls_store.end_call(session, job.call_id, CallStatus.CANCELED, utcnow())
    assert (job.call_id, job.opted_out) == (later.event_id, True)


def test_a_person_who_hangs_up_while_the_scrs_line_rings_raises_the_alert_at_once(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    """H2: Twilio posts the Dial result after the caller hung up (parent CallStatus
    completed); a second Dial would never ring, so the alert is raised now."""
    call = new_call(session_factory, ScriptName.UNMET_NEED_CHECKIN, "en-GB")
    first = dialed_url(PUBLIC, call.event_id, TransferReason.URGENT_ANSWER, ())
    post(client, first, {"DialCallStatus": "no-answer", "CallStatus": "completed"})
    [alert] = outbox_alerts(session_factory, call.person_id)
    assert alert.priority is AlertPriority.URGENT
    assert alert.evidence[-1] == "the person hung up while the line rang"


def test_without_a_second_line_the_alert_follows_the_first(
    session_factory: sessionmaker[Session],
) -> None:
    single = SETTINGS.model_copy(update={"scrs_fallback_number": None})
    call = new_call(session_factory, ScriptName.WELFARE_CHECK, "en-GB")
    with TestClient(create_ivr_app(single, session_factory)) as one_line:
        post(
            one_line,
            dialed_url(PUBLIC, call.event_id, TransferReason.SILENCE, ()),
            {"DialCallStatus": "busy", "CallStatus": "in-progress"},
        )
    [alert] = outbox_alerts(session_factory, call.person_id)
    assert alert.evidence[1:] == ("SCRS line: busy (rang up to 20 s)",)
