"""Sign-in: cookies, lock-out, sign-out, redirects, the JSON session, `tecflow users add`."""

from __future__ import annotations

import uuid

from click.testing import CliRunner
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.cli import main
from services.console.roles import Role
from services.store.db import transaction
from services.store.models import ConsoleSession, ConsoleUser, LoginAttempt
from tests.support.console import Account, login_csrf, make_accounts, sign_in


def post_login(client: TestClient, username: str, password: str, **extra: str) -> int:
    response = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": login_csrf(client),
            **extra,
        },
        follow_redirects=False,
    )
    status: int = response.status_code
    return status


def test_the_session_cookie_is_httponly_samesite_and_secure_over_https(
    console_app: object, accounts: dict[Role, Account]
) -> None:
    with TestClient(console_app, base_url="https://testserver") as client:  # type: ignore[arg-type]
        token = login_csrf(client)
        response = client.post(
            "/login",
            data={
                "username": accounts[Role.CALL_HANDLER].username,
                "password": accounts[Role.CALL_HANDLER].password,
                "csrf_token": token,
            },
            follow_redirects=False,
        )
    assert response.status_code == 303
    assert response.headers["location"] == "/queue"
    cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith("tecflow_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "secure", "path=/"} <= flags


def test_only_a_hash_of_the_session_token_is_stored(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    sign_in(client, accounts[Role.MANAGER])
    token = client.cookies["tecflow_session"]
    with console_factory() as session:
        stored = session.scalars(select(ConsoleSession.token_hash)).all()
    assert token not in stored and len(stored) >= 1


def test_a_sign_in_form_without_its_token_is_refused(
    client: TestClient, accounts: dict[Role, Account]
) -> None:
    account = accounts[Role.CALL_HANDLER]
    response = client.post(
        "/login",
        data={"username": account.username, "password": account.password, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert "tecflow_session" not in client.cookies


def test_repeated_failures_lock_the_account_until_an_admin_unlocks_it(
    client: TestClient, console_factory: sessionmaker[Session], accounts: dict[Role, Account]
) -> None:
    victim = make_accounts(console_factory)[Role.CALL_HANDLER]
    for _ in range(5):
        assert post_login(client, victim.username, "wrong password!!") == 401
    # Locked: even the right password is refused, with the same words as a wrong one.
    assert post_login(client, victim.username, victim.password) == 401
    with console_factory() as session:
        reasons = session.scalars(
            select(LoginAttempt.reason)
            .where(LoginAttempt.username == victim.username)
            .order_by(LoginAttempt.id)
        ).all()
        victim_id = session.scalar(
            select(ConsoleUser.id).where(ConsoleUser.username == victim.username)
        )
    assert reasons == ["bad password"] * 4 + ["bad password; locked", "locked"]

    admin = TestClient(client.app)
    csrf = sign_in(admin, accounts[Role.ADMIN])
    assert (
        admin.post(
            f"/admin/users/{victim_id}/unlock", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    assert post_login(client, victim.username, victim.password) == 303


def test_an_unknown_name_is_refused_like_a_wrong_password(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={
            "username": f"nobody-{uuid.uuid4().hex[:6]}",
            "password": "whatever it is",
            "csrf_token": login_csrf(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 401
    assert "did not match" in response.text


def test_sign_out_ends_the_session_for_good(
    client: TestClient, accounts: dict[Role, Account]
) -> None:
    csrf = sign_in(client, accounts[Role.CALL_HANDLER])
    stolen = client.cookies["tecflow_session"]
    client.post("/logout", data={"csrf_token": csrf})
    replay = TestClient(client.app, cookies={"tecflow_session": stolen})
    assert replay.get("/api/alerts").status_code == 401


def test_next_is_followed_only_within_the_site(
    client: TestClient, accounts: dict[Role, Account]
) -> None:
    account = accounts[Role.CALL_HANDLER]
    for target, expected in [
        ("/queue?x=1", "/queue?x=1"),
        ("//evil.example/", "/queue"),
        ("https://evil.example/", "/queue"),
    ]:
        response = client.post(
            "/login",
            data={
                "username": account.username,
                "password": account.password,
                "csrf_token": login_csrf(client),
                "next": target,
            },
            follow_redirects=False,
        )
        assert response.headers["location"] == expected


def test_the_json_session_signs_in_and_returns_the_csrf_token(
    client: TestClient, accounts: dict[Role, Account]
) -> None:
    account = accounts[Role.ADMIN]
    refused = client.post(
        "/api/session", json={"username": account.username, "password": "not it at all"}
    )
    assert refused.status_code == 401
    signed = client.post(
        "/api/session", json={"username": account.username, "password": account.password}
    )
    assert signed.status_code == 200
    body = signed.json()
    assert body["role"] == "admin" and body["csrf_token"]
    assert client.get("/api/users").status_code == 200
    assert client.delete("/api/session").status_code == 403  # no CSRF token
    out = client.delete("/api/session", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204
    assert client.get("/api/users").status_code == 401


def test_users_add_creates_an_account_that_can_sign_in(
    sqlite_url: str, client: TestClient, monkeypatch: object
) -> None:
    username = f"cli-{uuid.uuid4().hex[:6]}"
    result = CliRunner().invoke(
        main,
        [
            "users",
            "add",
            username,
            "--name",
            "Pat Handler",
            "--role",
            "call_handler",
            "--password-stdin",
        ],
        input="a long enough password\n",
        env={"TECFLOW_DATABASE_URL": sqlite_url},
    )
    assert result.exit_code == 0, result.output
    assert post_login(client, username, "a long enough password") == 303
    short = CliRunner().invoke(
        main,
        ["users", "add", f"{username}x", "--name", "P", "--role", "admin", "--password-stdin"],
        input="short\n",
        env={"TECFLOW_DATABASE_URL": sqlite_url},
    )
    assert short.exit_code != 0 and "12 characters" in short.output


def test_an_account_added_by_an_admin_can_sign_in(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    csrf = sign_in(client, accounts[Role.ADMIN])
    username = f"new-{uuid.uuid4().hex[:6]}"
    response = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": username,
            "display_name": "New Officer",
            "role": "rmu_officer",
            "password": "twelve chars ok",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    with transaction(console_factory) as session:
        assert (
            session.scalar(select(ConsoleUser.role).where(ConsoleUser.username == username))
            == "rmu_officer"
        )
