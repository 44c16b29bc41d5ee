"""Unmet-need test helpers: people put on the list as a council's CSV import does, and
a call's check-in answer applied as the outcomes processor's need sink applies it (both
through the care record's handlers)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, ImportNeeds, need_command
from contracts.care import NeedUpdate
from contracts.codes import NeedStatus
from contracts.envelope import utcnow
from services.needs.csvfile import read_rows
from tests.support.console import seed_person


def seed_needs(
    factory: sessionmaker[Session], entries: list[tuple[str, str, str, int, str]]
) -> list[str]:
    """(name, need_level, waiting_at, days waiting, status) -> person ids, in order."""
    today = date.today()
    ids = [seed_person(factory, display_name=name, lives_alone=False) for name, *_ in entries]
    lines = ["person_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since,status"]
    for person_id, (_name, level, at, days, status) in zip(ids, entries, strict=True):
        since = today - timedelta(days=days)
        lines.append(f"{person_id},{level},10,{at},{since},{since},{status}")
    rows, errors = read_rows("\n".join(lines), today)
    result = handle(
        ImportNeeds(
            rows=tuple(rows), parse_errors=tuple(errors), by=Actor.system("tests"), at=utcnow()
        ),
        SqlAlchemyUnitOfWork(factory),
    )
    assert not result.errors and result.added == len(entries)
    return ids


def answers_in_crisis(factory: sessionmaker[Session], person_id: str) -> None:
    """The update a check-in call's "in crisis" answer becomes (see streams.outcomes)."""
    now = utcnow()
    assert handle(
        need_command(
            NeedUpdate(
                person_id=person_id,
                occurred_at=now,
                source="streams.outcomes",
                status=NeedStatus.IN_CRISIS,
                answers={"coping": "in_crisis"},
                checked_at=now,
                change_reason="unmet-need check-in: in crisis",
            )
        ),
        SqlAlchemyUnitOfWork(factory),
    )
