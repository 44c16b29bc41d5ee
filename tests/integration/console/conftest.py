"""A console app on the test store, with one account per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from services.console.app import create_app
from services.console.roles import Role
from services.console.settings import ConsoleSettings
from services.store.db import make_engine, make_session_factory
from tests.support.console import Account, make_accounts


@pytest.fixture(scope="session")
def console_factory(sqlite_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(sqlite_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def console_settings() -> ConsoleSettings:
    return ConsoleSettings(queue_poll_s=0.05)


@pytest.fixture
def console_app(
    console_settings: ConsoleSettings, console_factory: sessionmaker[Session]
) -> FastAPI:
    return create_app(console_settings, console_factory)


@pytest.fixture(scope="session")
def accounts(console_factory: sessionmaker[Session]) -> dict[Role, Account]:
    """Shared by the tests (argon2 is slow on purpose); tests that lock or change an
    account make their own."""
    return make_accounts(console_factory)


@pytest.fixture
def client(console_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(console_app) as test_client:
        yield test_client
