"""The unmet-need list read from the store, for triage and the weekly figures (its
changes are the care record's: `care/handlers.py`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from care.domain.flags import IN_FORCE
from contracts.codes import SNOMED_AT_RISK_OF_FALLS
from services.needs.entries import NeedEntry, NeedRow
from services.store.models import FlagRecord, Person, UnmetNeed


def list_entries(session: Session, ended_since: date | None = None) -> list[NeedEntry]:
    """Entries still waiting, plus those that stopped waiting on or after `ended_since`
    (the weekly figures need last week's list)."""
    flagged = set(
        session.scalars(
            select(FlagRecord.person_id).where(
                FlagRecord.code == SNOMED_AT_RISK_OF_FALLS,
                FlagRecord.status.in_([s.value for s in IN_FORCE]),
            )
        )
    )
    rows = session.execute(
        select(UnmetNeed, Person.lives_alone).join(Person, Person.id == UnmetNeed.person_id)
    ).all()
    entries = []
    for need, lives_alone in rows:
        ended_on = None if need.active else _ended_on(need)
        if ended_on is not None and (ended_since is None or ended_on < ended_since):
            continue
        entries.append(
            NeedEntry(
                row=NeedRow(
                    person_id=need.person_id,
                    need_level=need.need_level,
                    hours_per_week=need.hours_per_week,
                    waiting_at=need.waiting_at,
                    assessed_on=need.assessed_on,
                    waiting_since=need.waiting_since,
                    status=need.status,
                ),
                lives_alone=lives_alone,
                falls_flag=need.person_id in flagged,
                last_checked_at=need.last_checked_at,
                ended_on=ended_on,
            )
        )
    return entries


def _ended_on(need: UnmetNeed) -> date:
    closes = [h.changed_at for h in need.history if h.changes.get("active") == [True, False]]
    return (closes[-1] if closes else need.updated_at).date()
