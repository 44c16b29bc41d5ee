"""The unmet-need demo: a synthetic RMU list for the cohort, triaged; then an "in crisis"
answer on a check-in call goes through the real broker and worker and re-orders it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, ImportNeeds
from contracts.calls import Answer, CallOutcome
from contracts.codes import AnsweredBy, CallStatus, NeedLevel, ScriptName, WaitingLocation
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.needs.entries import NeedRow
from services.needs.triage import Triaged, triage
from services.sim.cohort import SimPerson
from services.sim.spine_demo import wait_for
from services.store.db import transaction
from services.store.models import FlagRecord, UnmetNeed
from services.store.needs import list_entries

CRISIS_ANSWERS = {"coping": "in_crisis", "eating_and_drinking": "no", "personal_care": "no",
                  "any_falls": "yes", "two_or_more_falls": "yes"}


def synthetic_need_list(people: list[SimPerson], today: date, seed: int = 2022) -> list[NeedRow]:
    """Everyone without a care package is waiting for one (Luton-style eligibility:
    mostly critical and substantial), about 8% in hospital, as the Scottish figures say."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    rows = []
    for person in people:
        if person.has_care_package:
            continue
        waiting_since = today - timedelta(days=rng.randint(3, 120))
        rows.append(NeedRow(
            person_id=person.person_id,
            need_level=rng.choice([NeedLevel.CRITICAL, NeedLevel.SUBSTANTIAL,
                                   NeedLevel.SUBSTANTIAL, NeedLevel.MODERATE]),
            hours_per_week=rng.choice([7, 10.5, 14, 17.5, 21]),
            waiting_at=WaitingLocation.HOSPITAL if rng.random() < 0.08 else WaitingLocation.HOME,
            assessed_on=waiting_since - timedelta(days=rng.randint(0, 5)),
            waiting_since=waiting_since,
        ))
    return rows


def render(triaged: list[Triaged], title: str) -> str:
    lines = [title, f"  {'rank':>4}  {'person':<9} {'level':<11} {'status':<11} reason"]
    lines += [f"  {t.rank:>4}  {t.entry.person_id:<9} {t.entry.row.need_level.value:<11} "
              f"{t.entry.row.status.value:<11} {t.reason}" for t in triaged]
    return "\n".join(lines)


def crisis_call(person_id: str, at: datetime) -> CallOutcome:
    return CallOutcome(
        person_id=person_id, occurred_at=at, source="sim.telephony", request_id=uuid.uuid4(),
        script=ScriptName.UNMET_NEED_CHECKIN, status=CallStatus.COMPLETED,
        answered_by=AnsweredBy.HUMAN, script_completed=True,
        answers=tuple(Answer(question_id=q, value=v, answered_at=at)
                      for q, v in CRISIS_ANSWERS.items()),
    )


def run_needs_demo(
    publisher: EventPublisher,
    factory: sessionmaker[Session],
    people: list[SimPerson],
    still_running: Callable[[], None] = lambda: None,
    timeout_s: float = 90.0,
) -> str:
    now = datetime.now(UTC)
    today = now.date()
    with transaction(factory) as session:
        listed = set(session.scalars(select(UnmetNeed.person_id)))
    rows = [r for r in synthetic_need_list(people, today) if r.person_id not in listed]
    handle(ImportNeeds(rows=tuple(enumerate(rows, start=2)), by=Actor.system("sim"), at=now),
           SqlAlchemyUnitOfWork(factory))
    with transaction(factory) as session:
        before = triage(list_entries(session), today)
    if not before:
        return "Unmet-need list: nobody in the cohort is waiting for care."
    last = before[-1].entry.person_id
    call = crisis_call(last, now)
    publisher.publish(Topic.CALLS_OUTCOMES, call)

    def acted_on() -> bool:
        with transaction(factory) as session:
            need = session.scalar(select(UnmetNeed).where(UnmetNeed.person_id == last))
            flag = session.scalar(select(FlagRecord).where(FlagRecord.person_id == last))
            return bool(need and need.last_checked_at and need.last_checked_at >= now
                        and flag is not None)

    if not wait_for(acted_on, timeout_s, still_running):
        raise TimeoutError(f"the in-crisis answer for {last} did not reach the store")
    with transaction(factory) as session:
        after = triage(list_entries(session), today)
        flag = session.scalars(select(FlagRecord).where(FlagRecord.person_id == last)).one()
        evidence = "\n".join(f"    {fact}" for fact in flag.evidence)
    return "\n".join([
        "", render(before, "Unmet-need list, triaged:"), "",
        render(after, f"After {last} answered 'in crisis' on a check-in call:"),
        f"Falls flag for {last}: {flag.risk} risk, refer to {flag.recommended_referral}",
        evidence,
    ])
