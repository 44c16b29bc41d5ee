"""Unmet-need test helpers: people put on the list as a council's CSV import does, and
a call's check-in answer applied as the outcomes processor's need sink applies it."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session, sessionmaker

from contracts.care import NeedUpdate
from contracts.codes import NeedStatus
from contracts.envelope import utcnow
from services.store.db import transaction
from services.store.needs import apply_need_update, import_csv
from tests.support.console import seed_person


def seed_needs(
    factory: sessionmaker[Session], entries: list[tuple[str, str, str, int, str]]
) -> list[str]:
    """(name, need_level, waiting_at, days waiting, status) -> person ids, in order."""
    today = date.today()
    ids = [seed_person(factory, display_name=name, lives_alone=False)
           for name, *_ in entries]
    lines = ["person_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since,status"]
    for person_id, (_name, level, at, days, status) in zip(ids, entries, strict=True):
        since = today - timedelta(days=days)
        lines.append(f"{person_id},{level},10,{at},{since},{since},{status}")
    with transaction(factory) as session:
        result = import_csv(session, "\n".join(lines), today, changed_by="tests")
    assert result.errors == [] and result.added == len(entries)
    return ids


def answers_in_crisis(factory: sessionmaker[Session], person_id: str) -> None:
    """The update a check-in call's "in crisis" answer becomes (see streams.outcomes)."""
    now = utcnow()
    with transaction(factory) as session:
        assert apply_need_update(session, NeedUpdate(
            person_id=person_id, occurred_at=now, source="streams.outcomes",
            status=NeedStatus.IN_CRISIS, answers={"coping": "in_crisis"}, checked_at=now,
            change_reason="unmet-need check-in: in crisis"))
