"""Real `tecflow scheduler` processes on one database: two at once, one killed with
SIGKILL and restarted; every call is requested once, on the topic and in the store."""

from __future__ import annotations

import signal
from collections import Counter
from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.envelope import utcnow
from services.store.db import transaction
from services.store.models import PlannedCallRecord
from tests.integration.schedules.conftest import (
    requested_on_topic,
    seed_campaign,
    seed_people,
    unique_postcode,
)
from tests.support.waiting import eventually
from tests.support.workers import tecflow_process

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def zone_where_it_is_noon() -> str:
    """The processes run on the wall clock: give the people a zone whose local time is
    about noon now, so a 06:00-18:00 window is open whenever the test runs."""
    offset = 12 - utcnow().hour
    return f"Etc/GMT{-offset:+d}"


def test_two_schedulers_and_a_killed_one_restarted_request_each_call_once(
    database_url: str,
    session_factory: sessionmaker[Session],
    kafka_bootstrap: str,
    tmp_path: Path,
) -> None:
    postcode = unique_postcode()
    people = seed_people(session_factory, postcode, 5, timezone=zone_where_it_is_noon())
    window = (time(6), time(18))
    first = seed_campaign(session_factory, postcode, window=window)

    def env(holder: str) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "TECFLOW_DATABASE_URL": database_url,
            "TECFLOW_SCHEDULER_HOLDER": holder,
            "TECFLOW_SCHEDULER_PLAN_EVERY_S": "2",
            "TECFLOW_SCHEDULER_LEASE_TTL_S": "4",
        }

    log = tmp_path / "scheduler.log"
    with (
        tecflow_process("scheduler", env=env("a"), log_path=log) as a,
        tecflow_process("scheduler", env=env("b"), log_path=log),
    ):
        eventually(lambda: len(requested_on_topic(kafka_bootstrap, first)) >= 5, 90)
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        second = seed_campaign(session_factory, postcode, window=window)
        with tecflow_process("scheduler", env=env("a-restarted"), log_path=log):
            eventually(lambda: len(requested_on_topic(kafka_bootstrap, second)) >= 5, 90)

    for campaign_id in (first, second):
        events = requested_on_topic(kafka_bootstrap, campaign_id)
        assert Counter(e.person_id for e in events) == Counter(people), log.read_text()[-3000:]
        with transaction(session_factory) as session:
            rows = session.scalars(
                select(PlannedCallRecord).where(PlannedCallRecord.campaign_id == campaign_id)
            ).all()
        assert sorted(r.person_id for r in rows) == sorted(people)
        assert {r.id for r in rows} == {e.event_id for e in events}
