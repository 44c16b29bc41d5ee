"""The care record's handler tests (tests/unit/care/) again, on the store: each runs on
SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.unit_of_work import UnitOfWork


@pytest.fixture
def uow(session_factory: sessionmaker[Session]) -> UnitOfWork:
    return SqlAlchemyUnitOfWork(session_factory)
