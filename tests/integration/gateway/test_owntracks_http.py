"""OwnTracks HTTP mode: the app's JSON posted with its identity in the query, the
X-Limit headers or the body's `topic`, behind Basic auth; answers a JSON array."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from services.gateway.alexa_signature import AlexaVerifier
from services.gateway.http_app import create_app
from services.gateway.intake import Intake
from services.gateway.settings import GatewaySettings
from services.sim.cohort import SimPerson
from tests.integration.gateway.conftest import find_on_topic

pytestmark = pytest.mark.broker
AUTH = ("tracker", "s3cret")


@pytest.fixture
async def client(intake: Intake) -> AsyncIterator[httpx.AsyncClient]:
    settings = GatewaySettings(owntracks_http_username=AUTH[0], owntracks_http_password=AUTH[1])
    app = create_app(intake, settings, AlexaVerifier([]))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway", auth=AUTH
    ) as client:
        yield client


def location(tst: object, **extra: object) -> bytes:
    return json.dumps(
        {
            "_type": "location",
            "lat": 56.462,
            "lon": -2.9707,
            "acc": 12,
            "tst": tst,
            "batt": "81",
            **extra,
        }
    ).encode()


async def located(bootstrap: str, tracker: str, tst: int) -> dict[str, object]:
    from services.gateway.owntracks import parse_payload

    [fix] = parse_payload(tracker, json.loads(location(tst)))  # type: ignore[misc]
    [event] = await asyncio.to_thread(
        find_on_topic, bootstrap, "device.events", lambda e: e["event_id"] == str(fix.event_id)
    )
    return event


async def test_identity_from_query_headers_or_topic_key(
    client: httpx.AsyncClient, person: SimPerson, kafka_bootstrap: str
) -> None:
    tracker = person.device("owntracks").identifier
    user, device = tracker.split("/")
    tsts = [1_706_856_000 + n + uuid.uuid4().int % 10_000 * 10 for n in range(3)]
    posts = [
        client.post("/owntracks", params={"u": user, "d": device}, content=location(tsts[0])),
        client.post(
            "/owntracks",
            headers={"X-Limit-U": user, "X-Limit-D": device},
            content=location(tsts[1]),
        ),
        client.post("/owntracks", content=location(tsts[2], topic=f"owntracks/{tracker}")),
    ]
    for answer in await asyncio.gather(*posts):
        assert (answer.status_code, answer.json()) == (200, [])
    for tst in tsts:
        event = await located(kafka_bootstrap, tracker, tst)
        assert (event["person_id"], event["battery_pct"]) == (person.person_id, 81)


async def test_an_empty_post_is_answered_with_an_empty_array(client: httpx.AsyncClient) -> None:
    answer = await client.post("/owntracks", params={"u": "a", "d": "b"}, content=b"")
    assert (answer.status_code, answer.json()) == (200, [])


async def test_basic_auth_is_required(client: httpx.AsyncClient) -> None:
    answer = await client.post("/owntracks", content=location(1), auth=("tracker", "wrong"))
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Basic"


@pytest.mark.parametrize(
    ("content", "params", "status", "reason"),
    [
        (b"{not json", {"u": "a", "d": "b"}, 400, "not JSON"),
        (b'{"_type":"location","tst":1}', {"u": "a", "d": "b"}, 400, "without lat/lon"),
        (location(1), {}, 400, "no user/device"),
        (location(1e300), {"u": "a", "d": "b"}, 400, "tst is not a time"),
        (location("1e20"), {"u": "a", "d": "b"}, 400, "tst is not a time"),
        (location(1_706_856_000), {"u": "\x00", "d": "b"}, 400, "unusable tracker id"),
        # An unknown tracker hears what a known one hears: nobody learns which exist.
        (location(1_706_856_000), {"u": "nobody", "d": "phone"}, 200, None),
    ],
)
async def test_refusals_are_clear_and_kept(
    client: httpx.AsyncClient,
    kafka_bootstrap: str,
    content: bytes,
    params: dict[str, str],
    status: int,
    reason: str | None,
) -> None:
    marker = uuid.uuid4().hex.encode()  # finds this post's dead letter
    body = content.replace(b"{", b'{"m": "' + marker + b'", ', 1)
    answer = await client.post("/owntracks", params=params, content=body)
    assert answer.status_code == status
    assert answer.json() == [] if reason is None else reason in answer.json()["error"]
    await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "deadletter",
        lambda d: marker in base64.b64decode(d["raw_b64"]),
    )


async def test_a_nul_in_a_text_never_reaches_the_store(
    client: httpx.AsyncClient, person: SimPerson, kafka_bootstrap: str
) -> None:
    user, device = person.device("owntracks").identifier.split("/")
    marker = uuid.uuid4().hex
    body = json.dumps(
        {
            "_type": "transition",
            "event": "enter",
            "desc": f"home\u0000{marker}",
            "tst": 1_706_856_000,
            "lat": 56.4,
            "lon": -2.9,
        }
    ).encode()
    answer = await client.post("/owntracks", params={"u": user, "d": device}, content=body)
    assert answer.status_code == 400
    [letter] = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "deadletter",
        lambda d: marker.encode() in base64.b64decode(d["raw_b64"]),
    )
    assert "NUL" in letter["reason"]
