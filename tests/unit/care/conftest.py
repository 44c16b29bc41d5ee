"""The care record's handler tests run on the in-memory unit of work here, and the same
tests run on SQLite and PostgreSQL from tests/integration/care/."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from care.adapters.memory import InMemoryUnitOfWork
from care.unit_of_work import UnitOfWork
from tests.support.refs import person_id


@pytest.fixture
def uow() -> UnitOfWork:
    return InMemoryUnitOfWork()


@pytest.fixture
def add_people(uow: UnitOfWork) -> Callable[[int], list[str]]:
    """People on the record (care entries refer to them)."""

    def add(count: int) -> list[str]:
        ids = [person_id("C") for _ in range(count)]
        assert isinstance(uow, InMemoryUnitOfWork)
        uow.add_people(*ids)
        return ids

    return add
