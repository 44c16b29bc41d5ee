"""The unmet-need list read from SQLite and PostgreSQL: an "in crisis" answer re-orders
the triaged list, and the weekly figures count who left (the changes themselves are the
care record's, tested in tests/unit/care and tests/integration/care)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, CloseNeedEntry, ImportNeeds, need_command
from contracts.care import NeedUpdate
from contracts.codes import NeedStatus
from services.needs.csvfile import read_rows
from services.needs.figures import weekly_figures
from services.needs.ranking import rank_need_list
from services.store.db import transaction
from services.store.models import UnmetNeed
from services.store.needs import list_entries

TODAY = date(2026, 11, 24)
RMU = Actor("rmu:ann", role="rmu_officer", origin="cli")
pytestmark = pytest.mark.postgres


def csv_for(ids: list[str]) -> str:
    a, b, c, d = ids
    return (
        "person_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since,status\n"
        f"{a},critical,21,home,2026-09-01,2026-09-03,struggling\n"
        f"{b},substantial,14,hospital,2026-10-02,2026-10-05,\n"
        f"{c},moderate,-3,home,2026-10-01,2026-10-01,\n"
        f"{d},low,4,home,2026-11-10,2026-11-10,managing_ok\n"
        "Pnobody,low,4,home,2026-11-10,2026-11-10,\n"
    )


def mine(session: Session, ids: list[str]) -> dict[str, UnmetNeed]:
    return {
        n.person_id: n
        for n in session.scalars(select(UnmetNeed).where(UnmetNeed.person_id.in_(ids)))
    }


def import_csv(factory: sessionmaker[Session], text: str) -> None:
    rows, errors = read_rows(text, TODAY)
    handle(
        ImportNeeds(
            rows=tuple(rows),
            parse_errors=tuple(errors),
            by=RMU,
            at=datetime(2026, 11, 24, 9, tzinfo=UTC),
        ),
        SqlAlchemyUnitOfWork(factory),
    )


def test_an_in_crisis_answer_updates_the_entry_and_moves_it_to_the_top(
    session_factory: sessionmaker[Session],
    add_people: Callable[..., list[str]],
) -> None:
    ids = add_people(4)
    import_csv(session_factory, csv_for(ids))

    def order() -> list[str]:
        with transaction(session_factory) as session:
            return [
                t.entry.person_id
                for t in rank_need_list(list_entries(session), TODAY)
                if t.entry.person_id in ids
            ]

    assert order() == [ids[0], ids[1], ids[3]]
    checked = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    update = NeedUpdate(
        person_id=ids[3],
        occurred_at=checked,
        source="streams.outcomes",
        status=NeedStatus.IN_CRISIS,
        checked_at=checked,
        answers={"coping": "in_crisis", "eating_and_drinking": "no"},
        change_reason="2026-11-24 unmet need checkin call: in crisis",
    )
    handle(need_command(update), SqlAlchemyUnitOfWork(session_factory))
    assert order() == [ids[3], ids[0], ids[1]]
    with transaction(session_factory) as session:
        need = mine(session, ids)[ids[3]]
        assert need.last_answers == {"coping": "in_crisis", "eating_and_drinking": "no"}
        [_, crisis] = need.history
        assert crisis.changes["status"] == ["managing_ok", "in_crisis"]
        assert (crisis.changed_by, crisis.reason) == (
            "streams.outcomes",
            "2026-11-24 unmet need checkin call: in crisis",
        )


def test_weekly_figures_from_the_store_count_who_left_when_care_started(
    session_factory: sessionmaker[Session],
    add_people: Callable[..., list[str]],
) -> None:
    ids = add_people(4)
    import_csv(session_factory, csv_for(ids))
    assert handle(
        CloseNeedEntry(
            ids[0], "care package started", by=RMU, at=datetime(2026, 11, 21, 9, tzinfo=UTC)
        ),
        SqlAlchemyUnitOfWork(session_factory),
    )
    with transaction(session_factory) as session:
        entries = [
            e for e in list_entries(session, ended_since=date(2026, 11, 17)) if e.person_id in ids
        ]
    figures = weekly_figures(entries, TODAY)
    assert (figures.now.people, figures.now.hours) == (2, 18)
    assert (figures.last_week.people, figures.last_week.hours) == (3, 39)
    assert (figures.joined, figures.left) == (0, 1)
