"""People: find someone, and (with the care-record handlers) their record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from contracts.codes import HandlerCallOutcome, ReferralTarget
from contracts.envelope import utcnow
from services.console.changes import changed, viewed
from services.console.deps import Db, RecordEditor, RecordReader, Staff, factory_of
from services.console.record import PersonRecord, person_record
from services.console.rendering import render
from services.console.roles import FLAG_WORKERS, NEED_WORKERS, RECORD_EDITORS
from services.console.schemas import (
    AlertSummary,
    AnswerOut,
    CallOut,
    ContactOut,
    DeviceOut,
    FlagOut,
    HospitalStayOut,
    NeedOut,
    PersonFacts,
    PersonRecordOut,
    ReferralOut,
    SafeZoneOut,
)
from services.console.views import find_people
from services.store import people
from services.store.db import transaction
from services.store.handler_calls import record_handler_call
from services.telephony import consent
from services.telephony.consent import Consent

T = TypeVar("T")
router = APIRouter(prefix="/people", include_in_schema=False)
api = APIRouter(prefix="/people", tags=["people"])


@router.get("")
def people_page(request: Request, session: Db, staff: RecordReader, q: str = "") -> HTMLResponse:
    found = find_people(session, q[:100], utcnow().date())
    return render(request, "people.html", staff, people=found, q=q)


@api.get("")
def list_people(session: Db, _staff: RecordReader, q: str = "") -> list[PersonFacts]:
    """Up to 50 people whose name, id or postcode contains `q`, by name."""
    return [
        PersonFacts(**facts.__dict__) for facts in find_people(session, q[:100], utcnow().date())
    ]


@router.get("/{person_id}")
def person_page(request: Request, person_id: str, session: Db, staff: RecordReader) -> HTMLResponse:
    """The whole record; the view is in the audit log before the page is sent."""
    now = utcnow()
    record = person_record(session, person_id, now.date())
    if record is None:
        raise HTTPException(404, "no such person")
    viewed(request, staff, "person", person_id, person_id)
    return render(
        request,
        "person.html",
        staff,
        record=record,
        now=now,
        can_edit=staff.role in RECORD_EDITORS,
        can_flag=staff.role in FLAG_WORKERS,
        can_close_need=staff.role in NEED_WORKERS,
        referral_targets=list(ReferralTarget),
    )


@api.get("/{person_id}", responses={404: {"description": "no such person"}})
def get_person(
    request: Request, person_id: str, session: Db, staff: RecordReader
) -> PersonRecordOut:
    """A person's whole record (recent alerts and calls); the view is audited."""
    record = person_record(session, person_id, utcnow().date())
    if record is None:
        raise HTTPException(404, "no such person")
    viewed(request, staff, "person", person_id, person_id)
    return record_out(record)


def record_out(record: PersonRecord) -> PersonRecordOut:
    person = record.person
    return PersonRecordOut(
        id=person.id,
        name=person.display_name,
        age=record.age,
        phone=person.phone,
        address=person.address,
        postcode=person.postcode,
        lives_alone=person.lives_alone,
        language=person.language,
        timezone=person.timezone,
        away_until=person.away_until,
        do_not_call=person.do_not_call,
        opted_out=person.opted_out,
        contacts=[ContactOut.model_validate(c) for c in record.contacts],
        devices=[
            DeviceOut(
                kind=loan.device.kind,
                identifier=loan.device.identifier,
                model=loan.device.model,
                placement=loan.device.placement,
                status=loan.device.status,
                last_seen_at=loan.device.last_seen_at,
                loaned_at=loan.loaned_at,
            )
            for loan in record.loans
        ],
        alerts=[AlertSummary.model_validate(a) for a in record.alerts],
        flags=[FlagOut.model_validate(f) for f in record.flags],
        calls=[
            CallOut(
                id=item.call.id,
                script=item.call.script,
                campaign_id=item.call.campaign_id,
                due_at=item.call.due_at,
                status=item.call.status,
                transferred_to_handler=item.call.transferred_to_handler,
                answers=[AnswerOut.model_validate(a) for a in item.answers],
            )
            for item in record.calls
        ],
        need=NeedOut.model_validate(record.need) if record.need else None,
        referrals=[ReferralOut.model_validate(r) for r in record.referrals],
        safe_zones=[SafeZoneOut.model_validate(z) for z in record.safe_zones],
        hospital_stays=[HospitalStayOut.model_validate(h) for h in record.hospital_stays],
        campaigns=[c.id for c in record.campaigns],
    )


# --- details and contacts (not care data: store functions, audited) ----------


class DetailsIn(BaseModel):
    """Only the fields given change (consent to automated calls: `/consent`)."""

    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=1000)
    postcode: str | None = Field(default=None, max_length=10)
    language: str | None = Field(default=None, max_length=16)
    lives_alone: bool | None = None
    has_care_package: bool | None = None
    do_not_call: bool | None = None


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    relationship: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    is_keyholder: bool = False
    is_responder: bool = False


def audited(
    request: Request,
    staff: Staff,
    person_id: str,
    action: str,
    entity: str,
    write: Callable[[Session], T],
    entity_id: str | None = None,
    detail: Callable[[T], dict[str, Any]] = lambda _result: {},
    unchanged: Callable[[T], bool] = lambda _result: False,
) -> T:
    """A change to a person's own details (not care data), audited. The write is tried
    first and rolled back (so a refused change leaves no audit line), then audited, then
    made: SQLite lets one connection write at a time, and a logged change that then
    failed is safer than a change the log lacks."""
    factory = factory_of(request)
    try:
        with factory() as session:
            rehearsal = write(session)
            session.rollback()
        if unchanged(rehearsal):
            return rehearsal  # nothing would change: nothing to audit
        changed(request, staff, action, entity, entity_id, person_id, **detail(rehearsal))
        with transaction(factory) as session:
            return write(session)
    except people.PersonNotFound as error:
        raise HTTPException(404, str(error)) from error
    except ValueError as error:
        raise HTTPException(409, str(error)) from error


def change_details(
    request: Request, staff: Staff, person_id: str, values: dict[str, Any]
) -> list[str]:
    return audited(
        request,
        staff,
        person_id,
        "change_details",
        "person",
        lambda session: people.update_details(session, person_id, values),
        entity_id=person_id,
        detail=lambda fields: {"fields": fields},
        unchanged=lambda fields: not fields,
    )


def new_contact(request: Request, staff: Staff, person_id: str, contact: ContactIn) -> int:
    def add(session: Session) -> int:
        return people.add_contact(
            session,
            person_id,
            name=contact.name,
            relationship=contact.relationship,
            phone=contact.phone,
            is_keyholder=contact.is_keyholder,
            is_responder=contact.is_responder,
        ).id

    return audited(
        request,
        staff,
        person_id,
        "add_contact",
        "contact",
        add,
        detail=lambda _id: {"keyholder": contact.is_keyholder, "responder": contact.is_responder},
    )


def drop_contact(request: Request, staff: Staff, person_id: str, contact_id: int) -> None:
    audited(
        request,
        staff,
        person_id,
        "remove_contact",
        "contact",
        lambda session: people.remove_contact(session, person_id, contact_id),
        entity_id=str(contact_id),
    )


@router.post("/{person_id}/details")
def details_form(
    request: Request,
    person_id: str,
    staff: RecordEditor,
    display_name: Annotated[str, Form(min_length=1, max_length=200)],
    phone: Annotated[str, Form(max_length=32)] = "",
    address: Annotated[str, Form(max_length=1000)] = "",
    postcode: Annotated[str, Form(max_length=10)] = "",
    lives_alone: Annotated[bool, Form()] = False,
    has_care_package: Annotated[bool, Form()] = False,
    do_not_call: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    change_details(
        request,
        staff,
        person_id,
        {
            "display_name": display_name.strip(),
            "phone": phone.strip() or None,
            "address": address.strip() or None,
            "postcode": postcode.strip().upper() or None,
            "lives_alone": lives_alone,
            "has_care_package": has_care_package,
            "do_not_call": do_not_call,
        },
    )
    return RedirectResponse(f"/people/{person_id}#s-details", status_code=303)


@router.post("/{person_id}/contacts")
def contact_form(
    request: Request,
    person_id: str,
    staff: RecordEditor,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    relationship: Annotated[str, Form(max_length=100)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    is_keyholder: Annotated[bool, Form()] = False,
    is_responder: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    new_contact(
        request,
        staff,
        person_id,
        ContactIn(
            name=name.strip(),
            relationship=relationship.strip() or None,
            phone=phone.strip() or None,
            is_keyholder=is_keyholder,
            is_responder=is_responder,
        ),
    )
    return RedirectResponse(f"/people/{person_id}#s-contacts", status_code=303)


@router.post("/{person_id}/contacts/{contact_id}/remove")
def remove_contact_form(
    request: Request, person_id: str, contact_id: int, staff: RecordEditor
) -> RedirectResponse:
    drop_contact(request, staff, person_id, contact_id)
    return RedirectResponse(f"/people/{person_id}#s-contacts", status_code=303)


@api.patch("/{person_id}", responses={404: {"description": "no such person"}})
def patch_person(
    request: Request, person_id: str, body: DetailsIn, staff: RecordEditor
) -> dict[str, list[str]]:
    """Change a person's details; returns the fields that changed (audited)."""
    fields = change_details(request, staff, person_id, body.model_dump(exclude_unset=True))
    return {"changed": fields}


@api.post(
    "/{person_id}/contacts", status_code=201, responses={404: {"description": "no such person"}}
)
def post_contact(
    request: Request, person_id: str, body: ContactIn, staff: RecordEditor
) -> dict[str, int]:
    return {"id": new_contact(request, staff, person_id, body)}


@api.delete(
    "/{person_id}/contacts/{contact_id}",
    status_code=204,
    responses={404: {"description": "no such contact"}},
)
def delete_contact(
    request: Request, person_id: str, contact_id: int, staff: RecordEditor
) -> Response:
    drop_contact(request, staff, person_id, contact_id)
    return Response(status_code=204)


# --- calls a handler made -----------------------------------------------------


class HandlerCallIn(BaseModel):
    called: str = Field(min_length=1, max_length=200, description="Who was rung")
    outcome: HandlerCallOutcome
    notes: str | None = Field(default=None, max_length=4000)


def record_call(request: Request, staff: Staff, person_id: str, call: HandlerCallIn) -> str:
    def add(session: Session) -> str:
        people.fields_to_change(session, person_id, {})  # the person exists
        return str(
            record_handler_call(
                session,
                person_id=person_id,
                by=staff.username,
                called=call.called,
                outcome=call.outcome,
                notes=call.notes,
                at=utcnow(),
            )
        )

    return audited(
        request,
        staff,
        person_id,
        "record_call",
        "call",
        add,
        detail=lambda _id: {"outcome": call.outcome.value},
    )


@router.post("/{person_id}/calls")
def call_form(
    request: Request,
    person_id: str,
    staff: RecordEditor,
    called: Annotated[str, Form(min_length=1, max_length=200)],
    outcome: Annotated[HandlerCallOutcome, Form()],
    notes: Annotated[str, Form(max_length=4000)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    record_call(
        request,
        staff,
        person_id,
        HandlerCallIn(called=called.strip(), outcome=outcome, notes=notes.strip() or None),
    )
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return RedirectResponse(back if local else f"/people/{person_id}#s-calls", status_code=303)


@api.post("/{person_id}/calls", status_code=201, responses={404: {"description": "no such person"}})
def post_call(
    request: Request, person_id: str, body: HandlerCallIn, staff: RecordEditor
) -> dict[str, str]:
    """Record a call this member of staff made: who, the outcome, notes. It is kept with
    the automated calls (script `handler_call`) and counts in the measures like them."""
    return {"id": record_call(request, staff, person_id, body)}


# --- hospital stays and safe zones --------------------------------------------


class SafeZoneIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_m: float = Field(gt=0, le=100_000)
    active_from: time | None = None
    active_to: time | None = None


def hospital(request: Request, staff: Staff, person_id: str, admitted: bool) -> None:
    """Admit now, or discharge now (a discharge starts the post-discharge calls: the
    scheduler reads it from the store)."""
    if admitted:
        audited(
            request,
            staff,
            person_id,
            "admit_to_hospital",
            "hospital_stay",
            lambda session: people.admit_to_hospital(session, person_id, utcnow()).id,
        )
    else:
        audited(
            request,
            staff,
            person_id,
            "discharge_from_hospital",
            "hospital_stay",
            lambda session: people.discharge_from_hospital(session, person_id, utcnow()).id,
        )


def new_safe_zone(request: Request, staff: Staff, person_id: str, zone: SafeZoneIn) -> int:
    return audited(
        request,
        staff,
        person_id,
        "add_safe_zone",
        "safe_zone",
        lambda session: people.add_safe_zone(session, person_id, **zone.model_dump()).id,
    )


def drop_safe_zone(request: Request, staff: Staff, person_id: str, zone_id: int) -> None:
    audited(
        request,
        staff,
        person_id,
        "remove_safe_zone",
        "safe_zone",
        lambda session: people.remove_safe_zone(session, person_id, zone_id),
        entity_id=str(zone_id),
    )


@router.post("/{person_id}/hospital")
def hospital_form(
    request: Request,
    person_id: str,
    staff: RecordEditor,
    event: Annotated[Literal["admitted", "discharged"], Form()],
) -> RedirectResponse:
    hospital(request, staff, person_id, admitted=event == "admitted")
    return RedirectResponse(f"/people/{person_id}#s-away", status_code=303)


@router.post("/{person_id}/safe-zones")
def safe_zone_form(
    request: Request,
    person_id: str,
    staff: RecordEditor,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    lat: Annotated[float, Form(ge=-90, le=90)],
    lon: Annotated[float, Form(ge=-180, le=180)],
    radius_m: Annotated[float, Form(gt=0, le=100_000)],
    active_from: Annotated[str, Form(max_length=5)] = "",
    active_to: Annotated[str, Form(max_length=5)] = "",
) -> RedirectResponse:
    try:
        zone = SafeZoneIn.model_validate(
            {
                "name": name.strip(),
                "lat": lat,
                "lon": lon,
                "radius_m": radius_m,
                "active_from": active_from or None,
                "active_to": active_to or None,
            }
        )
    except ValidationError as error:
        raise HTTPException(422, "the hours must be HH:MM") from error
    new_safe_zone(request, staff, person_id, zone)
    return RedirectResponse(f"/people/{person_id}#s-away", status_code=303)


@router.post("/{person_id}/safe-zones/{zone_id}/remove")
def remove_safe_zone_form(
    request: Request, person_id: str, zone_id: int, staff: RecordEditor
) -> RedirectResponse:
    drop_safe_zone(request, staff, person_id, zone_id)
    return RedirectResponse(f"/people/{person_id}#s-away", status_code=303)


class HospitalEvent(BaseModel):
    event: Literal["admitted", "discharged"]


@api.post(
    "/{person_id}/hospital",
    status_code=204,
    responses={
        404: {"description": "no such person"},
        409: {"description": "already in (or not in) hospital"},
    },
)
def post_hospital(
    request: Request, person_id: str, body: HospitalEvent, staff: RecordEditor
) -> Response:
    """Admitted now, or discharged now (which starts the post-discharge calls)."""
    hospital(request, staff, person_id, admitted=body.event == "admitted")
    return Response(status_code=204)


@api.post(
    "/{person_id}/safe-zones", status_code=201, responses={404: {"description": "no such person"}}
)
def post_safe_zone(
    request: Request, person_id: str, body: SafeZoneIn, staff: RecordEditor
) -> dict[str, int]:
    return {"id": new_safe_zone(request, staff, person_id, body)}


@api.delete(
    "/{person_id}/safe-zones/{zone_id}",
    status_code=204,
    responses={404: {"description": "no such safe zone"}},
)
def delete_safe_zone(
    request: Request, person_id: str, zone_id: int, staff: RecordEditor
) -> Response:
    drop_safe_zone(request, staff, person_id, zone_id)
    return Response(status_code=204)


# --- consent to automated calls (its own history: services.telephony.consent) -------


class ConsentIn(BaseModel):
    consent: Consent
    how: str = Field(min_length=1, max_length=200, description="e.g. by phone, in person")


def record_consent(request: Request, staff: Staff, person_id: str, body: ConsentIn) -> None:
    def write(session: Session) -> None:
        try:
            consent.record(session, person_id, body.consent, staff.username, body.how, utcnow())
        except consent.UnknownPerson as error:
            raise people.PersonNotFound(f"no person {person_id}") from error

    audited(
        request,
        staff,
        person_id,
        "record_consent",
        "consent",
        write,
        detail=lambda _none: {"consent": body.consent.value},
    )


@router.post("/{person_id}/consent")
def consent_form(
    request: Request,
    person_id: str,
    staff: RecordEditor,
    answer: Annotated[Consent, Form()],
    how: Annotated[str, Form(min_length=1, max_length=200)],
) -> RedirectResponse:
    record_consent(request, staff, person_id, ConsentIn(consent=answer, how=how.strip()))
    return RedirectResponse(f"/people/{person_id}#s-consent", status_code=303)


@api.post(
    "/{person_id}/consent", status_code=204, responses={404: {"description": "no such person"}}
)
def post_consent(
    request: Request, person_id: str, body: ConsentIn, staff: RecordEditor
) -> Response:
    """Consent to automated calls given or withdrawn (withdrawn: no campaign calls)."""
    record_consent(request, staff, person_id, body)
    return Response(status_code=204)
