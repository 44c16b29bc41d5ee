"""Helpers for the scheduler's store- and broker-backed tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import time

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from contracts.calls import CallRequested
from contracts.topics import Topic
from schedules.campaigns import add_campaign
from services.store.db import transaction
from services.store.models import Person, SchedulerLease
from tests.support.topics import read_topic


@pytest.fixture(autouse=True)
def no_lease_left_behind(session_factory: sessionmaker[Session]) -> Iterator[None]:
    """Tests share a database and plan at invented times: a lease one leaves would hold
    the next test's planner back."""
    yield
    with transaction(session_factory) as session:
        session.execute(delete(SchedulerLease))


def unique_postcode() -> str:
    """A postcode sector no other test uses, so a campaign's cohort is this test's people."""
    return f"ZZ9 {uuid.uuid4().hex[:6].upper()}"


def seed_people(
    factory: sessionmaker[Session], postcode: str, count: int, **facts: object
) -> list[str]:
    ids = [f"S{uuid.uuid4().hex[:10]}" for _ in range(count)]
    with transaction(factory) as session:
        session.add_all(
            Person(id=person_id, display_name="Test Person", postcode=postcode, **facts)
            for person_id in ids
        )
    return ids


def seed_campaign(
    factory: sessionmaker[Session],
    postcode: str,
    every: str = "day",
    window: tuple[time, time] = (time(10), time(12)),
) -> str:
    campaign_id = f"test-{uuid.uuid4().hex[:8]}"
    with transaction(factory) as session:
        add_campaign(
            session,
            campaign_id=campaign_id,
            name="welfare round",
            script="welfare_check",
            cohort="postcode_area",
            cohort_params={"areas": postcode},
            frequency={"every": every},
            window=window,
            max_attempts=2,
            retry_spacing_minutes=15,
        )
    return campaign_id


def requested_on_topic(
    bootstrap: str, campaign_id: str | None = None, person_ids: set[str] | None = None
) -> list[CallRequested]:
    """Every CallRequested on the topic for this campaign (or these people), in order."""
    events = read_topic(bootstrap, str(Topic.CALLS_REQUESTED), CallRequested)
    return [
        e
        for e in events
        if (campaign_id is None or e.campaign_id == campaign_id)
        and (person_ids is None or e.person_id in person_ids)
    ]
