"""The planning service: lease, plan, claim in one transaction; publish after commit.

Never twice: each slot's id is deterministic and the ledger's primary key, so a second
planner (or a restart, or a caught-up misfire) finds the slot claimed and adds nothing.
The claim writes each call's CallRequested to the outbox in the same transaction;
publishing follows the commit, and a crash between the two leaves them in the outbox,
which the next round publishes (the dialer is idempotent by id)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from schedules import lease, repository
from schedules.bank_holidays import BankHolidays
from schedules.model import RetryPolicy
from schedules.planning import plan_campaign, plan_signal
from schedules.settings import SchedulerSettings
from services.broker.publisher import Record
from services.store import outbox
from services.store.db import transaction
from services.store.models import Campaign
from services.store.outbox import Relay

log = logging.getLogger(__name__)


class Publisher(Protocol):
    def publish_records(self, records: Iterable[Record]) -> None: ...


@dataclass
class Planner:
    factory: sessionmaker[Session]
    publisher: Publisher
    settings: SchedulerSettings = field(default_factory=SchedulerSettings)

    def __post_init__(self) -> None:
        self.bank_holidays = BankHolidays(self.settings.bank_holidays)

    def _lease(self, session: Session, now: datetime) -> bool:
        held = lease.acquire(session, self.settings.holder, now, self.settings.lease_ttl_s)
        if not held:
            log.debug(
                "another scheduler holds the planning lease; %s stands by", self.settings.holder
            )
        return held

    def hold_lease(self, now: datetime) -> bool:
        """Take or renew the lease on its own: the scheduler process leads only while
        this holds, so a standby never runs jobs from the shared job store."""
        with transaction(self.factory) as session:
            return self._lease(session, now)

    def plan_campaign(self, campaign_id: str, now: datetime) -> int:
        """Claim today's slots for one campaign, then publish; returns slots claimed."""
        # Read and plan first, then take the lease and claim in one short write
        # transaction: SQLite's single write lock is not held while the cohort is read.
        with transaction(self.factory) as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None or not campaign.active:
                return 0
            spec = repository.to_spec(campaign)
            people = repository.people_facts(session, now)
        calls = list(plan_campaign(spec, people, now, self.bank_holidays))
        with transaction(self.factory) as session:
            if not self._lease(session, now):
                return 0
            claimed = len(repository.claim(session, calls, now))
        log.info("campaign %s: %d call(s) planned", campaign_id, claimed)
        self.publish_pending(now)
        return claimed

    def plan_signals(self, now: datetime) -> int:
        """Each waiting signal becomes one call in the person's next window."""
        hours = self.settings.signal_window_start, self.settings.signal_window_end
        retry = RetryPolicy(self.settings.signal_max_attempts, self.settings.signal_retry_after_s)
        planned = 0
        with transaction(self.factory) as session:
            if not self._lease(session, now):
                return 0
            signals = repository.pending_signals(session)
            people = {
                person.person_id: person
                for person in repository.people_facts(
                    session, now, sorted({s.person_id for s in signals})
                )
            }
            for signal in signals:
                person = people.get(signal.person_id)
                if person is None:
                    continue  # not (yet) in the store: the signal waits
                call = plan_signal(
                    signal.id, signal.script, signal.reason, person, hours, retry, now
                )
                if call is not None:
                    repository.claim(session, [call], now)
                    signal.planned_call_id = call.id
                    planned += 1
        if planned:
            log.info("%d signal(s) planned as calls", planned)
        self.publish_pending(now)
        return planned

    def publish_pending(self, now: datetime) -> int:
        """Publish the planned calls the outbox holds, oldest first; returns how many."""
        published = 0
        while True:
            with transaction(self.factory) as session:
                if not self._lease(session, now):
                    return published
                pending = outbox.unpublished(session, Relay.SCHEDULER)
            if not pending:
                return published
            self.publisher.publish_records((e.topic, e.key, e.value) for e in pending)
            with transaction(self.factory) as session:
                outbox.mark_published(session, [event.event_id for event in pending], now)
            published += len(pending)

    def stand_down(self) -> None:
        with transaction(self.factory) as session:
            lease.release(session, self.settings.holder)
