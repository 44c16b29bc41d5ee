"""Staff accounts (admins only): list, add, unlock after a lock-out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from services.console import accounts
from services.console.deps import Admin, Db
from services.console.rendering import render
from services.console.roles import Role
from services.store.models import ConsoleUser, LoginAttempt

router = APIRouter(prefix="/admin/users", include_in_schema=False)
api = APIRouter(prefix="/users", tags=["accounts"])


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    locked_until: datetime | None
    oidc: bool


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    password: str | None = Field(default=None, max_length=1024)
    oidc_subject: str | None = Field(default=None, max_length=255)


def users(session: Db) -> list[UserOut]:
    return [
        UserOut(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=Role(u.role),
            active=u.active,
            locked_until=u.locked_until,
            oidc=u.oidc_subject is not None,
        )
        for u in session.scalars(select(ConsoleUser).order_by(ConsoleUser.username))
    ]


@router.get("")
def users_page(request: Request, session: Db, staff: Admin, error: str = "") -> HTMLResponse:
    attempts = session.scalars(
        select(LoginAttempt).order_by(LoginAttempt.at.desc()).limit(50)
    ).all()
    return render(
        request,
        "users.html",
        staff,
        users=users(session),
        roles=list(Role),
        attempts=attempts,
        error=error,
    )


@router.post("")
def add_user_form(
    request: Request,
    session: Db,
    staff: Admin,
    username: Annotated[str, Form(max_length=64)],
    display_name: Annotated[str, Form(max_length=200)],
    role: Annotated[Role, Form()],
    password: Annotated[str, Form(max_length=1024)],
) -> Response:
    try:
        accounts.add_user(session, username.strip(), display_name.strip(), role, password)
    except accounts.AccountError as error:
        return users_page(request, session, staff, error=str(error))
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/{user_id}/unlock")
def unlock_form(user_id: int, session: Db, _staff: Admin) -> Response:
    user = session.get(ConsoleUser, user_id)
    if user is None:
        raise HTTPException(404, "no such account")
    user.locked_until = None
    user.failed_logins = 0
    return RedirectResponse("/admin/users", status_code=303)


@api.get("")
def list_users(session: Db, _staff: Admin) -> list[UserOut]:
    return users(session)


@api.post("", status_code=201, responses={409: {"description": "exists or invalid"}})
def add_user(new: NewUser, session: Db, _staff: Admin) -> UserOut:
    try:
        user = accounts.add_user(
            session, new.username, new.display_name, new.role, new.password, new.oidc_subject
        )
    except accounts.AccountError as error:
        raise HTTPException(409, str(error)) from error
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=new.role,
        active=True,
        locked_until=None,
        oidc=user.oidc_subject is not None,
    )
