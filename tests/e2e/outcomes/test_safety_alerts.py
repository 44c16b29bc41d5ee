"""Safety alerts through the real worker into the store (SQLite and PostgreSQL): a
person at risk who misses the first attempt (H9), a call dropped mid-script (H5) and a
transfer nobody answered (H2, raised by the IVR) reach the call handlers' queue."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.codes import CallStatus, ScriptName
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.store.db import transaction
from services.store.models import AlertRecord, FlagRecord, Person
from services.telephony.distress import TransferReason
from services.telephony.transfers import Attempt, failed_alert
from tests.support.refs import person_id
from tests.support.waiting import eventually
from tests.support.workers import tecflow_process, worker_env
from tests.unit.outcomes.builders import outcome

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.postgres]
NOW = datetime.now(UTC).replace(microsecond=0)


def alerts(factory: sessionmaker[Session], who: str) -> list[AlertRecord]:
    with transaction(factory) as session:
        return list(session.scalars(select(AlertRecord).where(AlertRecord.person_id == who)))


def test_safety_alerts_reach_the_call_handlers_queue(
    kafka_bootstrap: str,
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    at_risk, dropped, unheard = (person_id("S") for _ in range(3))
    with transaction(session_factory) as session:
        session.add_all(
            Person(id=who, display_name="Test Person") for who in (at_risk, dropped, unheard)
        )
        session.add(
            FlagRecord(
                id=uuid.uuid4(),
                person_id=at_risk,
                code="129839007",
                status="active",
                evidence=["fell in March"],
                raised_at=NOW,
            )
        )
    missed = outcome(
        ScriptName.WELFARE_CHECK, {}, person_id=at_risk, at=NOW, status=CallStatus.NO_ANSWER
    )
    cut_off = outcome(
        ScriptName.UNMET_NEED_CHECKIN, {"coping": "struggling"}, person_id=dropped, at=NOW
    ).model_copy(update={"script_completed": False})
    no_handler = failed_alert(
        unheard,
        uuid.uuid4(),
        TransferReason.DISTRESS,
        (Attempt(0, "no-answer"), Attempt(1, "busy")),
        20,
        NOW,
    )
    env = worker_env(kafka_bootstrap, database_url, app_id=f"safety-{at_risk}")

    with (
        tecflow_process("worker", env=env, log_path=tmp_path / "worker.log"),
        EventPublisher(kafka_bootstrap) as publisher,
    ):
        publisher.publish(Topic.CALLS_OUTCOMES, missed)
        publisher.publish(Topic.CALLS_OUTCOMES, cut_off)
        publisher.publish(Topic.ALERTS, no_handler)
        [escalated] = eventually(lambda: alerts(session_factory, at_risk), timeout_s=120)
        [call_dropped] = eventually(lambda: alerts(session_factory, dropped), timeout_s=60)
        [transfer] = eventually(lambda: alerts(session_factory, unheard), timeout_s=60)

    assert (escalated.kind, escalated.priority) == ("welfare_concern", "urgent")
    assert "an open falls flag" in escalated.summary and "30 minutes" in escalated.summary
    assert (call_dropped.kind, call_dropped.priority) == ("call_dropped", "high")
    assert (transfer.kind, transfer.priority) == ("transfer_failed", "urgent")
    assert f"{NOW:%H:%M:%S} UTC" in transfer.summary
