"""The console's only way to change the care record: a command with the signed-in
member of staff as its actor, handed to the care record's handler (`care.handle`).
Views of a person's record are recorded the same way."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, Command, RecordChange, RecordView
from contracts.envelope import utcnow
from services.console.deps import Staff, factory_of


def actor(staff: Staff) -> Actor:
    return Actor(id=staff.username, role=staff.role.value, origin=staff.client)


def apply(request: Request, command: Command) -> Any:
    """Run one command in its own unit of work; the care record's errors propagate
    (`CareRecordError`) for the caller to show."""
    return handle(command, SqlAlchemyUnitOfWork(factory_of(request)))


def viewed(
    request: Request,
    staff: Staff,
    entity: str,
    entity_id: str | None,
    person_id: str | None,
    **detail: Any,
) -> None:
    """Audit a view of part of a person's record (before it is shown: safety over speed,
    a view the log lacks is worse than a page a moment slower)."""
    apply(
        request,
        RecordView(
            entity=entity,
            entity_id=entity_id,
            person_id=person_id,
            by=actor(staff),
            at=utcnow(),
            detail=detail,
        ),
    )


def changed(
    request: Request,
    staff: Staff,
    action: str,
    entity: str,
    entity_id: str | None,
    person_id: str,
    **detail: Any,
) -> None:
    """Audit a change to a person's details or contacts (kept outside the care tables).
    Written before the change commits: a logged change that then failed is safer than a
    change the log lacks."""
    apply(
        request,
        RecordChange(
            action=action,
            entity=entity,
            entity_id=entity_id,
            person_id=person_id,
            by=actor(staff),
            at=utcnow(),
            detail=detail,
        ),
    )
