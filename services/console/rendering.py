"""Page rendering with what every page needs: who is signed in and their CSRF token."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from services.console.deps import Staff
from services.console.roles import (
    ADMINS,
    FLAG_READERS,
    NEED_READERS,
    QUEUE_WORKERS,
    RECORD_READERS,
)


def render(
    request: Request, template: str, staff: Staff | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    templates: Jinja2Templates = request.app.state.templates
    nav = []
    if staff is not None:
        if staff.role in QUEUE_WORKERS:
            nav.append(("/queue", "Alert queue"))
        if staff.role in NEED_READERS:
            nav.append(("/needs", "Unmet need"))
        if staff.role in FLAG_READERS:
            nav.append(("/flags", "Falls flags"))
        if staff.role in RECORD_READERS:
            nav.append(("/people", "People"))
        if staff.role in ADMINS:
            nav += [("/admin/audit", "Audit log"), ("/admin/users", "Accounts")]
    response: HTMLResponse = templates.TemplateResponse(
        request, template, {"staff": staff, "nav": nav, **context}, status_code=status_code
    )
    return response


def iso(at: datetime | None) -> str:
    return at.isoformat() if at else ""
