"""Falls flags and referrals: the worklist of flags in force with their evidence;
review, resolve or mark entered in error with a reason; move a referral on (to send,
sent, accepted, declined, completed). Each change is a care-record command
(`care.handle`), which checks the lifecycle and audits it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field

from care.commands import MarkFlagEnteredInError, MoveReferral, ResolveFlag, ReviewFlag
from contracts.codes import FlagStatus, ReferralStatus
from contracts.envelope import utcnow
from services.console.changes import actor, apply, viewed
from services.console.deps import Db, FlagReader, FlagWorker, Staff
from services.console.flaglist import open_flags
from services.console.rendering import render
from services.console.roles import FLAG_WORKERS

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["falls flags and referrals"])
# What a person may set, and the command for it; "active" comes only from new evidence.
SETTABLE: dict[FlagStatus, type[ReviewFlag | ResolveFlag | MarkFlagEnteredInError]] = {
    FlagStatus.REVIEWED: ReviewFlag,
    FlagStatus.RESOLVED: ResolveFlag,
    FlagStatus.ENTERED_IN_ERROR: MarkFlagEnteredInError,
}
Reason = Annotated[str, Form(min_length=1, max_length=1000)]


def set_flag(
    request: Request, staff: Staff, flag_id: uuid.UUID, status: FlagStatus, reason: str
) -> None:
    command = SETTABLE.get(status)
    if command is None:
        raise HTTPException(422, "a flag becomes active only from new evidence")
    apply(request, command(flag_id=flag_id, reason=reason, by=actor(staff), at=utcnow()))


def move_referral(
    request: Request, staff: Staff, referral_id: uuid.UUID, status: ReferralStatus, reason: str
) -> None:
    apply(
        request,
        MoveReferral(
            referral_id=referral_id, status=status, by=actor(staff), at=utcnow(), reason=reason
        ),
    )


# --- pages ------------------------------------------------------------------


@router.get("/flags")
def flags_page(request: Request, session: Db, staff: FlagReader) -> HTMLResponse:
    flags = open_flags(session)
    viewed(request, staff, "flag_list", None, None, shown=len(flags))
    return render(request, "flags.html", staff, flags=flags, can_change=staff.role in FLAG_WORKERS)


@router.post("/flags/{flag_id}/status")
def flag_form(
    request: Request,
    flag_id: uuid.UUID,
    session: Db,
    staff: FlagWorker,
    status: Annotated[FlagStatus, Form()],
    reason: Reason,
) -> RedirectResponse:
    set_flag(request, staff, flag_id, status, reason.strip())
    return RedirectResponse("/flags", status_code=303)


@router.post("/referrals/{referral_id}/status")
def referral_form(
    request: Request,
    referral_id: uuid.UUID,
    session: Db,
    staff: FlagWorker,
    status: Annotated[ReferralStatus, Form()],
    reason: Reason,
) -> RedirectResponse:
    move_referral(request, staff, referral_id, status, reason.strip())
    return RedirectResponse("/flags", status_code=303)


# --- JSON -------------------------------------------------------------------


class Change(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class FlagChange(Change):
    status: FlagStatus


class ReferralChange(Change):
    status: ReferralStatus


REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "not found"},
    409: {"description": "the lifecycle does not allow this step (the error says why)"},
}


@api.get("/flags")
def list_flags(request: Request, session: Db, staff: FlagReader) -> list[dict[str, Any]]:
    """Flags in force (active first, then reviewed), with evidence, history, referrals."""
    flags = open_flags(session)
    viewed(request, staff, "flag_list", None, None, shown=len(flags))
    return [flag.__dict__ | {"referrals": [r.__dict__ for r in flag.referrals]} for flag in flags]


@api.post("/flags/{flag_id}/status", responses=REFUSALS)
def flag_status(
    request: Request, flag_id: uuid.UUID, body: FlagChange, session: Db, staff: FlagWorker
) -> dict[str, str]:
    set_flag(request, staff, flag_id, body.status, body.reason.strip())
    return {"flag_id": str(flag_id), "status": body.status.value}


@api.post("/referrals/{referral_id}/status", responses=REFUSALS)
def referral_status(
    request: Request, referral_id: uuid.UUID, body: ReferralChange, session: Db, staff: FlagWorker
) -> dict[str, str]:
    move_referral(request, staff, referral_id, body.status, body.reason.strip())
    return {"referral_id": str(referral_id), "status": body.status.value}
