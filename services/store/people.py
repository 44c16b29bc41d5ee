"""People's own details, contacts, hospital stays and safe zones (not care data: the care
record's rules do not cover them). Callers audit each change through the care record's
`RecordChange`."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.errors import TecflowError
from services.store.models import Contact, HospitalStay, Person, SafeZoneRecord

DETAIL_FIELDS = (
    "display_name",
    "phone",
    "address",
    "postcode",
    "language",
    "lives_alone",
    "has_care_package",
    "do_not_call",
    "opted_out",
    "date_of_birth",
)


class PersonNotFound(TecflowError, LookupError):
    pass


def _person(session: Session, person_id: str) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise PersonNotFound(f"no person {person_id}")
    return person


def fields_to_change(session: Session, person_id: str, values: dict[str, Any]) -> list[str]:
    """The names of the details these values would change (names only: the audit line
    must not copy a phone number or an address)."""
    person = _person(session, person_id)
    unknown = set(values) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not a person's detail: {', '.join(sorted(unknown))}")
    return [name for name, value in values.items() if getattr(person, name) != value]


def update_details(session: Session, person_id: str, values: dict[str, Any]) -> list[str]:
    """Set the given details; returns the names of the fields that changed."""
    changed = fields_to_change(session, person_id, values)
    person = _person(session, person_id)
    for name in changed:
        setattr(person, name, values[name])
    return changed


def find_contact(session: Session, person_id: str, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.person_id != person_id:
        raise PersonNotFound(f"no contact {contact_id} for person {person_id}")
    return contact


def add_contact(
    session: Session,
    person_id: str,
    *,
    name: str,
    relationship: str | None,
    phone: str | None,
    is_keyholder: bool,
    is_responder: bool,
) -> Contact:
    person = _person(session, person_id)
    order = 1 + max((c.call_order for c in person.contacts), default=0)
    contact = Contact(
        person_id=person_id,
        name=name,
        relationship_to_person=relationship,
        phone=phone,
        is_keyholder=is_keyholder,
        is_responder=is_responder,
        call_order=order,
    )
    session.add(contact)
    session.flush()
    return contact


def remove_contact(session: Session, person_id: str, contact_id: int) -> None:
    session.delete(find_contact(session, person_id, contact_id))


def admit_to_hospital(session: Session, person_id: str, at: datetime) -> HospitalStay:
    """A hospital stay starts. One open stay at a time: a second admission is refused."""
    _person(session, person_id)
    if session.scalar(
        select(HospitalStay.id).where(
            HospitalStay.person_id == person_id, HospitalStay.discharged_at.is_(None)
        )
    ):
        raise ValueError(f"person {person_id} is already in hospital")
    stay = HospitalStay(person_id=person_id, admitted_at=at)
    session.add(stay)
    session.flush()
    return stay


def discharge_from_hospital(session: Session, person_id: str, at: datetime) -> HospitalStay:
    """The open stay ends; the scheduler's post-discharge campaign reads `discharged_at`."""
    stay = session.scalar(
        select(HospitalStay).where(
            HospitalStay.person_id == person_id, HospitalStay.discharged_at.is_(None)
        )
    )
    if stay is None:
        raise ValueError(f"person {person_id} is not in hospital")
    if at < stay.admitted_at:
        raise ValueError("a discharge cannot come before the admission")
    stay.discharged_at = at
    return stay


def add_safe_zone(
    session: Session,
    person_id: str,
    *,
    name: str,
    lat: float,
    lon: float,
    radius_m: float,
    active_from: time | None,
    active_to: time | None,
) -> SafeZoneRecord:
    _person(session, person_id)
    zone = SafeZoneRecord(
        person_id=person_id,
        name=name,
        lat=lat,
        lon=lon,
        radius_m=radius_m,
        active_from=active_from,
        active_to=active_to,
    )
    session.add(zone)
    session.flush()
    return zone


def remove_safe_zone(session: Session, person_id: str, zone_id: int) -> None:
    zone = session.get(SafeZoneRecord, zone_id)
    if zone is None or zone.person_id != person_id:
        raise PersonNotFound(f"no safe zone {zone_id} for person {person_id}")
    session.delete(zone)
