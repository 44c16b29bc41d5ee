"""People: find someone, and (with the care-record handlers) their record."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from contracts.codes import HandlerCallOutcome
from contracts.envelope import utcnow
from services.console.changes import changed, viewed
from services.console.deps import Db, RecordEditor, RecordReader, Staff, factory_of
from services.console.record import PersonRecord, person_record
from services.console.rendering import render
from services.console.roles import RECORD_EDITORS
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


@router.get("/{person_id}")
def person_page(
    request: Request, person_id: str, session: Db, staff: RecordReader
) -> HTMLResponse:
    """The whole record; the view is in the audit log before the page is sent."""
    now = utcnow()
    record = person_record(session, person_id, now.date())
    if record is None:
        raise HTTPException(404, "no such person")
    viewed(request, staff, "person", person_id, person_id)
    return render(request, "person.html", staff, record=record, now=now,
                  can_edit=staff.role in RECORD_EDITORS)


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
        id=person.id, name=person.display_name, age=record.age, phone=person.phone,
        address=person.address, postcode=person.postcode, lives_alone=person.lives_alone,
        language=person.language, timezone=person.timezone, away_until=person.away_until,
        do_not_call=person.do_not_call, opted_out=person.opted_out,
        contacts=[ContactOut.model_validate(c) for c in record.contacts],
        devices=[DeviceOut(kind=loan.device.kind, identifier=loan.device.identifier,
                           model=loan.device.model, placement=loan.device.placement,
                           status=loan.device.status, last_seen_at=loan.device.last_seen_at,
                           loaned_at=loan.loaned_at) for loan in record.loans],
        alerts=[AlertSummary.model_validate(a) for a in record.alerts],
        flags=[FlagOut.model_validate(f) for f in record.flags],
        calls=[CallOut(id=item.call.id, script=item.call.script,
                       campaign_id=item.call.campaign_id, due_at=item.call.due_at,
                       status=item.call.status,
                       transferred_to_handler=item.call.transferred_to_handler,
                       answers=[AnswerOut.model_validate(a) for a in item.answers])
               for item in record.calls],
        need=NeedOut.model_validate(record.need) if record.need else None,
        referrals=[ReferralOut.model_validate(r) for r in record.referrals],
        safe_zones=[SafeZoneOut.model_validate(z) for z in record.safe_zones],
        hospital_stays=[HospitalStayOut.model_validate(h) for h in record.hospital_stays],
        campaigns=[c.id for c in record.campaigns],
    )


# --- details and contacts (not care data: store functions, audited) ----------


class DetailsIn(BaseModel):
    """Only the fields given change."""

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=1000)
    postcode: str | None = Field(default=None, max_length=10)
    language: str | None = Field(default=None, max_length=16)
    lives_alone: bool | None = None
    has_care_package: bool | None = None
    do_not_call: bool | None = None
    opted_out: bool | None = Field(default=None, description="Opted out of automated calls")


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    relationship: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    is_keyholder: bool = False
    is_responder: bool = False


def change_details(
    request: Request, staff: Staff, person_id: str, values: dict[str, Any]
) -> list[str]:
    """Audited first, then written, each in its own transaction: SQLite lets one
    connection write at a time, and a logged change that then failed is safer than a
    change the log lacks."""
    factory = factory_of(request)
    try:
        with factory() as session:
            fields = people.fields_to_change(session, person_id, values)
        if fields:
            changed(request, staff, "change_details", "person", person_id, person_id,
                    fields=fields)
            with transaction(factory) as session:
                people.update_details(session, person_id, values)
    except people.PersonNotFound as error:
        raise HTTPException(404, str(error)) from error
    return fields


def new_contact(request: Request, staff: Staff, person_id: str, contact: ContactIn) -> int:
    factory = factory_of(request)
    try:
        with factory() as session:
            people.fields_to_change(session, person_id, {})  # the person exists
        changed(request, staff, "add_contact", "contact", None, person_id,
                keyholder=contact.is_keyholder, responder=contact.is_responder)
        with transaction(factory) as session:
            added = people.add_contact(
                session, person_id, name=contact.name, relationship=contact.relationship,
                phone=contact.phone, is_keyholder=contact.is_keyholder,
                is_responder=contact.is_responder)
            return added.id
    except people.PersonNotFound as error:
        raise HTTPException(404, str(error)) from error


def drop_contact(request: Request, staff: Staff, person_id: str, contact_id: int) -> None:
    factory = factory_of(request)
    try:
        with factory() as session:
            people.find_contact(session, person_id, contact_id)
        changed(request, staff, "remove_contact", "contact", str(contact_id), person_id)
        with transaction(factory) as session:
            people.remove_contact(session, person_id, contact_id)
    except people.PersonNotFound as error:
        raise HTTPException(404, str(error)) from error


@router.post("/{person_id}/details")
def details_form(
    request: Request, person_id: str, staff: RecordEditor,
    display_name: Annotated[str, Form(min_length=1, max_length=200)],
    phone: Annotated[str, Form(max_length=32)] = "",
    address: Annotated[str, Form(max_length=1000)] = "",
    postcode: Annotated[str, Form(max_length=10)] = "",
    lives_alone: Annotated[bool, Form()] = False,
    has_care_package: Annotated[bool, Form()] = False,
    do_not_call: Annotated[bool, Form()] = False,
    opted_out: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    change_details(request, staff, person_id, {
        "display_name": display_name.strip(), "phone": phone.strip() or None,
        "address": address.strip() or None, "postcode": postcode.strip().upper() or None,
        "lives_alone": lives_alone, "has_care_package": has_care_package,
        "do_not_call": do_not_call, "opted_out": opted_out,
    })
    return RedirectResponse(f"/people/{person_id}#s-details", status_code=303)


@router.post("/{person_id}/contacts")
def contact_form(
    request: Request, person_id: str, staff: RecordEditor,
    name: Annotated[str, Form(min_length=1, max_length=200)],
    relationship: Annotated[str, Form(max_length=100)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    is_keyholder: Annotated[bool, Form()] = False,
    is_responder: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    new_contact(request, staff, person_id, ContactIn(
        name=name.strip(), relationship=relationship.strip() or None,
        phone=phone.strip() or None, is_keyholder=is_keyholder, is_responder=is_responder))
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
    fields = change_details(request, staff, person_id,
                            body.model_dump(exclude_unset=True))
    return {"changed": fields}


@api.post("/{person_id}/contacts", status_code=201,
          responses={404: {"description": "no such person"}})
def post_contact(
    request: Request, person_id: str, body: ContactIn, staff: RecordEditor
) -> dict[str, int]:
    return {"id": new_contact(request, staff, person_id, body)}


@api.delete("/{person_id}/contacts/{contact_id}", status_code=204,
            responses={404: {"description": "no such contact"}})
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
    """Audited first, then written (as for details)."""
    factory = factory_of(request)
    try:
        with factory() as session:
            people.fields_to_change(session, person_id, {})  # the person exists
    except people.PersonNotFound as error:
        raise HTTPException(404, str(error)) from error
    changed(request, staff, "record_call", "call", None, person_id,
            outcome=call.outcome.value)
    with transaction(factory) as session:
        call_id = record_handler_call(
            session, person_id=person_id, by=staff.username, called=call.called,
            outcome=call.outcome, notes=call.notes, at=utcnow())
    return str(call_id)


@router.post("/{person_id}/calls")
def call_form(
    request: Request, person_id: str, staff: RecordEditor,
    called: Annotated[str, Form(min_length=1, max_length=200)],
    outcome: Annotated[HandlerCallOutcome, Form()],
    notes: Annotated[str, Form(max_length=4000)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    record_call(request, staff, person_id, HandlerCallIn(
        called=called.strip(), outcome=outcome, notes=notes.strip() or None))
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    return RedirectResponse(back if local else f"/people/{person_id}#s-calls",
                            status_code=303)


@api.post("/{person_id}/calls", status_code=201,
          responses={404: {"description": "no such person"}})
def post_call(
    request: Request, person_id: str, body: HandlerCallIn, staff: RecordEditor
) -> dict[str, str]:
    """Record a call this member of staff made: who, the outcome, notes. It is kept with
    the automated calls (script `handler_call`) and counts in the measures like them."""
    return {"id": record_call(request, staff, person_id, body)}
