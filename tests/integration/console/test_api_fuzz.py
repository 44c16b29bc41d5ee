"""API fuzzing of the console's JSON API from its OpenAPI document, signed in as an admin
(who may use every route) with the CSRF token sent, so the requests reach past the role
and token checks: refusals, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.console.roles import Role
from tests.support.apifuzz import requests
from tests.support.console import Account, sign_in


@pytest.fixture
def admin(
    console_app: FastAPI, accounts: dict[Role, Account]
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with TestClient(console_app, raise_server_exceptions=False) as client:
        csrf = sign_in(client, accounts[Role.ADMIN])
        headers = {
            "X-CSRF-Token": csrf,
            "Cookie": f"tecflow_session={client.cookies['tecflow_session']}",
        }
        yield client, headers


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_the_api_never_answers_500(
    admin: tuple[TestClient, dict[str, str]], data: st.DataObject
) -> None:
    client, headers = admin
    request = data.draw(
        requests(
            client.app.openapi(),  # type: ignore[attr-defined]
            sign=lambda _path, _query, _form: headers,
        )
    )
    answer = client.send(request)
    assert answer.status_code < 500, (request.method, request.url, answer.text)
