"""Staff accounts, sign-in and sessions: the console's own tables (not care data).

Passwords are argon2id hashes (argon2-cffi's defaults, RFC 9106's second
recommendation). After `lockout_failures` bad passwords in a row an account is locked
for `lockout_minutes`; an unknown name costs the same hashing time as a known one, and
the refusal never says which of the two was wrong."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from contracts.errors import TecflowError
from services.console.roles import Role
from services.console.settings import ConsoleSettings
from services.store.models import ConsoleSession, ConsoleUser, LoginAttempt

MIN_PASSWORD_LENGTH = 12
# Sessions touched less often than this keep their last_seen_at: no write per request.
TOUCH_EVERY = timedelta(minutes=1)

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(TecflowError, ValueError):
    """An account cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class NewSession:
    token: str  # goes in the cookie; only its hash is stored
    csrf_token: str


@dataclass(frozen=True)
class SignInRefused:
    reason: str  # for the attempts log only; the person is told nothing more specific


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_user(
    session: Session,
    username: str,
    display_name: str,
    role: Role,
    password: str | None = None,
    oidc_subject: str | None = None,
) -> ConsoleUser:
    if session.scalar(select(ConsoleUser).where(ConsoleUser.username == username)):
        raise AccountError(f"an account named {username!r} exists")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    user = ConsoleUser(
        username=username,
        display_name=display_name,
        role=role.value,
        password_hash=_hasher.hash(password) if password is not None else None,
        oidc_subject=oidc_subject,
        active=True,
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user


def check_password(
    session: Session,
    username: str,
    password: str,
    *,
    client: str | None,
    now: datetime,
    settings: ConsoleSettings,
) -> ConsoleUser | SignInRefused:
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
    refused = _refusal(user, now)
    if refused is None and user is not None:
        if _verify(user.password_hash, password):
            user.failed_logins = 0
            user.locked_until = None
            if user.password_hash and _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
        else:
            refused = SignInRefused("bad password")
            user.failed_logins += 1
            if user.failed_logins >= settings.lockout_failures:
                user.locked_until = now + timedelta(minutes=settings.lockout_minutes)
                user.failed_logins = 0
                refused = SignInRefused("bad password; locked")
    elif user is None:
        _verify(_DUMMY_HASH, password)  # the same time as a known name
    _log_attempt(session, username, "password", refused, client, now)
    return _outcome(user, refused)


def check_oidc_user(
    session: Session, username: str, subject: str, *, client: str | None, now: datetime
) -> ConsoleUser | SignInRefused:
    """The account an identity provider vouched for: named by its username claim, and
    bound to the provider's subject the first time so a renamed account cannot be taken."""
    user = session.scalar(select(ConsoleUser).where(ConsoleUser.username == username))
    refused = _refusal(user, now)
    if refused is None and user is not None:
        if user.oidc_subject is None:
            user.oidc_subject = subject
        elif user.oidc_subject != subject:
            refused = SignInRefused("subject mismatch")
    _log_attempt(session, username, "oidc", refused, client, now)
    return _outcome(user, refused)


def _outcome(
    user: ConsoleUser | None, refused: SignInRefused | None
) -> ConsoleUser | SignInRefused:
    if refused is not None or user is None:
        return refused or SignInRefused("unknown account")
    return user


def _refusal(user: ConsoleUser | None, now: datetime) -> SignInRefused | None:
    if user is None:
        return SignInRefused("unknown account")
    if not user.active:
        return SignInRefused("account disabled")
    if user.locked_until is not None and user.locked_until > now:
        return SignInRefused("locked")
    return None


def _verify(password_hash: str | None, password: str) -> bool:
    if password_hash is None:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _log_attempt(
    session: Session,
    username: str,
    method: str,
    refused: SignInRefused | None,
    client: str | None,
    now: datetime,
) -> None:
    session.add(
        LoginAttempt(
            username=username[:64],
            at=now,
            succeeded=refused is None,
            method=method,
            reason=refused.reason if refused else None,
            client=client,
        )
    )


def start_session(
    session: Session,
    user: ConsoleUser,
    *,
    client: str | None,
    now: datetime,
    settings: ConsoleSettings,
) -> NewSession:
    new = NewSession(token=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32))
    session.add(
        ConsoleSession(
            token_hash=token_hash(new.token),
            user_id=user.id,
            csrf_token=new.csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_hours),
            client=client,
        )
    )
    return new


def find_session(
    session: Session, token: str, *, now: datetime, settings: ConsoleSettings
) -> ConsoleSession | None:
    """The live session the cookie names, or None once expired, idle or disabled."""
    found = session.get(ConsoleSession, token_hash(token))
    if found is None:
        return None
    idle = now - found.last_seen_at > timedelta(minutes=settings.idle_minutes)
    if found.expires_at <= now or idle or not found.user.active:
        session.delete(found)
        return None
    if now - found.last_seen_at > TOUCH_EVERY:
        found.last_seen_at = now
    return found


def end_session(session: Session, token: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token)))
