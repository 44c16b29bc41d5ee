"""Alerts: the alert page and its actions (acknowledge, resolve with an outcome, note,
reopen), and the same as JSON. Every change is a care-record command."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from care.commands import AcknowledgeAlert, AddAlertNote, ReopenAlert, ResolveAlert
from contracts.codes import AlertOutcome
from contracts.envelope import utcnow
from services.console.changes import actor, apply, viewed
from services.console.deps import Db, QueueWorker
from services.console.labels import ALERT_OUTCOMES
from services.console.rendering import render
from services.console.roles import QUEUES_OF, RECORD_EDITORS
from services.console.schemas import PersonFacts
from services.console.views import QueueRow, alert_detail, queue, queue_row

router = APIRouter(prefix="/alerts", include_in_schema=False)
api = APIRouter(prefix="/alerts", tags=["alerts"])


class AlertOut(BaseModel):
    id: uuid.UUID
    kind: str
    priority: str
    queue: str
    status: str
    summary: str
    evidence: list[Any]
    occurrences: int
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    outcome: str | None
    person: PersonFacts

    @classmethod
    def of(cls, found: QueueRow) -> AlertOut:
        return cls(
            **{name: getattr(found, name) for name in cls.model_fields if name != "person"},
            person=PersonFacts(**found.person.__dict__),
        )


class Acknowledge(BaseModel):
    take_over: bool = Field(default=False, description="Take it from the handler who has it")


class Resolve(BaseModel):
    outcome: AlertOutcome
    note: str | None = Field(default=None, max_length=4000)
    take_over: bool = False


class Note(BaseModel):
    text: str = Field(min_length=1, max_length=4000)


class Reopen(BaseModel):
    reason: str = Field(min_length=1, max_length=4000)


def found_row(session: Db, alert_id: uuid.UUID) -> QueueRow:
    found = queue_row(session, alert_id, utcnow().date())
    if found is None:
        raise HTTPException(404, "no such alert")
    return found


# --- pages ------------------------------------------------------------------


@router.get("/{alert_id}")
def alert_page(
    request: Request, alert_id: uuid.UUID, session: Db, staff: QueueWorker
) -> HTMLResponse:
    detail = alert_detail(session, alert_id, utcnow().date())
    if detail is None:
        raise HTTPException(404, "no such alert")
    viewed(request, staff, "alert", str(alert_id), detail.row.person.person_id)
    return render(
        request,
        "alert.html",
        staff,
        alert=detail.row,
        detail=detail,
        outcomes=ALERT_OUTCOMES,
        can_record_calls=staff.role in RECORD_EDITORS,
    )


@router.post("/{alert_id}/acknowledge")
def acknowledge_form(
    request: Request,
    alert_id: uuid.UUID,
    staff: QueueWorker,
    take_over: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    apply(
        request,
        AcknowledgeAlert(alert_id=alert_id, by=actor(staff), at=utcnow(), take_over=take_over),
    )
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/{alert_id}/resolve")
def resolve_form(
    request: Request,
    alert_id: uuid.UUID,
    staff: QueueWorker,
    outcome: Annotated[AlertOutcome, Form()],
    note: Annotated[str, Form(max_length=4000)] = "",
    take_over: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    apply(
        request,
        ResolveAlert(
            alert_id=alert_id,
            outcome=outcome,
            note=note.strip() or None,
            by=actor(staff),
            at=utcnow(),
            take_over=take_over,
        ),
    )
    return RedirectResponse("/queue", status_code=303)


@router.post("/{alert_id}/notes")
def note_form(
    request: Request,
    alert_id: uuid.UUID,
    staff: QueueWorker,
    text: Annotated[str, Form(max_length=4000)],
) -> RedirectResponse:
    apply(request, AddAlertNote(alert_id=alert_id, text=text, by=actor(staff), at=utcnow()))
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


@router.post("/{alert_id}/reopen")
def reopen_form(
    request: Request,
    alert_id: uuid.UUID,
    staff: QueueWorker,
    reason: Annotated[str, Form(max_length=4000)],
) -> RedirectResponse:
    apply(request, ReopenAlert(alert_id=alert_id, reason=reason, by=actor(staff), at=utcnow()))
    return RedirectResponse(f"/alerts/{alert_id}", status_code=303)


# --- JSON -------------------------------------------------------------------

REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "no such alert"},
    409: {"description": "the care record refused the change (the error says why)"},
}


@api.get("")
def list_alerts(session: Db, staff: QueueWorker) -> list[AlertOut]:
    """Open alerts of the queues this role works: most urgent first, then oldest."""
    return [AlertOut.of(found) for found in queue(session, QUEUES_OF[staff.role], utcnow().date())]


@api.get("/{alert_id}", responses=REFUSALS)
def get_alert(request: Request, alert_id: uuid.UUID, session: Db, staff: QueueWorker) -> AlertOut:
    found = found_row(session, alert_id)
    viewed(request, staff, "alert", str(alert_id), found.person.person_id)
    return AlertOut.of(found)


@api.post("/{alert_id}/acknowledge", responses=REFUSALS)
def acknowledge(
    request: Request, alert_id: uuid.UUID, body: Acknowledge, session: Db, staff: QueueWorker
) -> AlertOut:
    """Take the alert: everyone sees who has it. Someone else's only with `take_over`."""
    apply(
        request,
        AcknowledgeAlert(alert_id=alert_id, by=actor(staff), at=utcnow(), take_over=body.take_over),
    )
    return AlertOut.of(found_row(session, alert_id))


@api.post("/{alert_id}/resolve", responses=REFUSALS)
def resolve(
    request: Request, alert_id: uuid.UUID, body: Resolve, session: Db, staff: QueueWorker
) -> AlertOut:
    """Close the alert with what happened (an outcome code) and an optional note."""
    apply(
        request,
        ResolveAlert(
            alert_id=alert_id,
            outcome=body.outcome,
            note=body.note,
            by=actor(staff),
            at=utcnow(),
            take_over=body.take_over,
        ),
    )
    return AlertOut.of(found_row(session, alert_id))


@api.post("/{alert_id}/notes", responses=REFUSALS)
def add_note(
    request: Request, alert_id: uuid.UUID, body: Note, session: Db, staff: QueueWorker
) -> AlertOut:
    apply(request, AddAlertNote(alert_id=alert_id, text=body.text, by=actor(staff), at=utcnow()))
    return AlertOut.of(found_row(session, alert_id))


@api.post("/{alert_id}/reopen", responses=REFUSALS)
def reopen(
    request: Request, alert_id: uuid.UUID, body: Reopen, session: Db, staff: QueueWorker
) -> AlertOut:
    apply(request, ReopenAlert(alert_id=alert_id, reason=body.reason, by=actor(staff), at=utcnow()))
    return AlertOut.of(found_row(session, alert_id))
