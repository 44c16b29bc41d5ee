"""A call outcome on the real broker -> the worker -> a falls flag, a need update, a
referral and an alert in SQLite and PostgreSQL, once, however often it is delivered."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, ImportNeeds
from contracts.care import NeedUpdate, Signal
from contracts.codes import ScriptName
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.needs.csvfile import read_rows
from services.store.db import transaction
from services.store.models import (
    AlertRecord,
    DeadLetterRecord,
    FlagRecord,
    Person,
    ReferralRecord,
    SignalRecord,
    UnmetNeed,
)
from tests.support.refs import person_id
from tests.support.waiting import eventually
from tests.support.workers import tecflow_process, worker_env
from tests.unit.outcomes.builders import outcome

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.postgres]
CALL_AT = datetime.now(UTC).replace(microsecond=0)


def rows(factory: sessionmaker[Session], model: Any, who: str) -> list[Any]:
    with transaction(factory) as session:
        found = list(session.scalars(select(model).where(model.person_id == who)))
        for row in found:
            _ = getattr(row, "history", None)  # load before the session closes
        return found


def on_topic(bootstrap: str, topic: Topic, who: str) -> list[bytes]:
    consumer = KafkaConsumer(
        str(topic),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=3000,
    )
    values = [m.value for m in consumer if m.key == who.encode()]
    consumer.close()
    return values


def test_call_outcome_becomes_flag_need_update_referral_and_alert_once(
    kafka_bootstrap: str,
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    who = person_id("E")
    with transaction(session_factory) as session:
        session.add(Person(id=who, display_name="Test Person", lives_alone=True))
    need_rows, _ = read_rows(
        "person_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since\n"
        f"{who},substantial,14,home,2026-09-01,2026-09-03\n",
        CALL_AT.date(),
    )
    result = handle(
        ImportNeeds(rows=tuple(need_rows), by=Actor.system("test"), at=CALL_AT),
        SqlAlchemyUnitOfWork(session_factory),
    )
    assert result.added == 1
    checkin = outcome(
        ScriptName.UNMET_NEED_CHECKIN,
        {
            "coping": "in_crisis",
            "eating_and_drinking": "no",
            "personal_care": "no",
            "medication": "yes",
            "carer_coping": "no_carer",
            "any_falls": "yes",
            "two_or_more_falls": "yes",
            "offer_community_meals": "accepted",
        },
        person_id=who,
        at=CALL_AT,
    )
    follow_up = outcome(
        ScriptName.FALLS_FOLLOW_UP,
        {"fall_in_last_days": "no", "blackout": "yes"},
        person_id=who,
        at=CALL_AT,
    )
    env = worker_env(kafka_bootstrap, database_url, app_id=f"outcomes-{who}")
    log = tmp_path / "worker.log"

    with (
        tecflow_process("worker", env=env, log_path=log) as worker,
        EventPublisher(kafka_bootstrap) as publisher,
    ):
        publisher.publish(Topic.CALLS_OUTCOMES, checkin)
        publisher.publish(Topic.CALLS_OUTCOMES, checkin)  # redelivered
        malformed = f'{{"kind": "call_outcome", "person_id": "{who}", "script": "x"}}'.encode()
        publisher.publish_raw(Topic.CALLS_OUTCOMES, malformed, key=who.encode())
        # Same person, same partition: processed after both copies of the check-in.
        publisher.publish(Topic.CALLS_OUTCOMES, follow_up)

        def flag_with_blackout() -> list[FlagRecord]:
            flags = rows(session_factory, FlagRecord, who)
            return flags if flags and any("blackout" in e for e in flags[0].evidence) else []

        [flag] = eventually(flag_with_blackout, timeout_s=120)
        alerts = eventually(lambda: rows(session_factory, AlertRecord, who), timeout_s=30)
        referrals = eventually(
            lambda: (
                len(rows(session_factory, ReferralRecord, who)) == 3
                and rows(session_factory, ReferralRecord, who)
            ),
            timeout_s=30,
        )
        [need] = eventually(
            lambda: [n for n in rows(session_factory, UnmetNeed, who) if n.status == "in_crisis"],
            timeout_s=30,
        )

        signal = Signal(
            person_id=who,
            occurred_at=CALL_AT,
            source="streams.activity",
            script=ScriptName.FALLS_FOLLOW_UP,
            reason="fall detector alarm at 03:12, no movement after",
        )
        publisher.publish(Topic.SIGNALS, signal)
        eventually(
            lambda: any(
                "fall detector alarm at 03:12" in e
                for e in rows(session_factory, FlagRecord, who)[0].evidence
            ),
            timeout_s=60,
        )

        def dead_letter() -> list[DeadLetterRecord]:
            with transaction(session_factory) as session:
                return [
                    d
                    for d in session.scalars(
                        select(DeadLetterRecord).where(DeadLetterRecord.origin == "calls.outcomes")
                    )
                    if base64.b64decode(d.raw_b64) == malformed
                ]

        [letter] = eventually(dead_letter, timeout_s=30)
        assert "script: Input should be" in letter.reason
        # The store's own signal sink still gets the signal this agent also reads.
        eventually(lambda: rows(session_factory, SignalRecord, who), timeout_s=30)
        assert worker.poll() is None, log.read_text()[-3000:]

    assert (flag.status, flag.recommended_referral) == ("active", "falls_team")
    assert flag.evidence[0] == (
        f"{CALL_AT:%Y-%m-%d} unmet need checkin call: has had a fall since the last call; "
        "has fallen two or more times in 12 months"
    )
    assert [h.reason for h in flag.history] == [
        f"{CALL_AT:%Y-%m-%d} unmet need checkin call: has fallen two or more times in 12 "
        "months: multifactorial falls assessment",
        f"{CALL_AT:%Y-%m-%d} falls follow up call: had a blackout: multifactorial falls assessment",
    ]  # the redelivered check-in added no third entry
    [alert] = alerts
    assert (alert.kind, alert.priority, alert.occurrences) == ("in_crisis", "urgent", 1)
    assert sorted((r.target, r.status, r.origin) for r in referrals) == [
        ("community_meals", "suggested", "call"),
        ("falls_team", "suggested", "flag"),
        ("ilrt", "suggested", "flag"),  # a fall, and not managing personal care
    ]
    assert need.last_answers["coping"] == "in_crisis"
    assert [sorted(h.changes) for h in need.history][1] == [
        "last_answers",
        "last_checked_at",
        "status",
    ]
    assert len(need.history) == 2  # imported, then the one check-in
    # The worker acted on both copies with the same derived ids; the store wrote one.
    updates = [
        NeedUpdate.model_validate_json(v)
        for v in on_topic(kafka_bootstrap, Topic.NEEDS_UPDATES, who)
    ]
    assert len(updates) == 2 and updates[0].event_id == updates[1].event_id
