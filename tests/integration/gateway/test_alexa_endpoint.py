"""The Alexa skill endpoint with real signatures from a test CA: a correctly signed
request is taken onto the bus; every forged, stale or foreign one is refused and kept."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.gateway.alexa_signature import AlexaVerifier
from services.gateway.http_app import create_app
from services.gateway.intake import Intake
from services.gateway.settings import GatewaySettings
from services.sim.alexa_keys import Authority, Signer
from services.sim.cohort import SimPerson
from tests.integration.gateway.conftest import find_on_topic

pytestmark = pytest.mark.broker
APP_ID = "amzn1.ask.skill.tecflow-test"
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
AUTHORITY = Authority.create()
SIGNER = AUTHORITY.issue()


@pytest.fixture
def chains() -> dict[str, bytes]:
    """What the injected certificate fetcher serves, by URL."""
    return {CERT_URL: SIGNER.chain_pem}


@pytest.fixture
async def client(intake: Intake, chains: dict[str, bytes]) -> AsyncIterator[httpx.AsyncClient]:
    async def fetch(url: str) -> bytes:
        return chains[url]

    settings = GatewaySettings(alexa_application_id=APP_ID)
    app = create_app(intake, settings, AlexaVerifier([AUTHORITY.cert], fetch))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client


def envelope(
    device_id: str,
    intent: str = "CheckInOkIntent",
    app_id: str = APP_ID,
    at: datetime | None = None,
    **slots: str,
) -> bytes:
    stamp = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps(
        {
            "version": "1.0",
            "session": {
                "new": True,
                "sessionId": "amzn1.echo-api.session.1",
                "application": {"applicationId": app_id},
                "user": {"userId": "amzn1.ask.account.1"},
            },
            "context": {
                "System": {
                    "application": {"applicationId": app_id},
                    "device": {"deviceId": device_id},
                }
            },
            "request": {
                "type": "IntentRequest",
                "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
                "timestamp": stamp,
                "locale": "en-GB",
                "intent": {
                    "name": intent,
                    "slots": {k: {"name": k, "value": v} for k, v in slots.items()},
                },
            },
        }
    ).encode()


async def post(
    client: httpx.AsyncClient,
    body: bytes,
    signer: Signer = SIGNER,
    cert_url: str = CERT_URL,
    signed_body: bytes | None = None,
) -> httpx.Response:
    return await client.post(
        "/alexa",
        content=body,
        headers={
            "Content-Type": "application/json",
            "SignatureCertChainUrl": cert_url,
            "Signature-256": signer.sign(signed_body if signed_body is not None else body),
        },
    )


async def test_a_signed_check_in_is_answered_and_reaches_the_bus(
    client: httpx.AsyncClient, person: SimPerson, kafka_bootstrap: str
) -> None:
    body = envelope(person.device("alexa").identifier)
    answer = await post(client, body)
    assert answer.status_code == 200, answer.text
    assert "OK today" in answer.json()["response"]["outputSpeech"]["text"]
    request_id = json.loads(body)["request"]["requestId"]
    [event] = await asyncio.to_thread(
        find_on_topic, kafka_bootstrap, "device.events", lambda e: e.get("request_id") == request_id
    )
    assert (event["person_id"], event["intent"]) == (person.person_id, "checkin_ok")


async def test_sos_and_a_medication_reminder_take_their_lanes(
    client: httpx.AsyncClient, person: SimPerson, kafka_bootstrap: str
) -> None:
    device = person.device("alexa").identifier
    sos, reminder = (
        envelope(device, "SosIntent"),
        envelope(device, "ReminderAcknowledgedIntent", reminder="medication"),
    )
    assert (await post(client, sos)).status_code == 200
    assert (await post(client, reminder)).status_code == 200
    sos_id, reminder_id = (json.loads(b)["request"]["requestId"] for b in (sos, reminder))
    await asyncio.to_thread(
        find_on_topic, kafka_bootstrap, "device.alarms", lambda e: e.get("request_id") == sos_id
    )
    [ack] = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "device.events",
        lambda e: e.get("request_id") == reminder_id,
    )
    assert ack["reminder"] == "medication"


OTHER_AUTHORITY = Authority.create("someone else's CA")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("wrong-signature", "does not match the body"),
        ("expired-certificate", "not valid now"),
        ("wrong-san", "does not name echo-api.amazon.com"),
        ("untrusted-ca", "not trusted"),
        ("http-url", "not https"),
        ("other-host", "host is not s3.amazonaws.com"),
        ("path-escape", "path is not under /echo.api/"),
        ("stale-timestamp", "150 s"),
        ("wrong-application", "applicationId"),
    ],
)
async def test_forged_stale_or_foreign_requests_are_refused_and_kept(
    client: httpx.AsyncClient,
    chains: dict[str, bytes],
    person: SimPerson,
    kafka_bootstrap: str,
    case: str,
    reason: str,
) -> None:
    device = person.device("alexa").identifier
    body, signer, url, signed = envelope(device), SIGNER, CERT_URL, None
    if case == "wrong-signature":
        signed = body.replace(b"CheckInOkIntent", b"SosIntent")
    elif case == "expired-certificate":
        signer = AUTHORITY.issue(valid_from=timedelta(days=-20), valid_for=timedelta(days=10))
    elif case == "wrong-san":
        signer = AUTHORITY.issue(san="evil.example.com")
    elif case == "untrusted-ca":
        signer = OTHER_AUTHORITY.issue()
    elif case == "http-url":
        url = CERT_URL.replace("https", "http")
    elif case == "other-host":
        url = CERT_URL.replace("s3.amazonaws.com", "s3.evil.example")
    elif case == "path-escape":
        url = "https://s3.amazonaws.com/echo.api/../invalid/cert.pem"
    elif case == "stale-timestamp":
        body = envelope(device, at=datetime.now(UTC) - timedelta(seconds=200))
    elif case == "wrong-application":
        body = envelope(device, app_id="amzn1.ask.skill.someone-else")
    if signer is not SIGNER:
        url = f"https://s3.amazonaws.com/echo.api/{case}.pem"
    chains[url] = signer.chain_pem
    answer = await post(client, body, signer, url, signed)
    assert answer.status_code == 400
    assert reason in answer.json()["error"]
    request_id = json.loads(body)["request"]["requestId"].encode()
    [letter] = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "deadletter",
        lambda d: request_id in base64.b64decode(d["raw_b64"]),
    )
    assert letter["origin"] == "gateway.alexa"
