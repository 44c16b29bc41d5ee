"""`tecflow scheduler`: APScheduler 3 (AsyncIOScheduler, UTC) with its job store in the
same database as the store. Jobs only plan and publish; the dialer does the slow work.

One job per active campaign (`campaign:<id>`), one for signals, one that follows
campaign edits. The job store is a cache of the campaigns table: rebuilt each time an
instance starts to lead. Instances stand by until they hold the planning lease, so one
at a time runs APScheduler on the shared job store (pitfall S1)."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, date, datetime, timedelta

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_MAX_INSTANCES,
    EVENT_JOB_MISSED,
    JobExecutionEvent,
)
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from contracts.envelope import utcnow
from schedules import jobs, repository
from schedules.planner import Planner
from schedules.settings import SchedulerSettings
from services.broker.publisher import EventPublisher
from services.settings import Settings
from services.store.db import make_engine, make_session_factory, transaction

log = logging.getLogger(__name__)

SIGNALS_JOB = "signals"
SYNC_JOB = "campaigns:sync"
SYNC_EVERY_S = 60


def campaign_job_id(campaign_id: str) -> str:
    return f"campaign:{campaign_id}"


def build_scheduler(database_url: str) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=make_engine(database_url))},
        # One planning thread: rounds of one instance never race each other for the store.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        timezone=UTC,
    )
    scheduler.add_listener(_report, EVENT_JOB_ERROR | EVENT_JOB_MISSED | EVENT_JOB_MAX_INSTANCES)
    return scheduler


def _report(event: JobExecutionEvent) -> None:
    if event.code == EVENT_JOB_ERROR:
        log.error("job %s failed: %r", event.job_id, event.exception)
    elif event.code == EVENT_JOB_MISSED:
        log.warning("job %s missed its run at %s", event.job_id, event.scheduled_run_time)
    else:
        log.warning("job %s still running; a round was skipped", event.job_id)


def sync_campaign_jobs(scheduler: BaseScheduler, planner: Planner, replace: bool) -> None:
    """One interval job per active campaign; jobs of paused or removed campaigns go.
    `replace` (at start-up) rewrites every job and runs it at once."""
    with transaction(planner.factory) as session:
        windows = {
            campaign_job_id(c.id): (c.id, c.window_start, c.window_end)
            for c in repository.active_campaigns(session)
        }
    for job in scheduler.get_jobs():
        if job.id.startswith("campaign:") and job.id not in windows:
            job.remove()
    for job_id, (campaign_id, start, end) in windows.items():
        if not replace and scheduler.get_job(job_id) is not None:
            continue
        # A round late by less than the window still has calls to place.
        window_s = int(
            (datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds()
        )
        scheduler.add_job(
            jobs.run_campaign,
            IntervalTrigger(seconds=planner.settings.plan_every_s),
            args=[campaign_id],
            id=job_id,
            name=f"plan {campaign_id}",
            replace_existing=True,
            misfire_grace_time=max(window_s, 60),
            next_run_time=utcnow(),
        )


def start_jobs(scheduler: BaseScheduler, planner: Planner) -> None:
    every = planner.settings.plan_every_s
    scheduler.add_job(
        jobs.run_signals,
        IntervalTrigger(seconds=min(every, 60)),
        id=SIGNALS_JOB,
        replace_existing=True,
        next_run_time=utcnow(),
    )
    scheduler.add_job(
        jobs.sync_campaigns,
        IntervalTrigger(seconds=SYNC_EVERY_S),
        id=SYNC_JOB,
        replace_existing=True,
        next_run_time=utcnow() + timedelta(seconds=SYNC_EVERY_S),
    )
    sync_campaign_jobs(scheduler, planner, replace=True)


async def serve(settings: Settings, scheduler_settings: SchedulerSettings) -> None:
    """Run until SIGINT/SIGTERM. Stand by until this instance holds the planning lease,
    then lead: only the leader runs APScheduler on the shared job store (S1)."""
    if not settings.kafka_bootstrap_servers:
        raise RuntimeError("set KAFKA_BOOTSTRAP_SERVERS: the scheduler publishes call requests")
    engine = make_engine(settings.sqlalchemy_url)
    publisher = EventPublisher(settings.kafka_bootstrap_servers)
    planner = Planner(make_session_factory(engine), publisher, scheduler_settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        standing_by = False
        while not stop.is_set():
            if await _holds_lease(planner):
                await _lead(settings, planner, stop)
                standing_by = False
                continue
            if not standing_by:
                log.info(
                    "scheduler %s stands by: another instance holds the planning lease",
                    scheduler_settings.holder,
                )
                standing_by = True
            await _wait(stop, planner.settings.lease_ttl_s / 3)
    finally:
        await loop.run_in_executor(None, planner.stand_down)
        publisher.close()
        engine.dispose()


async def _lead(settings: Settings, planner: Planner, stop: asyncio.Event) -> None:
    """Run the jobs while the lease is renewed; return on stop or once it is lost."""
    scheduler = build_scheduler(settings.sqlalchemy_url)
    jobs.install(jobs.Runtime(planner, scheduler))
    log.info("scheduler %s leads", planner.settings.holder)
    try:
        # Paused until the stored jobs are reconciled with the campaigns table, so a
        # stale job does not run first.
        scheduler.start(paused=True)
        # Whatever a crashed predecessor claimed but never published goes out first.
        await asyncio.get_running_loop().run_in_executor(None, planner.publish_pending, utcnow())
        start_jobs(scheduler, planner)
        scheduler.resume()
        while not await _wait(stop, planner.settings.lease_ttl_s / 3):
            if not await _holds_lease(planner):
                log.error(
                    "scheduler %s lost the planning lease; standing by", planner.settings.holder
                )
                return
    finally:
        scheduler.shutdown(wait=True)
        jobs.install(None)


async def _holds_lease(planner: Planner) -> bool:
    try:
        return await asyncio.get_running_loop().run_in_executor(None, planner.hold_lease, utcnow())
    except SQLAlchemyError as error:
        log.warning("cannot reach the store for the lease: %s", error)
        return False


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to `seconds`; True as soon as a stop is asked for."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


def run(settings: Settings) -> None:
    asyncio.run(serve(settings, SchedulerSettings()))
