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
    assert {"people", "devices", "device_loans", "alerts", "flags", "unmet_needs",
            "referrals", "campaigns", "audit_log", "alembic_version"} <= tables


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
