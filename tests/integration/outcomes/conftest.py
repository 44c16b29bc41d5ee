"""People in the store for the unmet-need and flag tests (unique ids per test)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from services.store.db import transaction
from services.store.models import Person
from tests.support.refs import person_id


@pytest.fixture
def add_people(session_factory: sessionmaker[Session]) -> Callable[..., list[str]]:
    def add(count: int, lives_alone: bool = False) -> list[str]:
        ids = [person_id("N") for _ in range(count)]
        with transaction(session_factory) as session:
            session.add_all(
                Person(id=i, display_name="Test Person", lives_alone=lives_alone) for i in ids
            )
        return ids

    return add
