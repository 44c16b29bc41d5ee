"""The care record's handler tests run on the in-memory unit of work here, and the same
tests run on SQLite and PostgreSQL from tests/integration/care/."""

from __future__ import annotations

import pytest

from care.adapters.memory import InMemoryUnitOfWork
from care.unit_of_work import UnitOfWork


@pytest.fixture
def uow() -> UnitOfWork:
    return InMemoryUnitOfWork()
