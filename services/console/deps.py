"""Request dependencies: the store, the signed-in member of staff, the role checks.

Every route names one of the role aliases below (`QueueWorker`, `RecordReader`,
`NeedReader`, `Admin`, or `SignedIn` for pages any role may see), so no route can
forget its check.
The role check also verifies the CSRF token on every state-changing method: a route
that changes anything cannot have the first check without the second."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from contracts.envelope import utcnow
from contracts.errors import TecflowError
from services.console import accounts
from services.console.roles import (
    ADMINS,
    FLAG_READERS,
    FLAG_WORKERS,
    NEED_READERS,
    NEED_WORKERS,
    QUEUE_WORKERS,
    RECORD_EDITORS,
    RECORD_READERS,
    Role,
)
from services.console.settings import ConsoleSettings

SESSION_COOKIE = "tecflow_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotSignedIn(TecflowError):
    """No live session: pages redirect to the sign-in page, the API answers 401."""


class Forbidden(TecflowError):
    """Signed in, but this role may not do this (or the CSRF token is missing/wrong)."""


@dataclass(frozen=True)
class Staff:
    """The member of staff making the request."""

    user_id: int
    username: str
    display_name: str
    role: Role
    csrf_token: str
    client: str | None


def settings_of(request: Request) -> ConsoleSettings:
    settings: ConsoleSettings = request.app.state.settings
    return settings


def factory_of(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.factory
    return factory


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def db(request: Request) -> Iterator[Session]:
    """A store session for the request: one transaction, committed if the route returns."""
    with factory_of(request)() as session, session.begin():
        yield session


# scope="function": the commit happens before the response leaves, so a browser that
# follows a redirect at once (sign-in, then the queue) finds what the request wrote.
Db = Annotated[Session, Depends(db, scope="function")]
Settings = Annotated[ConsoleSettings, Depends(settings_of)]


def current_staff(request: Request, settings: Settings) -> Staff:
    """Its own short transaction, not the route's: a live-queue stream that stays open
    all shift must not hold a database connection all shift."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise NotSignedIn
    with factory_of(request)() as session, session.begin():
        found = accounts.find_session(session, token, now=utcnow(), settings=settings)
        if found is None:
            raise NotSignedIn
        return Staff(
            user_id=found.user.id,
            username=found.user.username,
            display_name=found.user.display_name,
            role=Role(found.user.role),
            csrf_token=found.csrf_token,
            client=client_of(request),
        )


async def csrf_token_sent(request: Request) -> str:
    """The token in the X-CSRF-Token header (htmx and API calls) or the form field."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    return sent or ""


def require(roles: frozenset[Role]) -> Callable[..., Coroutine[Any, Any, Staff]]:
    async def check(request: Request, staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
        if staff.role not in roles:
            raise Forbidden(f"{staff.role.label}s cannot use this")
        if request.method not in SAFE_METHODS and not secrets.compare_digest(
            (await csrf_token_sent(request)).encode(), staff.csrf_token.encode()
        ):
            raise Forbidden("the form's security token is missing or out of date; reload")
        return staff

    check.roles = roles  # type: ignore[attr-defined]  # read by the route-coverage tests
    return check


SignedIn = Annotated[Staff, Depends(require(frozenset(Role)))]
QueueWorker = Annotated[Staff, Depends(require(QUEUE_WORKERS))]
RecordReader = Annotated[Staff, Depends(require(RECORD_READERS))]
RecordEditor = Annotated[Staff, Depends(require(RECORD_EDITORS))]
NeedReader = Annotated[Staff, Depends(require(NEED_READERS))]
NeedWorker = Annotated[Staff, Depends(require(NEED_WORKERS))]
FlagReader = Annotated[Staff, Depends(require(FLAG_READERS))]
FlagWorker = Annotated[Staff, Depends(require(FLAG_WORKERS))]
Admin = Annotated[Staff, Depends(require(ADMINS))]
