"""The RMU officers' unmet-need list as the console shows it: the triaged list (the rule
in `services.needs.ranking`, applied to the whole list so a row keeps its place in it
whatever the filters), the filters, the weekly figures, and one entry's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts.codes import NeedLevel, NeedStatus, WaitingLocation
from services.console.live import Fingerprint, QueueWatch
from services.needs.figures import WeeklyFigures, weekly_figures
from services.needs.ranking import RankedEntry, rank_need_list
from services.store.models import Person, UnmetNeed, UnmetNeedHistory
from services.store.needs import list_entries

# A page shows this many rows; the CSV export has them all (5,000 rows is a long page).
PAGE_ROWS = 200


@dataclass(frozen=True)
class NeedFilters:
    """What the officer narrowed the list to; None is "any"."""

    need_level: NeedLevel | None = None
    waiting_at: WaitingLocation | None = None
    status: NeedStatus | None = None
    min_days: int | None = None  # waiting at least this many days

    def keeps(self, item: RankedEntry) -> bool:
        row = item.entry.row
        return (
            (self.need_level is None or row.need_level is self.need_level)
            and (self.waiting_at is None or row.waiting_at is self.waiting_at)
            and (self.status is None or row.status is self.status)
            and (self.min_days is None or item.days_waiting >= self.min_days)
        )

    def query(self) -> str:
        """The filters as a query string (for the live stream and the export links)."""
        pairs = [
            (name, getattr(value, "value", value))
            for name, value in self.__dict__.items()
            if value is not None
        ]
        return "&".join(f"{name}={value}" for name, value in pairs)


@dataclass(frozen=True)
class NeedRowView:
    item: RankedEntry
    name: str | None

    @property
    def person_id(self) -> str:
        return self.item.entry.person_id


@dataclass(frozen=True)
class NeedList:
    rows: list[NeedRowView]  # the first PAGE_ROWS that match
    matching: int
    waiting: int
    triaged: list[RankedEntry] = field(repr=False)  # all that match (the export)


def need_list(
    session: Session, filters: NeedFilters, today: date, limit: int = PAGE_ROWS
) -> NeedList:
    everyone = rank_need_list(list_entries(session), today)
    matching = [item for item in everyone if filters.keeps(item)]
    shown = matching[:limit]
    ids = [item.entry.person_id for item in shown]
    names = {
        person_id: name
        for person_id, name in session.execute(
            select(Person.id, Person.display_name).where(Person.id.in_(ids))
        )
    }
    return NeedList(
        rows=[NeedRowView(item, names.get(item.entry.person_id)) for item in shown],
        matching=len(matching),
        waiting=len(everyone),
        triaged=matching,
    )


def figures(session: Session, today: date) -> WeeklyFigures:
    return weekly_figures(list_entries(session, ended_since=today - timedelta(days=7)), today)


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    by: str
    reason: str | None
    changes: dict[str, list[Any]]


@dataclass(frozen=True)
class NeedDetail:
    person_id: str
    name: str | None
    item: RankedEntry | None  # None once the person has stopped waiting
    status: NeedStatus
    last_answers: dict[str, Any]
    history: list[HistoryLine]  # newest first


def on_list(session: Session, person_id: str) -> bool:
    return session.scalar(select(UnmetNeed.id).where(UnmetNeed.person_id == person_id)) is not None


def need_detail(session: Session, person_id: str, today: date) -> NeedDetail | None:
    need = session.scalar(select(UnmetNeed).where(UnmetNeed.person_id == person_id))
    if need is None:
        return None
    item = next(
        (t for t in rank_need_list(list_entries(session), today) if t.entry.person_id == person_id),
        None,
    )
    history = session.scalars(
        select(UnmetNeedHistory)
        .where(UnmetNeedHistory.need_id == need.id)
        .order_by(UnmetNeedHistory.id.desc())
    ).all()
    return NeedDetail(
        person_id=person_id,
        name=session.scalar(select(Person.display_name).where(Person.id == person_id)),
        item=item,
        status=NeedStatus(need.status),
        last_answers=dict(need.last_answers),
        history=[
            HistoryLine(h.changed_at, h.changed_by, h.reason, dict(h.changes)) for h in history
        ],
    )


class NeedWatch(QueueWatch):
    """The live list's change detector (the alert queue's, over the unmet-need list):
    how many entries, and the latest change to any of them."""

    def _read(self) -> Fingerprint:
        with self._factory() as session:
            count, latest = session.execute(
                select(func.count(), func.max(UnmetNeed.updated_at))
            ).one()
        return count, latest
