"""Store queries for the scheduler: campaigns, the facts planning needs about people,
the planned-call ledger and pending signals. Nothing here decides anything."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from contracts.topics import Topic
from schedules.frequency import parse_frequency
from schedules.model import CampaignSpec, PersonFacts, PlannedCall, RetryPolicy
from schedules.planning import call_requested
from services.store import outbox
from services.store.idempotency import insert_skipping_duplicates
from services.store.models import (
    Campaign,
    FlagRecord,
    HospitalStay,
    Person,
    PlannedCallRecord,
    SignalRecord,
    UnmetNeed,
)
from services.store.outbox import Relay

LEDGER: Table = PlannedCallRecord.__table__  # type: ignore[assignment]
CHUNK = 1000


def to_spec(campaign: Campaign) -> CampaignSpec:
    return CampaignSpec(
        id=campaign.id,
        script=campaign.script,
        cohort_rule=campaign.cohort_rule,
        cohort_params=dict(campaign.cohort_params),
        frequency=parse_frequency(campaign.frequency),
        window_start=campaign.window_start,
        window_end=campaign.window_end,
        retry=RetryPolicy(campaign.max_attempts, campaign.retry_spacing_minutes * 60),
        language=campaign.language,
    )


def active_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).where(Campaign.active).order_by(Campaign.id)))


def _facts_query(now: datetime) -> Any:  # a Select of 16 columns
    open_stays = (
        select(HospitalStay.person_id)
        .where(HospitalStay.discharged_at.is_(None), HospitalStay.admitted_at <= now)
        .distinct()
        .subquery()
    )
    discharges = (
        select(HospitalStay.person_id, func.max(HospitalStay.discharged_at).label("at"))
        .where(HospitalStay.discharged_at <= now)
        .group_by(HospitalStay.person_id)
        .subquery()
    )
    flags = (
        select(FlagRecord.person_id, func.max(FlagRecord.raised_at).label("at"))
        .where(FlagRecord.status == "active")
        .group_by(FlagRecord.person_id)
        .subquery()
    )
    needs = select(UnmetNeed.person_id, UnmetNeed.waiting_at).where(UnmetNeed.active).subquery()
    return (
        select(
            Person.id,
            Person.timezone,
            Person.language,
            Person.postcode,
            Person.lives_alone,
            Person.has_care_package,
            Person.do_not_call,
            Person.opted_out,
            Person.preferred_call_start,
            Person.preferred_call_end,
            Person.away_until,
            open_stays.c.person_id.is_not(None),
            needs.c.person_id.is_not(None),
            needs.c.waiting_at,
            flags.c.at,
            discharges.c.at,
        )
        .outerjoin(open_stays, open_stays.c.person_id == Person.id)
        .outerjoin(needs, needs.c.person_id == Person.id)
        .outerjoin(flags, flags.c.person_id == Person.id)
        .outerjoin(discharges, discharges.c.person_id == Person.id)
    )


def people_facts(
    session: Session, now: datetime, person_ids: Sequence[str] | None = None
) -> list[PersonFacts]:
    """Everyone (or the people named), with what the rules and cohorts need to know.
    Someone the unmet-need list records as waiting in hospital counts as in hospital."""
    query = _facts_query(now)
    if person_ids is not None:
        query = query.where(Person.id.in_(person_ids))
    return [
        PersonFacts(
            person_id=row[0],
            timezone=row[1],
            language=row[2],
            postcode=row[3],
            lives_alone=row[4],
            has_care_package=row[5],
            do_not_call=row[6],
            opted_out=row[7],
            preferred_start=row[8],
            preferred_end=row[9],
            away_until=row[10],
            in_hospital=bool(row[11]) or row[13] == "hospital",
            on_unmet_need_list=bool(row[12]),
            active_falls_flag_at=row[14],
            last_discharged_at=row[15],
        )
        for row in session.execute(query)
    ]


def _chunks(calls: Iterable[PlannedCall]) -> Iterator[list[PlannedCall]]:
    iterator = iter(calls)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def claim(session: Session, calls: Iterable[PlannedCall], now: datetime) -> list[uuid.UUID]:
    """Write the calls into the ledger, skipping slots already there, and their
    CallRequested events into the outbox in the same transaction; returns the ids this
    transaction claimed."""
    statement = insert_skipping_duplicates(session, LEDGER).returning(LEDGER.c.id)
    claimed: list[uuid.UUID] = []
    for chunk in _chunks(calls):
        # Most rounds find most slots claimed already: a read is cheaper than a write
        # that does nothing. The conflict clause still settles any race.
        known = set(
            session.scalars(select(LEDGER.c.id).where(LEDGER.c.id.in_([call.id for call in chunk])))
        )
        chunk = [call for call in chunk if call.id not in known]
        if not chunk:
            continue
        rows = [
            {
                "id": call.id,
                "person_id": call.person_id,
                "campaign_id": call.campaign_id,
                "signal_id": call.signal_id,
                "local_date": call.local_date,
                "due_at": call.window.start,
                "window_end": call.window.end,
                "planned_at": now,
            }
            for call in chunk
        ]
        won = set(session.scalars(statement, rows).all())
        claimed += won
        requests = (call_requested(call, now) for call in chunk if call.id in won)
        outbox.add(session, Relay.SCHEDULER, Topic.CALLS_REQUESTED, requests)
    return claimed


def pending_signals(session: Session) -> list[SignalRecord]:
    return list(
        session.scalars(
            select(SignalRecord)
            .where(SignalRecord.planned_call_id.is_(None))
            .order_by(SignalRecord.raised_at)
        )
    )
