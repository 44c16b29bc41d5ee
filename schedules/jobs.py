"""The functions APScheduler runs. The job store pickles a reference to each, so they
stay module-level with primitive arguments (`campaign:<id>` jobs carry only the id)
and find the running planner here; rename one and stored jobs could not be restored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler

from contracts.envelope import utcnow
from schedules.planner import Planner


@dataclass
class Runtime:
    planner: Planner
    scheduler: BaseScheduler


_runtime: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    global _runtime
    _runtime = runtime


def current() -> Runtime:
    if _runtime is None:
        raise RuntimeError("no scheduler runtime installed (schedules.jobs.install)")
    return _runtime


def run_campaign(campaign_id: str, now: datetime | None = None) -> int:
    return current().planner.plan_campaign(campaign_id, now or utcnow())


def run_signals(now: datetime | None = None) -> int:
    return current().planner.plan_signals(now or utcnow())


def sync_campaigns() -> None:
    """Follow campaign edits made through the CLI or the console."""
    from schedules.scheduler import sync_campaign_jobs  # it imports this module

    runtime = current()
    sync_campaign_jobs(runtime.scheduler, runtime.planner, replace=False)
