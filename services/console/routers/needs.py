"""The unmet-need list (RMU officers; managers read): the triaged list with filters and
each position's reason, live by server-sent events (someone who answers "in crisis" on
a call goes to the top while the officer watches), the CSV export, the weekly figures,
and one entry's history with its status changes (audited)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from care.commands import ChangeNeedStatus
from contracts.codes import NeedLevel, NeedStatus, WaitingLocation
from contracts.envelope import utcnow
from services.console.changes import actor, apply, viewed
from services.console.deps import Db, NeedReader, NeedWorker, Staff, factory_of
from services.console.needlist import (
    NeedDetail,
    NeedFilters,
    NeedList,
    figures,
    need_detail,
    on_list,
)
from services.console.needlist import need_list as triaged_list
from services.console.rendering import render
from services.console.roles import NEED_WORKERS
from services.console.routers.queue import RECHECK_S, still_signed_in
from services.needs.csvfile import write_rows
from services.needs.figures import WeeklyFigures

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/needs", tags=["unmet need"])
STATUSES = [(s, s.value.replace("_", " ")) for s in NeedStatus]


E = TypeVar("E", NeedLevel, WaitingLocation, NeedStatus)


def choice(kind: type[E], name: str, value: str) -> E | None:
    """A filter from the form: blank is "any" (the form's first option)."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        raise HTTPException(422, f"{name}: not one of {', '.join(kind)}") from None


def filters(
    need_level: str = "",
    waiting_at: str = "",
    status: str = "",
    min_days: Annotated[str, Query(max_length=5, pattern=r"^\d*$")] = "",
) -> NeedFilters:
    return NeedFilters(
        choice(NeedLevel, "need_level", need_level),
        choice(WaitingLocation, "waiting_at", waiting_at),
        choice(NeedStatus, "status", status),
        int(min_days) if min_days else None,
    )


Filters = Annotated[NeedFilters, Depends(filters)]


def today() -> date:
    return utcnow().date()


def rows_for(request: Request, chosen: NeedFilters) -> NeedList:
    with factory_of(request)() as session:
        return triaged_list(session, chosen, today())


# --- pages ------------------------------------------------------------------


@router.get("/needs")
def needs_page(request: Request, session: Db, staff: NeedReader, chosen: Filters) -> HTMLResponse:
    found = triaged_list(session, chosen, today())
    viewed(
        request, staff, "unmet_need_list", None, None, shown=len(found.rows), filters=chosen.query()
    )
    return render(
        request,
        "needs.html",
        staff,
        found=found,
        chosen=chosen,
        figures=figures(session, today()),
        levels=list(NeedLevel),
        places=list(WaitingLocation),
        statuses=STATUSES,
    )


@router.get("/needs/rows")
def needs_rows(request: Request, staff: NeedReader, chosen: Filters) -> HTMLResponse:
    return render(request, "_need_rows.html", staff, found=rows_for(request, chosen))


@router.get("/needs/export.csv")
def needs_export(request: Request, session: Db, staff: NeedReader, chosen: Filters) -> Response:
    """The list as it stands (with the filters), every matching row, rank and reason."""
    found = triaged_list(session, chosen, today())
    viewed(
        request,
        staff,
        "unmet_need_list",
        None,
        None,
        exported=len(found.triaged),
        filters=chosen.query(),
    )
    return Response(
        write_rows(found.triaged),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="unmet-need-{today():%Y-%m-%d}.csv"'
        },
    )


@router.get("/events/needs")
async def needs_events(request: Request, staff: NeedReader, chosen: Filters) -> EventSourceResponse:
    """The list's rows as HTML, sent at once and again on every change to the list; the
    stream ends within `RECHECK_S` of the viewer's session ending."""
    watch = request.app.state.need_watch
    templates = request.app.state.templates

    async def stream() -> AsyncIterator[ServerSentEvent]:
        sent = None
        async for generation in watch.changes(idle_s=RECHECK_S):
            if not await run_in_threadpool(still_signed_in, request):
                return
            if generation == sent:
                continue
            sent = generation
            found = await run_in_threadpool(rows_for, request, chosen)
            html = templates.get_template("_need_rows.html").render(
                found=found, staff=staff, request=request
            )
            yield ServerSentEvent(data=html, event="needs")

    return EventSourceResponse(stream(), ping=15)


def found_detail(request: Request, session: Db, staff: Staff, person_id: str) -> NeedDetail:
    detail = need_detail(session, person_id, today())
    if detail is None:
        raise HTTPException(404, "this person is not on the unmet-need list")
    viewed(request, staff, "unmet_need", person_id, person_id)
    return detail


@router.get("/needs/{person_id}")
def need_page(request: Request, person_id: str, session: Db, staff: NeedReader) -> HTMLResponse:
    detail = found_detail(request, session, staff, person_id)
    return render(
        request,
        "need.html",
        staff,
        detail=detail,
        statuses=STATUSES,
        can_change=staff.role in NEED_WORKERS,
    )


def change_status(
    request: Request, session: Db, staff: Staff, person_id: str, status: NeedStatus, reason: str
) -> None:
    """An officer's own judgement of how the person is (a call since may change it again).
    The care record's handler keeps its history and audits it."""
    if not on_list(session, person_id):
        raise HTTPException(404, "this person is not on the unmet-need list")
    apply(
        request,
        ChangeNeedStatus(
            person_id=person_id, status=status, reason=reason, by=actor(staff), at=utcnow()
        ),
    )


@router.post("/needs/{person_id}/status")
def status_form(
    request: Request,
    person_id: str,
    session: Db,
    staff: NeedWorker,
    status: Annotated[NeedStatus, Form()],
    reason: Annotated[str, Form(min_length=1, max_length=1000)],
) -> RedirectResponse:
    change_status(request, session, staff, person_id, status, reason.strip())
    return RedirectResponse(f"/needs/{person_id}", status_code=303)


# --- JSON -------------------------------------------------------------------


class NeedOut(BaseModel):
    rank: int
    person_id: str
    name: str | None
    need_level: NeedLevel
    hours_per_week: float
    waiting_at: WaitingLocation
    status: NeedStatus
    days_waiting: int
    lives_alone: bool
    falls_flag: bool
    reason: str = Field(description="Why this position: the triage rule's factors")


class NeedListOut(BaseModel):
    waiting: int = Field(description="Everyone on the list")
    matching: int = Field(description="Those the filters keep (the first 200 are listed)")
    needs: list[NeedOut]


class StatusChange(BaseModel):
    status: NeedStatus
    reason: str = Field(min_length=1, max_length=1000)


@api.get("")
def list_needs(request: Request, session: Db, staff: NeedReader, chosen: Filters) -> NeedListOut:
    """The triaged list, highest priority first (rank is the place in the whole list)."""
    found = triaged_list(session, chosen, today())
    viewed(
        request, staff, "unmet_need_list", None, None, shown=len(found.rows), filters=chosen.query()
    )
    return NeedListOut(
        waiting=found.waiting,
        matching=found.matching,
        needs=[
            NeedOut(
                rank=r.item.rank,
                person_id=r.person_id,
                name=r.name,
                **r.item.entry.row.model_dump(
                    exclude={"person_id", "assessed_on", "waiting_since"}
                ),
                days_waiting=r.item.days_waiting,
                lives_alone=r.item.entry.lives_alone,
                falls_flag=r.item.entry.falls_flag,
                reason=r.item.reason,
            )
            for r in found.rows
        ],
    )


@api.get("/figures")
def weekly(session: Db, _staff: NeedReader) -> dict[str, Any]:
    """The weekly figures: now, the same day last week, who joined and who left."""
    found: WeeklyFigures = figures(session, today())
    return {
        "now": found.now.__dict__,
        "last_week": found.last_week.__dict__,
        "joined": found.joined,
        "left": found.left,
    }


@api.post("/{person_id}/status", responses={404: {"description": "not on the list"}})
def set_status(
    request: Request, person_id: str, body: StatusChange, session: Db, staff: NeedWorker
) -> dict[str, Any]:
    change_status(request, session, staff, person_id, body.status, body.reason.strip())
    detail = need_detail(session, person_id, today())
    assert detail is not None
    return {
        "person_id": person_id,
        "status": detail.status.value,
        "rank": detail.item.rank if detail.item else None,
    }
