"""Changes to a person's care record made from their record page (and the same as JSON):
away mode, closing the unmet-need entry, and suggesting a referral. Each is a care-record
command (`care.handle`), which audits it; the console writes no table itself."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from care.commands import CloseNeedEntry, SetAwayMode, SuggestReferral
from contracts.codes import FlagStatus, ReferralStatus, ReferralTarget
from contracts.envelope import utcnow
from services.console.changes import actor, apply
from services.console.deps import FlagWorker, NeedWorker, RecordEditor, Staff
from services.console.routers.flags import move_referral, set_flag

router = APIRouter(prefix="/people", include_in_schema=False)
api = APIRouter(prefix="/people", tags=["person record changes"])
Reason = Annotated[str, Form(min_length=1, max_length=1000)]
REFUSALS: dict[int | str, dict[str, str]] = {
    404: {"description": "no such person"},
    409: {"description": "the care record refuses the change (the error says why)"},
    422: {"description": "a reason is required, or the date is in the past"},
}


def back(person_id: str, section: str) -> RedirectResponse:
    return RedirectResponse(f"/people/{person_id}#{section}", status_code=303)


# --- away mode ----------------------------------------------------------------


def set_away(
    request: Request, staff: Staff, person_id: str, until: datetime | None, reason: str
) -> None:
    apply(request, SetAwayMode(person_id, until, reason, by=actor(staff), at=utcnow()))


def end_of(day: date) -> datetime:
    """A date typed on the form means 'away until the end of that day' (UTC, as stored):
    inactivity checks resume the morning after, never while the person may still be away."""
    return datetime.combine(day, time(23, 59), tzinfo=UTC)


@router.post("/{person_id}/away")
def away_form(
    request: Request,
    person_id: str,
    staff: RecordEditor,
    reason: Reason,
    until: Annotated[date | None, Form()] = None,
) -> RedirectResponse:
    """Away until a date, or (no date) back home now."""
    set_away(request, staff, person_id, end_of(until) if until else None, reason.strip())
    return back(person_id, "s-away")


class AwayIn(BaseModel):
    until: AwareDatetime | None = Field(description="away until; null: back home now")
    reason: str = Field(min_length=1, max_length=1000)


@api.post("/{person_id}/away", status_code=204, responses=REFUSALS)
def post_away(request: Request, person_id: str, body: AwayIn, staff: RecordEditor) -> Response:
    """Set or end away mode (inactivity checks pause while away); audited with its reason."""
    set_away(request, staff, person_id, body.until, body.reason.strip())
    return Response(status_code=204)


# --- the unmet-need entry -------------------------------------------------------


def close_need(request: Request, staff: Staff, person_id: str, reason: str) -> bool:
    return bool(apply(request, CloseNeedEntry(person_id, reason, by=actor(staff), at=utcnow())))


@router.post("/{person_id}/need/close")
def close_need_form(
    request: Request, person_id: str, staff: NeedWorker, reason: Reason
) -> RedirectResponse:
    close_need(request, staff, person_id, reason.strip())
    return back(person_id, "s-need")


class CloseNeedIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


@api.post("/{person_id}/need/close", responses=REFUSALS)
def post_close_need(
    request: Request, person_id: str, body: CloseNeedIn, staff: NeedWorker
) -> dict[str, bool]:
    """Care has started (or the person left the list): the entry stops waiting.
    `closed` is false when there was no entry still waiting."""
    return {"closed": close_need(request, staff, person_id, body.reason.strip())}


# --- referrals ------------------------------------------------------------------


def suggest(
    request: Request, staff: Staff, person_id: str, target: ReferralTarget, reason: str
) -> str | None:
    referral = apply(
        request,
        SuggestReferral(
            referral_id=uuid.uuid4(),
            person_id=person_id,
            target=target,
            reason=reason,
            origin="handler",
            by=actor(staff),
            at=utcnow(),
        ),
    )
    return None if referral is None else str(referral.id)


@router.post("/{person_id}/referrals")
def referral_form(
    request: Request,
    person_id: str,
    staff: FlagWorker,
    target: Annotated[ReferralTarget, Form()],
    reason: Reason,
) -> RedirectResponse:
    suggest(request, staff, person_id, target, reason.strip())
    return back(person_id, "s-referrals")


class ReferralIn(BaseModel):
    target: ReferralTarget
    reason: str = Field(min_length=1, max_length=1000)


@api.post("/{person_id}/referrals", status_code=201, responses=REFUSALS)
def post_referral(
    request: Request, person_id: str, body: ReferralIn, staff: FlagWorker
) -> dict[str, str | None]:
    """Suggest a referral; `id` is null when one to the same service is already open."""
    return {"id": suggest(request, staff, person_id, body.target, body.reason.strip())}


# --- moving flags and referrals on from the record -------------------------------
# The same commands as the flags page; these routes only bring the member of staff back
# to the record they were working on.


@router.post("/{person_id}/referrals/{referral_id}/status")
def move_referral_form(
    request: Request,
    person_id: str,
    referral_id: uuid.UUID,
    staff: FlagWorker,
    status: Annotated[ReferralStatus, Form()],
    reason: Reason,
) -> RedirectResponse:
    move_referral(request, staff, referral_id, status, reason.strip())
    return back(person_id, "s-referrals")


@router.post("/{person_id}/flags/{flag_id}/status")
def flag_form(
    request: Request,
    person_id: str,
    flag_id: uuid.UUID,
    staff: FlagWorker,
    status: Annotated[FlagStatus, Form()],
    reason: Reason,
) -> RedirectResponse:
    set_flag(request, staff, flag_id, status, reason.strip())
    return back(person_id, "s-flags")
