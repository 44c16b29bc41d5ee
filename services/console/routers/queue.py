"""The live alert queue page: rows re-rendered and pushed by server-sent events the
moment the store's open alerts change."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from contracts.envelope import utcnow
from services.console.deps import (
    NotSignedIn,
    QueueWorker,
    Staff,
    current_staff,
    factory_of,
    settings_of,
)
from services.console.live import QueueWatch
from services.console.rendering import render
from services.console.roles import QUEUES_OF
from services.console.views import QueueRow, queue

router = APIRouter(include_in_schema=False)
RECHECK_S = 30.0


def rows_for(request: Request, staff: Staff) -> list[QueueRow]:
    with factory_of(request)() as session:
        return queue(session, QUEUES_OF[staff.role], utcnow().date())


@router.get("/queue")
def queue_page(request: Request, staff: QueueWorker) -> HTMLResponse:
    return render(request, "queue.html", staff, rows=rows_for(request, staff))


@router.get("/queue/rows")
def queue_rows(request: Request, staff: QueueWorker) -> HTMLResponse:
    return render(request, "_queue_rows.html", staff, rows=rows_for(request, staff))


def still_signed_in(request: Request) -> bool:
    try:
        current_staff(request, settings_of(request))
    except NotSignedIn:
        return False
    return True


@router.get("/events/queue")
async def queue_events(request: Request, staff: QueueWorker) -> EventSourceResponse:
    """The queue's rows as HTML, sent at once and again on every change. The stream
    ends within `RECHECK_S` of the viewer signing out or their session ending."""
    watch: QueueWatch = request.app.state.watch
    templates = request.app.state.templates

    async def stream() -> AsyncIterator[ServerSentEvent]:
        sent = None
        async for generation in watch.changes(idle_s=RECHECK_S):
            if not await run_in_threadpool(still_signed_in, request):
                return
            if generation == sent:
                continue
            sent = generation
            rows = await run_in_threadpool(rows_for, request, staff)
            html = templates.get_template("_queue_rows.html").render(
                rows=rows, staff=staff, request=request
            )
            yield ServerSentEvent(data=html, event="queue")

    return EventSourceResponse(stream(), ping=15)
