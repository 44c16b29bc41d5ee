"""Privacy at rest (issue 18): `tecflow purge` deletes dead letters and device events past
their retention period, on SQLite and PostgreSQL; the SQLite store is its owner's only."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.cli import main
from services.settings import get_settings
from services.store.db import make_engine, transaction
from services.store.models import DeadLetterRecord, DeviceEventRecord
from tests.support.refs import person_id

pytestmark = pytest.mark.postgres


def test_purge_deletes_only_what_is_past_retention(
    database_url: str,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(UTC)
    who = person_id()
    ages = {"old": now - timedelta(days=100), "new": now - timedelta(days=10)}
    letters = {age: uuid.uuid4() for age in ages}
    events = {age: uuid.uuid4() for age in ages}
    with transaction(session_factory) as session:
        for age, at in ages.items():
            session.add(
                DeadLetterRecord(
                    id=letters[age], origin="test", reason="r", raw_b64="", received_at=at
                )
            )
            session.add(
                DeviceEventRecord(
                    event_id=events[age],
                    person_id=who,
                    kind="sensor",
                    topic="device.events",
                    source="test",
                    occurred_at=at,
                    received_at=at,
                    payload={},
                )
            )
    monkeypatch.setenv("TECFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            main, ["purge", "--dead-letter-days", "30", "--device-event-days", "30"]
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    with transaction(session_factory) as session:
        kept_letters = set(
            session.scalars(
                select(DeadLetterRecord.id).where(DeadLetterRecord.id.in_(letters.values()))
            )
        )
        kept_events = set(
            session.scalars(
                select(DeviceEventRecord.event_id).where(DeviceEventRecord.person_id == who)
            )
        )
    assert kept_letters == {letters["new"]} and kept_events == {events["new"]}


def test_the_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
        connection.commit()
    engine.dispose()
    assert {
        p.name: p.stat().st_mode & 0o777
        for p in tmp_path.iterdir()
        if p.name.startswith("store.db")
    }["store.db"] == 0o600
