"""Sign-in and sign-out: local accounts (argon2, lock-out) and OpenID Connect."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from contracts.envelope import utcnow
from services.console import accounts
from services.console.deps import (
    SESSION_COOKIE,
    Db,
    Forbidden,
    Settings,
    SignedIn,
    client_of,
)
from services.console.oidc import OidcClient, OidcRefused
from services.console.rendering import render
from services.console.roles import HOME_OF, Role
from services.console.settings import ConsoleSettings
from services.store.models import ConsoleUser

router = APIRouter(tags=["sign-in"], include_in_schema=False)
api = APIRouter(prefix="/session", tags=["session"])

# Before signing in there is no session to hold a CSRF token: the sign-in form carries
# a random value that must match this cookie (double submit), so another site cannot
# sign a browser in to an account of its choosing.
LOGIN_CSRF_COOKIE = "tecflow_login_csrf"
REFUSED = (
    "That name and password did not match, or the account is locked for a while "
    "after repeated failures. Ask an admin if it keeps happening."
)


def secure(request: Request, settings: ConsoleSettings) -> bool:
    return settings.secure_cookies or request.url.scheme == "https"


def safe_next(target: str | None, role: Role) -> str:
    """Only a path on this site: an open redirect would hand the session to a phishing page."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return HOME_OF[role]


def signed_in(
    request: Request,
    session: Db,
    settings: ConsoleSettings,
    user: ConsoleUser,
    respond: Callable[[accounts.NewSession], Response],
) -> Response:
    """Open a session for `user` and set its cookie on the response `respond` builds.
    SameSite=Lax, not Strict: the OpenID Connect callback arrives from another site."""
    new = accounts.start_session(
        session, user, client=client_of(request), now=utcnow(), settings=settings
    )
    response = respond(new)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=secure(request, settings),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def redirect_to(target: str) -> Callable[[accounts.NewSession], Response]:
    return lambda _new: RedirectResponse(target, status_code=303)


def login_page(
    request: Request,
    settings: ConsoleSettings,
    error: str | None = None,
    status_code: int = 200,
    next_path: str = "",
) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        login_csrf=token,
        error=error,
        next_path=next_path,
        oidc=settings.oidc_enabled,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=secure(request, settings),
        path="/login",
    )
    return response


@router.get("/login")
def login_form(request: Request, settings: Settings, next: str = "") -> Response:
    return login_page(request, settings, next_path=next)


@router.post("/login")
def login(
    request: Request,
    session: Db,
    settings: Settings,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return login_page(
            request,
            settings,
            "The sign-in form had expired; please try again.",
            status_code=403,
            next_path=next,
        )
    outcome = accounts.check_password(
        session,
        username.strip(),
        password,
        client=client_of(request),
        now=utcnow(),
        settings=settings,
    )
    if isinstance(outcome, accounts.SignInRefused):
        return login_page(request, settings, REFUSED, status_code=401, next_path=next)
    target = safe_next(next, Role(outcome.role))
    return signed_in(request, session, settings, outcome, redirect_to(target))


@router.post("/logout")
def logout(request: Request, session: Db, _staff: SignedIn) -> Response:
    accounts.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def oidc_of(request: Request) -> OidcClient:
    client: OidcClient | None = request.app.state.oidc
    if client is None:
        raise Forbidden("OpenID Connect sign-in is not configured here")
    return client


Oidc = Annotated[OidcClient, Depends(oidc_of)]


@router.get("/auth/oidc/login")
async def oidc_login(request: Request, oidc: Oidc) -> Response:
    return await oidc.redirect(request, str(request.url_for("oidc_callback")))


@router.get("/auth/oidc/callback")
async def oidc_callback(request: Request, oidc: Oidc, session: Db, settings: Settings) -> Response:
    try:
        username, subject = await oidc.claims(request)
    except OidcRefused:
        return login_page(
            request,
            settings,
            "Your organisation's sign-in did not complete; please try again.",
            status_code=401,
        )
    outcome = accounts.check_oidc_user(
        session, username, subject, client=client_of(request), now=utcnow()
    )
    if isinstance(outcome, accounts.SignInRefused):
        return login_page(
            request,
            settings,
            "Your organisation signed you in, but there is "
            "no console account for you here. Ask an admin.",
            status_code=403,
        )
    return signed_in(request, session, settings, outcome, redirect_to(HOME_OF[Role(outcome.role)]))


class Credentials(BaseModel):
    username: str
    password: str


class SessionInfo(BaseModel):
    username: str
    display_name: str
    role: Role
    csrf_token: str


@api.post("", responses={401: {"description": "refused"}})
def api_sign_in(
    request: Request, session: Db, settings: Settings, credentials: Credentials
) -> Response:
    """Sign in with a local account: sets the session cookie and returns the CSRF token
    every state-changing call must send in `X-CSRF-Token`. (JSON only, so another site's
    form cannot post it.)"""
    outcome = accounts.check_password(
        session,
        credentials.username,
        credentials.password,
        client=client_of(request),
        now=utcnow(),
        settings=settings,
    )
    if isinstance(outcome, accounts.SignInRefused):
        return JSONResponse({"error": REFUSED}, status_code=401)
    user = outcome
    return signed_in(
        request,
        session,
        settings,
        user,
        lambda new: JSONResponse(
            SessionInfo(
                username=user.username,
                display_name=user.display_name,
                role=Role(user.role),
                csrf_token=new.csrf_token,
            ).model_dump(mode="json")
        ),
    )


@api.get("")
def api_session(staff: SignedIn) -> SessionInfo:
    """Who is signed in, and the CSRF token for state-changing calls."""
    return SessionInfo(
        username=staff.username,
        display_name=staff.display_name,
        role=staff.role,
        csrf_token=staff.csrf_token,
    )


@api.delete("", status_code=204)
def api_sign_out(request: Request, session: Db, _staff: SignedIn) -> Response:
    accounts.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
