"""Write a synthetic cohort into the store: people, contacts, devices and loans."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.sim.cohort import SimPerson
from services.store.models import Contact, Device, DeviceLoan, Person


def seed_cohort(session: Session, people: list[SimPerson]) -> int:
    """Insert the people not yet in the store; returns how many were added."""
    existing = set(session.scalars(select(Person.id).where(
        Person.id.in_([p.person_id for p in people]))))
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
