"""Console test helpers: accounts per role and signing in as a browser does."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from care.domain.alerts import Alert
from services.console.accounts import add_user
from services.console.roles import Role
from services.store.db import transaction

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    password: str = PASSWORD


def make_accounts(factory: sessionmaker[Session]) -> dict[Role, Account]:
    """One fresh account per role (names unique per call: the store is shared)."""
    suffix = uuid.uuid4().hex[:6]
    made = {}
    with transaction(factory) as session:
        for role in Role:
            account = Account(f"{role.value}-{suffix}", role)
            add_user(session, account.username, f"Test {role.label}", role, account.password)
            made[role] = account
    return made


def login_csrf(client: TestClient) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, account: Account, password: str | None = None) -> str:
    """Sign in through the form; returns the session's CSRF token from the next page."""
    response = client.post(
        "/login",
        data={
            "username": account.username,
            "password": password or account.password,
            "csrf_token": login_csrf(client),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    me = client.get("/api/session")
    assert me.status_code == 200, me.text
    token: str = me.json()["csrf_token"]
    return token


def seed_person(factory: sessionmaker[Session], **details: object) -> str:
    """A person with a keyholder (people are not care data: written straight to the store)."""
    from datetime import date

    from services.store.models import Contact, Person

    person_id = f"P{uuid.uuid4().hex[:8].upper()}"
    with transaction(factory) as session:
        session.add(
            Person(
                id=person_id,
                **(
                    {
                        "display_name": "Margaret Test",
                        "phone": "+441382000123",
                        "postcode": "DD1 1AA",
                        "date_of_birth": date(1938, 5, 17),
                        "lives_alone": True,
                    }
                    | details
                ),
            )
        )
        session.flush()
        session.add(
            Contact(
                person_id=person_id,
                name="Ann Test",
                relationship_to_person="daughter",
                phone="+441382000456",
                is_keyholder=True,
                call_order=1,
            )
        )
    return person_id


def raise_alarm(
    factory: sessionmaker[Session], person_id: str, summary: str = "Pendant pressed"
) -> Alert:
    """An urgent alarm raised the way the streams raise one: through the care record."""
    from care import handle
    from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
    from care.commands import Actor, RaiseAlert
    from contracts.codes import AlertPriority
    from contracts.envelope import utcnow

    alert: Alert | None = handle(
        RaiseAlert(
            person_id=person_id,
            key=f"alarm:{person_id}:{uuid.uuid4().hex[:6]}",
            kind="alarm",
            priority=AlertPriority.URGENT,
            summary=summary,
            by=Actor.system("tests"),
            at=utcnow(),
            evidence=("personal trigger, manual alarm",),
        ),
        SqlAlchemyUnitOfWork(factory),
    )
    assert alert is not None
    return alert
