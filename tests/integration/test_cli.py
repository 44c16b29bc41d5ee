from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from kafka import KafkaAdminClient
from sqlalchemy import inspect

from services.broker.embedded import EmbeddedBroker
from services.cli import main
from services.settings import get_settings
from services.store.db import make_engine


@pytest.fixture(autouse=True)
def fresh_settings() -> None:
    get_settings.cache_clear()


def test_db_upgrade_creates_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TECFLOW_DATABASE_URL", url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    tables = set(inspect(make_engine(url)).get_table_names())
    assert {
        "people",
        "devices",
        "device_loans",
        "alerts",
        "flags",
        "unmet_needs",
        "referrals",
        "campaigns",
        "audit_log",
        "alembic_version",
    } <= tables


@pytest.mark.broker
def test_topics_create_needs_a_broker_then_creates_the_catalogue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    refused = CliRunner().invoke(main, ["topics", "create"])
    assert refused.exit_code != 0
    assert "KAFKA_BOOTSTRAP_SERVERS" in refused.output

    get_settings.cache_clear()
    with EmbeddedBroker() as broker:
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap_servers)
        result = CliRunner().invoke(main, ["topics", "create"])
        assert result.exit_code == 0, result.output
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        topics = set(admin.list_topics())
        admin.close()
    assert {"device.alarms", "device.events", "calls.requested", "deadletter"} <= topics


def test_consent_to_automated_calls_is_set_and_shown_with_who_and_when(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """H11: an opt-out is settable from the CLI, and the scheduler's people read it."""
    from contracts.envelope import utcnow
    from schedules.eligibility import Skip, skip_reason
    from schedules.model import Window
    from schedules.repository import people_facts
    from services.store.db import make_session_factory, transaction
    from services.store.models import Person

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TECFLOW_DATABASE_URL", url)
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        session.add(Person(id="P1", display_name="Test Person"))

    given = CliRunner().invoke(
        main, ["consent", "set", "P1", "given", "--by", "rmu:jo", "--how", "in person"]
    )
    withdrawn = CliRunner().invoke(
        main, ["consent", "set", "P1", "withdrawn", "--by", "handler:sam", "--how", "by phone"]
    )
    unknown = CliRunner().invoke(main, ["consent", "set", "P9", "given", "--by", "x"])
    shown = CliRunner().invoke(main, ["consent", "show", "P1"])

    assert given.exit_code == withdrawn.exit_code == shown.exit_code == 0, shown.output
    assert unknown.exit_code == 1 and "no person P9" in unknown.output
    lines = shown.output.splitlines()
    assert [line.split()[3] for line in lines] == ["given", "withdrawn"]
    assert "by handler:sam  (by phone)" in lines[1]
    with transaction(factory) as session:
        [person] = people_facts(session, utcnow(), ["P1"])
    window = Window(utcnow(), utcnow())
    assert skip_reason(person, window, window.start.date()) is Skip.OPTED_OUT
