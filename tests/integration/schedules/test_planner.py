"""The planner on real SQLite and PostgreSQL and a real broker: rules from the store,
never twice across a crash, a restart and two planners at once, signals into calls."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from schedules.planner import Planner
from schedules.settings import SchedulerSettings
from services.broker.publisher import EventPublisher
from services.store.db import transaction
from services.store.models import (
    HospitalStay,
    OutboxRecord,
    PlannedCallRecord,
    SignalRecord,
    UnmetNeed,
)
from tests.integration.schedules.conftest import (
    requested_on_topic,
    seed_campaign,
    seed_people,
    unique_postcode,
)

pytestmark = pytest.mark.broker

NOW = datetime(2026, 11, 25, 7, tzinfo=UTC)  # a Wednesday morning, before a 10:00 window
LONDON = ZoneInfo("Europe/London")


def planner(factory: sessionmaker[Session], publisher: object, holder: str) -> Planner:
    return Planner(factory, publisher, SchedulerSettings(holder=holder))  # type: ignore[arg-type]


def ledger(factory: sessionmaker[Session], campaign_id: str) -> list[PlannedCallRecord]:
    with transaction(factory) as session:
        return list(
            session.scalars(
                select(PlannedCallRecord).where(PlannedCallRecord.campaign_id == campaign_id)
            )
        )


def outbox_rows(factory: sessionmaker[Session], ids: list[uuid.UUID]) -> list[OutboxRecord]:
    """The planned calls' requests in the outbox, written with the ledger rows."""
    with transaction(factory) as session:
        return list(session.scalars(select(OutboxRecord).where(OutboxRecord.event_id.in_(ids))))


class CrashingPublisher:
    """Dies as the process would if killed between the commit and the broker's ack."""

    def publish_records(self, records: object) -> None:
        raise ConnectionError("killed before publishing")


def test_store_rules_keep_do_not_call_opted_out_and_in_hospital_off_the_round(
    session_factory: sessionmaker[Session], kafka_bootstrap: str
) -> None:
    postcode = unique_postcode()
    [callable_] = seed_people(session_factory, postcode, 1)
    seed_people(session_factory, postcode, 1, do_not_call=True)
    seed_people(session_factory, postcode, 1, opted_out=True)
    [admitted, waiting_in_hospital, discharged] = seed_people(session_factory, postcode, 3)
    with transaction(session_factory) as session:
        session.add(HospitalStay(person_id=admitted, admitted_at=NOW - timedelta(days=2)))
        session.add(
            HospitalStay(
                person_id=discharged,
                admitted_at=NOW - timedelta(days=9),
                discharged_at=NOW - timedelta(days=1),
            )
        )
        session.add(
            UnmetNeed(
                person_id=waiting_in_hospital,
                need_level="substantial",
                hours_per_week=10,
                waiting_at="hospital",
                assessed_on=NOW.date(),
                waiting_since=NOW.date(),
            )
        )
    campaign_id = seed_campaign(session_factory, postcode)
    with EventPublisher(kafka_bootstrap) as publisher:
        assert planner(session_factory, publisher, "h1").plan_campaign(campaign_id, NOW) == 2
    assert {row.person_id for row in ledger(session_factory, campaign_id)} == {
        callable_,
        discharged,
    }
    events = requested_on_topic(kafka_bootstrap, campaign_id)
    assert {e.person_id for e in events} == {callable_, discharged}
    for event in events:
        assert event.due_at.astimezone(LONDON).time() == time(10)
        assert event.window_end.astimezone(LONDON).time() == time(12)
        assert (event.attempt, event.max_attempts, event.retry_after_s) == (1, 2, 900)
        assert event.script == "welfare_check"


def test_a_planner_killed_before_publishing_is_caught_up_on_restart_without_duplicates(
    session_factory: sessionmaker[Session], kafka_bootstrap: str
) -> None:
    postcode = unique_postcode()
    people = set(seed_people(session_factory, postcode, 5))
    campaign_id = seed_campaign(session_factory, postcode)
    with pytest.raises(ConnectionError):
        planner(session_factory, CrashingPublisher(), "dead").plan_campaign(campaign_id, NOW)
    claimed = ledger(session_factory, campaign_id)
    waiting = outbox_rows(session_factory, [row.id for row in claimed])
    assert len(claimed) == 5 and len(waiting) == 5
    assert all(row.published_at is None and row.relay == "scheduler" for row in waiting)
    assert requested_on_topic(kafka_bootstrap, campaign_id) == []

    # The restarted instance has a new name: it waits out the dead one's lease.
    later = NOW + timedelta(seconds=SchedulerSettings().lease_ttl_s + 1)
    with EventPublisher(kafka_bootstrap) as publisher:
        restarted = planner(session_factory, publisher, "restarted")
        assert restarted.plan_campaign(campaign_id, NOW + timedelta(seconds=5)) == 0
        assert restarted.plan_campaign(campaign_id, later) == 0  # nothing new to claim
        assert restarted.plan_campaign(campaign_id, later + timedelta(minutes=5)) == 0
    events = requested_on_topic(kafka_bootstrap, campaign_id)
    assert Counter(e.person_id for e in events) == Counter(people)
    assert {e.event_id for e in events} == {row.id for row in claimed}
    sent = outbox_rows(session_factory, [row.id for row in claimed])
    assert len(sent) == 5 and all(row.published_at is not None for row in sent)


def test_two_planners_at_once_request_each_call_once(
    session_factory: sessionmaker[Session], kafka_bootstrap: str
) -> None:
    postcode = unique_postcode()
    people = set(seed_people(session_factory, postcode, 40))
    campaign_id = seed_campaign(session_factory, postcode)
    start = threading.Barrier(2)
    claimed: dict[str, int] = {}

    def run(holder: str, now: datetime) -> None:
        with EventPublisher(kafka_bootstrap) as publisher:
            instance = planner(session_factory, publisher, holder)
            start.wait()
            claimed[holder] = instance.plan_campaign(campaign_id, now)

    threads = [
        threading.Thread(target=run, args=("a", NOW)),
        threading.Thread(target=run, args=("b", NOW + timedelta(seconds=1))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sorted(claimed.values()) == [0, 40]  # the lease let one of them plan
    # Even with the lease out of the way (expired), the ledger claims nothing twice.
    with EventPublisher(kafka_bootstrap) as publisher:
        again = planner(session_factory, publisher, "c")
        assert again.plan_campaign(campaign_id, NOW + timedelta(hours=1)) == 0
    assert len(ledger(session_factory, campaign_id)) == 40
    events = requested_on_topic(kafka_bootstrap, campaign_id)
    assert len(events) == 40
    assert Counter(e.person_id for e in events) == Counter(people)


def test_a_signal_becomes_a_call_request_inside_the_persons_window(
    session_factory: sessionmaker[Session], kafka_bootstrap: str
) -> None:
    [person] = seed_people(session_factory, unique_postcode(), 1)
    signal_id = uuid.uuid4()
    with transaction(session_factory) as session:
        session.add(
            SignalRecord(
                id=signal_id,
                person_id=person,
                script="falls_follow_up",
                reason="routine changed: bed not left by noon",
                call_by=NOW.date(),
            )
        )
    evening = datetime(2026, 11, 25, 19, tzinfo=UTC)  # after today's 09:00-18:00 window
    with EventPublisher(kafka_bootstrap) as publisher:
        instance = planner(session_factory, publisher, "s")
        assert instance.plan_signals(evening) >= 1
        assert instance.plan_signals(evening + timedelta(minutes=1)) == 0
    with transaction(session_factory) as session:
        stored = session.get(SignalRecord, signal_id)
        assert stored is not None and stored.planned_call_id is not None
        assert (
            session.scalar(
                select(func.count())
                .select_from(PlannedCallRecord)
                .where(PlannedCallRecord.signal_id == signal_id)
            )
            == 1
        )
    [event] = requested_on_topic(kafka_bootstrap, person_ids={person})
    assert event.event_id == stored.planned_call_id
    assert (event.script, event.campaign_id) == ("falls_follow_up", None)
    assert event.reason == "routine changed: bed not left by noon"
    local_start, local_end = (t.astimezone(LONDON) for t in (event.due_at, event.window_end))
    assert local_start.date() == local_end.date() == evening.date() + timedelta(days=1)
    assert (local_start.time(), local_end.time()) == (time(9), time(18))
