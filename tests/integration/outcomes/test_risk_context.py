"""What the outcome processor reads to decide a person is at risk when a call goes
unanswered (hazard H9), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from services.store.db import transaction
from services.store.models import AlertRecord, UnmetNeed
from streams.outcomes.agent import load_context

NOW = datetime.now(UTC).replace(microsecond=0)


def test_in_crisis_and_the_last_urgent_alert_are_read_for_the_person_only(
    session_factory: sessionmaker[Session], add_people: Callable[..., list[str]]
) -> None:
    who, other = add_people(2)
    with transaction(session_factory) as session:
        session.add(
            UnmetNeed(
                person_id=who,
                need_level="substantial",
                hours_per_week=10,
                assessed_on=date(2026, 11, 1),
                waiting_since=date(2026, 11, 2),
                status="in_crisis",
            )
        )
        for at, priority in (
            (NOW - timedelta(hours=30), "urgent"),
            (NOW - timedelta(hours=3), "urgent"),
            (NOW - timedelta(hours=1), "normal"),
        ):
            session.add(
                AlertRecord(
                    person_id=who,
                    alert_key=f"k:{who}:{at}",
                    kind="in_crisis",
                    priority=priority,
                    queue="call_handler",
                    summary="s",
                    status="closed",
                    raised_at=at,
                )
            )

    mine = load_context(session_factory, who, NOW)
    theirs = load_context(session_factory, other, NOW)

    assert mine.in_crisis and mine.last_urgent_alert_at == NOW - timedelta(hours=3)
    assert not theirs.in_crisis and theirs.last_urgent_alert_at is None
