"""People: find someone, and (with the care-record handlers) their record."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from contracts.envelope import utcnow
from services.console.deps import Db, RecordReader
from services.console.rendering import render
from services.console.schemas import PersonFacts
from services.console.views import find_people

router = APIRouter(prefix="/people", include_in_schema=False)
api = APIRouter(prefix="/people", tags=["people"])


@router.get("")
def people_page(request: Request, session: Db, staff: RecordReader, q: str = "") -> HTMLResponse:
    found = find_people(session, q[:100], utcnow().date())
    return render(request, "people.html", staff, people=found, q=q)


@api.get("")
def list_people(session: Db, _staff: RecordReader, q: str = "") -> list[PersonFacts]:
    """Up to 50 people whose name, id or postcode contains `q`, by name."""
    return [PersonFacts(**facts.__dict__) for facts in find_people(session, q[:100],
                                                                    utcnow().date())]
