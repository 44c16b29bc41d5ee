"""Consent to automated calls: given or withdrawn, by whom, when and how. The latest
answer is `Person.opted_out`, which the scheduler's eligibility honours (hazard H11);
every change is kept in `call_consents`. Runs inside the caller's transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.care import Alert
from contracts.codes import AlertKind, AlertPriority, ScriptName
from contracts.envelope import deterministic_id
from contracts.errors import TecflowError
from services.store.models import CallConsent, Person

ON_A_CALL = "the person, on an automated call"


class Consent(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


class UnknownPerson(TecflowError, LookupError):
    """No person with that id in the store."""


@dataclass(frozen=True)
class ConsentRecord:
    consent: Consent
    recorded_by: str
    recorded_at: datetime
    how: str


def record(
    session: Session, person_id: str, consent: Consent, by: str, how: str, at: datetime
) -> None:
    person = session.get(Person, person_id)
    if person is None:
        raise UnknownPerson(person_id)
    person.opted_out = consent is Consent.WITHDRAWN
    session.add(
        CallConsent(
            person_id=person_id, consent=consent.value, recorded_by=by, recorded_at=at, how=how
        )
    )


def history(session: Session, person_id: str) -> list[ConsentRecord]:
    rows = session.scalars(
        select(CallConsent)
        .where(CallConsent.person_id == person_id)
        .order_by(CallConsent.recorded_at, CallConsent.id)
    )
    return [ConsentRecord(Consent(r.consent), r.recorded_by, r.recorded_at, r.how) for r in rows]


def stopped_alert(person_id: str, call_id: uuid.UUID, script: ScriptName, at: datetime) -> Alert:
    """A task for a handler: stopping welfare calls may leave a person without the
    contact that kept them safe, so a person checks their plan."""
    name = script.value.replace("_", " ")
    return Alert(
        event_id=deterministic_id("telephony", call_id, "calls_stopped"),
        person_id=person_id,
        occurred_at=at,
        source="telephony.ivr",
        alert_key=f"{AlertKind.CALLS_STOPPED.value}:{person_id}",
        alert_kind=AlertKind.CALLS_STOPPED,
        priority=AlertPriority.NORMAL,
        summary=f"Asked on the {name} call to stop automated calls: no more campaign calls "
        "will be placed. Check their support plan still keeps them safe.",
        evidence=(
            f"{at:%Y-%m-%d %H:%M} UTC {name} call: asked to stop automated calls and confirmed",
        ),
        caused_by=(call_id,),
    )
