"""Thin agents around the outcome processor: call outcomes (and falls follow-up signals)
in, flags, need updates, alerts and referrals out; and the store sinks for flags, needs
and referrals, handed to the care record (alerts are handed over by streams/care_store.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

import faust
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Command, flag_command, need_command, referral_command
from contracts.calls import CallOutcome
from contracts.care import Signal
from contracts.codes import SNOMED_AT_RISK_OF_FALLS, AlertPriority, NeedStatus
from contracts.envelope import Envelope
from contracts.topics import Topic
from services.store.db import transaction
from services.store.facts import falls_facts
from services.store.models import AlertRecord, UnmetNeed
from streams.app import Bus
from streams.care_store import wire_commands
from streams.consuming import parse_or_dead_letter, run_with_retry
from streams.outcomes.context import ActiveFlag, OutcomeContext
from streams.outcomes.logic import process_outcome
from streams.outcomes.signals import process_signal

log = logging.getLogger(__name__)


def active_flag(factory: sessionmaker[Session], person_id: str) -> ActiveFlag | None:
    with SqlAlchemyUnitOfWork(factory) as uow:
        flag = uow.flags.in_force(person_id, SNOMED_AT_RISK_OF_FALLS)
    if flag is None:
        return None
    return ActiveFlag(flag_id=flag.id, recommended_referral=flag.recommended_referral)


def load_context(factory: sessionmaker[Session], person_id: str, at: datetime) -> OutcomeContext:
    with transaction(factory) as session:
        facts = falls_facts(session, person_id, at)
        in_crisis = session.scalar(
            select(UnmetNeed.id).where(
                UnmetNeed.person_id == person_id,
                UnmetNeed.active,
                UnmetNeed.status == NeedStatus.IN_CRISIS.value,
            )
        )
        last_urgent = session.scalar(
            select(func.max(AlertRecord.raised_at)).where(
                AlertRecord.person_id == person_id,
                AlertRecord.priority == AlertPriority.URGENT.value,
            )
        )
    return OutcomeContext(
        falls_flag=active_flag(factory, person_id),
        falls_facts=facts,
        in_crisis=in_crisis is not None,
        last_urgent_alert_at=last_urgent,
    )


async def send_all(bus: Bus, messages: list[tuple[Topic, Envelope]]) -> None:
    for topic, message in messages:
        await bus[topic].send(key=message.key, value=message.to_bytes())


async def act_on_outcomes(
    stream: faust.StreamT[bytes], *, bus: Bus, factory: sessionmaker[Session]
) -> None:
    async for event in stream.events():
        outcome = await parse_or_dead_letter(event, Topic.CALLS_OUTCOMES, bus[Topic.DEADLETTER])
        if not isinstance(outcome, CallOutcome):
            continue
        context = await run_with_retry(
            partial(load_context, factory, outcome.person_id, outcome.occurred_at)
        )
        actions = process_outcome(outcome, context)
        await send_all(bus, actions.messages())
        log.info(
            "outcome %s: %d flag(s), %d need update(s), %d alert(s), %d referral(s)",
            outcome.event_id,
            len(actions.flags),
            len(actions.needs),
            len(actions.alerts),
            len(actions.referrals),
        )


async def add_signal_evidence(
    stream: faust.StreamT[bytes], *, bus: Bus, factory: sessionmaker[Session]
) -> None:
    async for event in stream.events():
        signal = await parse_or_dead_letter(event, Topic.SIGNALS, bus[Topic.DEADLETTER])
        if not isinstance(signal, Signal):
            continue
        current = await run_with_retry(partial(active_flag, factory, signal.person_id))
        await send_all(bus, process_signal(signal, current).messages())


COMMANDS: dict[Topic, Callable[[Any], Command]] = {
    Topic.FLAGS: flag_command,
    Topic.NEEDS_UPDATES: need_command,
    Topic.REFERRALS: referral_command,
}


def wire(bus: Bus, factory: sessionmaker[Session]) -> None:
    bus.app.agent(bus[Topic.CALLS_OUTCOMES], name="outcomes-act")(
        partial(act_on_outcomes, bus=bus, factory=factory)
    )
    bus.app.agent(bus[Topic.SIGNALS], name="outcomes-signal-evidence")(
        partial(add_signal_evidence, bus=bus, factory=factory)
    )
    wire_commands(bus, factory, COMMANDS)
