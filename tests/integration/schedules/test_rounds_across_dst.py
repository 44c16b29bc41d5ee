"""Through the store and the broker with a controlled clock: the job function, woken every
few hours across the 2026 transition nights and Easter, places each call once, inside
its window in local time, and none on the bank holidays."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from schedules import jobs
from schedules.planner import Planner
from schedules.scheduler import build_scheduler
from schedules.settings import SchedulerSettings
from services.broker.publisher import EventPublisher
from services.store.db import transaction
from services.store.models import Campaign
from tests.integration.schedules.conftest import (
    requested_on_topic,
    seed_campaign,
    seed_people,
    unique_postcode,
)

pytestmark = pytest.mark.broker

LONDON = ZoneInfo("Europe/London")


def wake_every(first: datetime, last: datetime, hours: int = 3) -> list[datetime]:
    return [
        first + timedelta(hours=h)
        for h in range(0, int((last - first).total_seconds() // 3600) + 1, hours)
    ]


def test_daily_and_weekly_rounds_across_dst_and_easter_place_each_call_once(
    database_url: str, session_factory: sessionmaker[Session], kafka_bootstrap: str
) -> None:
    postcode = unique_postcode()
    people = seed_people(session_factory, postcode, 2)
    daily = seed_campaign(session_factory, postcode, window=(time(10), time(12)))
    weekly = seed_campaign(session_factory, postcode, window=(time(14), time(15)))
    with transaction(session_factory) as session:
        campaign = session.get(Campaign, weekly)
        assert campaign is not None
        campaign.frequency = {"every": "week", "days": ["sun", "mon"]}

    publisher = EventPublisher(kafka_bootstrap)
    jobs.install(
        jobs.Runtime(
            Planner(session_factory, publisher, SchedulerSettings(holder="dst")),
            build_scheduler(database_url),
        )
    )
    try:
        for first, last in (
            (datetime(2026, 3, 27, 22, tzinfo=UTC), datetime(2026, 4, 6, 21, tzinfo=UTC)),
            (datetime(2026, 10, 23, 23, tzinfo=UTC), datetime(2026, 10, 26, 22, tzinfo=UTC)),
        ):
            for now in wake_every(first, last):
                jobs.run_campaign(daily, now)
                jobs.run_campaign(weekly, now)
    finally:
        jobs.install(None)
        publisher.close()

    spring = [date(2026, 3, 28) + timedelta(days=d) for d in range(10)]
    autumn = [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
    easter = {date(2026, 4, 3), date(2026, 4, 6)}  # Good Friday, Easter Monday
    for campaign_id, hours, days in (
        (daily, (time(10), time(12)), [d for d in spring + autumn if d not in easter]),
        (
            weekly,
            (time(14), time(15)),
            [d for d in spring + autumn if d.weekday() in (6, 0) and d not in easter],
        ),
    ):
        events = requested_on_topic(kafka_bootstrap, campaign_id)
        slots = Counter((e.person_id, e.due_at.astimezone(LONDON).date()) for e in events)
        assert slots == Counter({(p, d): 1 for p in people for d in days})
        for event in events:
            start, end = (t.astimezone(LONDON) for t in (event.due_at, event.window_end))
            assert (start.time(), end.time()) == hours
