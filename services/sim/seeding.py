"""Write a synthetic cohort into the store: people, contacts, devices and loans, and
the unmet-need list through its import."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, ImportNeeds
from contracts.codes import NeedLevel, WaitingLocation
from services.needs.entries import NeedRow
from services.sim.cohort import SimPerson
from services.sim.community import Resident
from services.store.models import Contact, Device, DeviceLoan, Person


def seed_cohort(session: Session, people: list[SimPerson]) -> int:
    """Insert the people not yet in the store; returns how many were added."""
    existing = set(
        session.scalars(select(Person.id).where(Person.id.in_([p.person_id for p in people])))
    )
    added = 0
    for sim in people:
        if sim.person_id in existing:
            continue
        session.add(
            Person(
                id=sim.person_id,
                display_name=sim.display_name,
                phone=sim.phone,
                postcode=sim.postcode,
                date_of_birth=sim.date_of_birth,
                lives_alone=sim.lives_alone,
                has_care_package=sim.has_care_package,
            )
        )
        session.add(
            Contact(
                person_id=sim.person_id,
                name="Keyholder of " + sim.person_id,
                relationship_to_person="neighbour",
                phone="+447700900999",
                is_keyholder=True,
            )
        )
        for sim_device in sim.devices:
            device = Device(
                kind=sim_device.kind,
                identifier=sim_device.identifier,
                model=sim_device.model,
                placement=sim_device.placement,
                status="loaned",
            )
            session.add(device)
            session.flush()
            session.add(DeviceLoan(device_id=device.id, person_id=sim.person_id))
        added += 1
    return added


def seed_needs(
    factory: sessionmaker[Session], residents: list[Resident], today: date, seed: int = 2026
) -> int:
    """The RMU's unmet-need list for the waiting residents, through the care record's
    import (as `tecflow needs import`): a repeat changes nothing. Mostly critical and
    substantial need, as councils that limit eligibility to those list; about 8% wait
    in hospital, as the Scottish figures say. Returns how many rows were imported."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    rows = []
    for resident in residents:
        hours = resident.profile.waiting_hours
        if hours is None:
            continue
        since = today - timedelta(days=rng.randint(3, 200))
        rows.append(
            NeedRow(
                person_id=resident.person.person_id,
                need_level=rng.choice(
                    (
                        NeedLevel.CRITICAL,
                        NeedLevel.SUBSTANTIAL,
                        NeedLevel.SUBSTANTIAL,
                        NeedLevel.MODERATE,
                    )
                ),
                hours_per_week=hours,
                waiting_at=WaitingLocation.HOSPITAL
                if resident.profile.in_hospital_waiting
                else WaitingLocation.HOME,
                assessed_on=since - timedelta(days=rng.randint(0, 10)),
                waiting_since=since,
            )
        )
    handle(
        ImportNeeds(
            rows=tuple(enumerate(rows, start=2)), by=Actor.system("sim"), at=datetime.now(UTC)
        ),
        SqlAlchemyUnitOfWork(factory),
    )
    return len(rows)
