"""The equipment register against the real store, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.gateway.register import EquipmentRegister, Holder, RegisterUnavailable
from services.sim.cohort import synthetic_person
from services.sim.seeding import seed_cohort
from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import Device, DeviceLoan


def seeded(factory: sessionmaker[Session]) -> tuple[str, str]:
    sim = synthetic_person(random.randint(100_000, 999_999), random.Random(2))
    with transaction(factory) as session:
        seed_cohort(session, [sim])
    return sim.person_id, sim.device("zigbee", "front_door").identifier


async def test_an_open_loan_names_the_holder_and_placement(
    session_factory: sessionmaker[Session],
) -> None:
    person, door = seeded(session_factory)
    register = EquipmentRegister(session_factory)
    assert await register.holder_of("zigbee", door) == Holder(person, "front_door")
    assert await register.holder_of("zigbee", "no such device") is None
    assert await register.holder_of("alexa", door) is None  # kind matters


async def test_a_returned_device_has_no_holder_once_the_cache_expires(
    session_factory: sessionmaker[Session],
) -> None:
    person, door = seeded(session_factory)
    now = [0.0]
    register = EquipmentRegister(session_factory, ttl_s=30, clock=lambda: now[0])
    assert await register.holder_of("zigbee", door) == Holder(person, "front_door")
    with transaction(session_factory) as session:
        loan = session.query(DeviceLoan).join(Device).filter(Device.identifier == door).one()
        loan.returned_at = datetime.now(UTC)
    assert await register.holder_of("zigbee", door) is not None  # cached
    now[0] = 31
    assert await register.holder_of("zigbee", door) is None


async def test_an_unreachable_store_is_said_plainly() -> None:
    register = EquipmentRegister(
        make_session_factory(make_engine("postgresql://nobody@127.0.0.1:1/none?connect_timeout=1"))
    )
    with pytest.raises(RegisterUnavailable):
        await register.holder_of("zigbee", "x")
