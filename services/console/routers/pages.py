"""The landing page: each role goes to its own worklist."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from services.console.deps import SignedIn
from services.console.roles import HOME_OF

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(staff: SignedIn) -> RedirectResponse:
    return RedirectResponse(HOME_OF[staff.role], status_code=303)
