"""API fuzzing of the gateway's HTTP endpoints (OwnTracks HTTP, Alexa, health) from their
OpenAPI document, against a real intake and broker: refusals, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.gateway.alexa_signature import AlexaVerifier
from services.gateway.http_app import create_app
from services.gateway.intake import Intake
from services.gateway.settings import GatewaySettings
from tests.support.apifuzz import requests

pytestmark = pytest.mark.broker


@pytest.fixture
def client(intake: Intake) -> Iterator[TestClient]:
    app = create_app(intake, GatewaySettings(alexa_application_id="skill"), AlexaVerifier([]))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_no_openapi_or_docs_are_served(client: TestClient) -> None:
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert client.get(path).status_code == 404


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_the_gateway_endpoints_never_answer_500(client: TestClient, data: st.DataObject) -> None:
    request = data.draw(
        requests(
            client.app.openapi(),  # type: ignore[attr-defined]
            known={"u": "nobody", "d": "phone"},
        )
    )
    answer = client.send(request)
    assert answer.status_code < 500, (request.url, answer.text)
