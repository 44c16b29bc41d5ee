"""The care record's handler tests (tests/unit/care/) again, on the store: each runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.unit_of_work import UnitOfWork
from services.store.db import transaction
from services.store.models import Person
from tests.support.refs import person_id


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> UnitOfWork:
    return SqlAlchemyUnitOfWork(session_factory)


@pytest.fixture
def add_people(session_factory: sessionmaker[Session]) -> Callable[[int], list[str]]:
    def add(count: int) -> list[str]:
        ids = [person_id("C") for _ in range(count)]
        with transaction(session_factory) as session:
            session.add_all(Person(id=i, display_name="Test Person") for i in ids)
        return ids

    return add
