"""Console accounts for the demo: one per role, with fresh passwords printed once by
`tecflow up` (a real service adds its staff with `tecflow users add`)."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.console.accounts import add_user
from services.console.roles import Role
from services.store.models import ConsoleUser


def seed_demo_accounts(session: Session) -> list[tuple[str, str, str]]:
    """(username, role, password) for each demo account made now; existing ones keep
    the password they were given before (and are not listed)."""
    made = []
    for role in Role:
        username = f"demo-{role.value.replace('_', '-')}"
        if session.scalar(select(ConsoleUser.id).where(ConsoleUser.username == username)):
            continue
        password = secrets.token_urlsafe(12)
        add_user(session, username, f"Demo {role.label}", role, password)
        made.append((username, role.value, password))
    return made
