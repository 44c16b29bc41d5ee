"""Shared fixtures: a real Kafka-protocol broker and real databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from services.broker.admin import create_topics
from services.settings import get_settings
from services.store.db import make_engine, make_session_factory
from services.store.migrate import upgrade
from tests.support.parts import docker_engine_answers, port_open, require

POSTGRES_URL = os.environ.get(
    "TECFLOW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
# One schema per test run, so runs (and developers) sharing the server never collide.
RUN_SCHEMA = f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Each test reads the environment afresh: an in-process CLI call must not keep the
    settings (the database URL) an earlier test in the same worker read."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """KAFKA_BOOTSTRAP_SERVERS when set, else a Kafka testcontainer when a Docker engine
    answers, else the embedded Tansu broker. The catalogue's topics exist on return."""
    if configured := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        create_topics(configured, partitions=3)
        yield configured
    elif docker_engine_answers():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer().with_kraft() as kafka:
            bootstrap = kafka.get_bootstrap_server()
            create_topics(bootstrap, partitions=3)
            yield bootstrap
    else:
        from services.broker.embedded import EmbeddedBroker

        with EmbeddedBroker() as broker:
            create_topics(broker.bootstrap_servers, partitions=3)
            yield broker.bootstrap_servers


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    require(port_open("127.0.0.1", 5432), "PostgreSQL on 127.0.0.1:5432")
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{RUN_SCHEMA}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{RUN_SCHEMA}"
    upgrade(url)
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{RUN_SCHEMA}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('store') / 'tecflow.db'}"
    upgrade(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs twice: on SQLite and on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def session_factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()
