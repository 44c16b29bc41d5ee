"""The audit log (admins only): who saw or changed whose record, when, from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.console.deps import Admin, Db
from services.console.rendering import render
from services.store.models import AuditRecord

router = APIRouter(prefix="/admin/audit", include_in_schema=False)
api = APIRouter(prefix="/audit", tags=["audit"])
LIMIT = 200


class AuditOut(BaseModel):
    id: int
    at: datetime
    actor: str
    role: str
    action: str
    entity: str
    entity_id: str | None
    person_id: str | None
    origin: str | None
    detail: dict[str, Any]


def entries(
    session: Session, person: str = "", actor: str = "", action: str = ""
) -> list[AuditOut]:
    """The newest entries first, narrowed by person, actor and action when given."""
    statement = select(AuditRecord).order_by(AuditRecord.id.desc()).limit(LIMIT)
    if person:
        statement = statement.where(AuditRecord.person_id == person)
    if actor:
        statement = statement.where(AuditRecord.actor == actor)
    if action:
        statement = statement.where(AuditRecord.action == action)
    return [
        AuditOut.model_validate(entry, from_attributes=True) for entry in session.scalars(statement)
    ]


@router.get("")
def audit_page(
    request: Request,
    session: Db,
    staff: Admin,
    person: str = "",
    actor: str = "",
    action: str = "",
) -> HTMLResponse:
    return render(
        request,
        "audit.html",
        staff,
        entries=entries(session, person, actor, action),
        person=person,
        actor=actor,
        action=action,
        limit=LIMIT,
    )


@api.get("")
def list_audit(
    session: Db, _staff: Admin, person: str = "", actor: str = "", action: str = ""
) -> list[AuditOut]:
    """The newest 200 entries, optionally for one person, actor or action."""
    return entries(session, person, actor, action)
