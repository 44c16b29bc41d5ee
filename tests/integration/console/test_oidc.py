"""OpenID Connect sign-in against a real provider started here (oidc-provider-mock, an
Authlib provider): the full authorization-code flow with PKCE, a signed ID token the
console verifies against the provider's JWKS, and a nonce."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from oidc_provider_mock import User, run_server_in_thread
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.console.accounts import add_user
from services.console.app import create_app
from services.console.roles import Role
from services.console.settings import ConsoleSettings
from services.store.db import transaction
from services.store.models import ConsoleUser

SUBJECT = f"sub-{uuid.uuid4().hex[:8]}"
USERNAME = f"oidc-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    users = [
        User(sub=SUBJECT, claims={"preferred_username": USERNAME}),
        User(sub="stranger", claims={"preferred_username": "no-such-account"}),
    ]
    with run_server_in_thread(require_nonce=True, user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc_client(provider: str, console_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    with transaction(console_factory) as session:
        if not session.scalar(select(ConsoleUser).where(ConsoleUser.username == USERNAME)):
            add_user(session, USERNAME, "Sam Council", Role.RMU_OFFICER, password=None)
    settings = ConsoleSettings(
        oidc_issuer=provider,
        oidc_client_id="tecflow-console",
        oidc_client_secret="not-checked-by-this-provider",
    )
    with TestClient(create_app(settings, console_factory)) as client:
        yield client


def provider_says_yes(client: TestClient, subject: str) -> httpx.Response:
    """What the browser does: follow the console to the provider, pick the account there,
    and bring the code back to the console's callback."""
    start = client.get("/auth/oidc/login", follow_redirects=False)
    assert start.status_code == 302
    authorize = start.headers["location"]
    assert "code_challenge=" in authorize and "nonce=" in authorize
    with httpx.Client() as browser:
        form = browser.get(authorize)
        assert form.status_code == 200
        back = browser.post(authorize, data={"sub": subject})
    assert back.status_code == 302, back.text
    callback = back.headers["location"]
    assert callback.startswith("http://testserver/auth/oidc/callback?code=")
    response: httpx.Response = client.get(
        callback.removeprefix("http://testserver"), follow_redirects=False
    )
    return response


def test_the_login_page_offers_the_council_sign_in(oidc_client: TestClient) -> None:
    assert "/auth/oidc/login" in oidc_client.get("/login").text


def test_a_verified_id_token_signs_in_the_account_it_names(
    oidc_client: TestClient, console_factory: sessionmaker[Session]
) -> None:
    done = provider_says_yes(oidc_client, SUBJECT)
    assert done.status_code == 303 and done.headers["location"] == "/needs"
    me = oidc_client.get("/api/session").json()
    assert me["username"] == USERNAME and me["role"] == "rmu_officer"
    with console_factory() as session:
        bound = session.scalar(
            select(ConsoleUser.oidc_subject).where(ConsoleUser.username == USERNAME)
        )
    assert bound == SUBJECT  # the account is now tied to this identity


def test_an_identity_with_no_account_here_is_refused(oidc_client: TestClient) -> None:
    done = provider_says_yes(oidc_client, "stranger")
    assert done.status_code == 403
    assert oidc_client.get("/api/session").status_code == 401


def test_a_forged_callback_is_refused(oidc_client: TestClient) -> None:
    oidc_client.get("/auth/oidc/login", follow_redirects=False)
    forged = oidc_client.get("/auth/oidc/callback?code=made-up&state=made-up")
    assert forged.status_code == 401
    assert oidc_client.get("/api/session").status_code == 401


def test_without_oidc_configured_the_route_is_refused(
    console_factory: sessionmaker[Session],
) -> None:
    with TestClient(create_app(ConsoleSettings(), console_factory)) as client:
        assert client.get("/auth/oidc/login").status_code == 403
        assert not re.search("/auth/oidc/login", client.get("/login").text)
