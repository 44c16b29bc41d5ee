"""Away mode, time zone and safe zones come from the store (SQLite and PostgreSQL),
read off the event loop and cached; an unreadable store falls back, never blocks."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import Person, SafeZoneRecord
from streams.person_context import ContextBook
from streams.processors.context import PersonContext, SafeZone
from tests.support.refs import person_id

pytestmark = pytest.mark.postgres


def add_person(factory: sessionmaker[Session], away_until: datetime | None) -> str:
    who = person_id()
    with transaction(factory) as session:
        session.add(
            Person(
                id=who, display_name="Test Person", timezone="Europe/Dublin", away_until=away_until
            )
        )
        session.flush()
        session.add(
            SafeZoneRecord(
                person_id=who,
                name="home",
                lat=53.35,
                lon=-6.26,
                radius_m=250,
                active_from=time(20),
                active_to=time(8),
            )
        )
    return who


async def test_context_comes_from_the_store_and_is_cached(
    session_factory: sessionmaker[Session],
) -> None:
    until = datetime(2026, 12, 1, 12, tzinfo=UTC)
    who = add_person(session_factory, until)
    book = ContextBook(session_factory, ttl_s=3600, default_tz="Europe/London")
    context = await book.get(who)
    assert context == PersonContext(
        tz="Europe/Dublin",
        away_until=until,
        zones=(SafeZone("home", 53.35, -6.26, 250, time(20), time(8)),),
    )
    assert context.away_at(until - timedelta(minutes=1))
    with transaction(session_factory) as session:
        person = session.get(Person, who)
        assert person is not None
        person.away_until = None
    assert (await book.get(who)).away_until == until  # cached
    fresh = ContextBook(session_factory, ttl_s=0, default_tz="Europe/London")
    assert (await fresh.get(who)).away_until is None
    assert await fresh.get(person_id()) == PersonContext(tz="Europe/London")  # not on record


async def test_an_unreachable_store_gives_the_default() -> None:
    broken = make_session_factory(make_engine("postgresql://nobody@127.0.0.1:1/none"))
    book = ContextBook(broken, ttl_s=0, default_tz="Europe/London")
    assert await book.get("P404") == PersonContext(tz="Europe/London")
