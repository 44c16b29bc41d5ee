"""The APScheduler adapter: jobs persisted in the store's database, named for their
campaign, following campaign edits, and a job run placing calls for a given `now`."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from schedules import jobs
from schedules.planner import Planner
from schedules.scheduler import build_scheduler, start_jobs, sync_campaign_jobs
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


async def test_campaign_jobs_are_stored_followed_and_run(
    database_url: str, session_factory: sessionmaker[Session], kafka_bootstrap: str
) -> None:
    postcode = unique_postcode()
    people = set(seed_people(session_factory, postcode, 3))
    campaign_id = seed_campaign(session_factory, postcode)
    publisher = EventPublisher(kafka_bootstrap)
    planner = Planner(session_factory, publisher, SchedulerSettings(holder="jobs-test"))
    scheduler = build_scheduler(database_url)
    jobs.install(jobs.Runtime(planner, scheduler))
    try:
        scheduler.start(paused=True)  # the test, not the wall clock, decides when jobs run
        start_jobs(scheduler, planner)
        job = scheduler.get_job(f"campaign:{campaign_id}")
        assert job is not None
        assert (job.func, job.args) == (jobs.run_campaign, (campaign_id,))
        assert job.misfire_grace_time == 2 * 3600  # the 10:00-12:00 window
        assert scheduler.get_job("signals") is not None

        # A second scheduler on the same database finds the jobs in the store.
        reader = build_scheduler(database_url)
        reader.start(paused=True)
        assert reader.get_job(f"campaign:{campaign_id}") is not None
        reader.shutdown(wait=False)

        now = datetime(2026, 11, 26, 7, tzinfo=UTC)
        claimed = await asyncio.get_running_loop().run_in_executor(
            None, jobs.run_campaign, campaign_id, now
        )
        assert claimed == 3
        assert {e.person_id for e in requested_on_topic(kafka_bootstrap, campaign_id)} == people

        with transaction(session_factory) as session:
            campaign = session.get(Campaign, campaign_id)
            assert campaign is not None
            campaign.active = False
        sync_campaign_jobs(scheduler, planner, replace=False)
        assert scheduler.get_job(f"campaign:{campaign_id}") is None
    finally:
        scheduler.remove_all_jobs()
        scheduler.shutdown(wait=False)
        jobs.install(None)
        publisher.close()
