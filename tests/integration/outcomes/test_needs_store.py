"""The unmet-need list in SQLite and PostgreSQL: CSV import (good rows in, bad rows
reported, a second import changes nothing), need updates with history, and an "in
crisis" answer re-ordering the triaged list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.care import NeedUpdate
from contracts.codes import NeedStatus
from services.needs.figures import weekly_figures
from services.needs.triage import triage
from services.store.db import transaction
from services.store.models import UnmetNeed, UnmetNeedHistory
from services.store.needs import apply_need_update, close_entry, import_csv, list_entries

TODAY = date(2026, 11, 24)
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
    return {n.person_id: n for n in session.scalars(
        select(UnmetNeed).where(UnmetNeed.person_id.in_(ids)))}


def test_import_takes_good_rows_reports_bad_ones_and_a_second_import_changes_nothing(
    session_factory: sessionmaker[Session], add_people: Callable[..., list[str]],
) -> None:
    ids = add_people(4)
    text = csv_for(ids)
    with transaction(session_factory) as session:
        refused = import_csv(session, text, TODAY, "rmu:ann", all_or_nothing=True)
    assert (refused.added, refused.updated) == (0, 0)
    with transaction(session_factory) as session:
        assert mine(session, ids) == {}  # all-or-nothing: nothing half-imported

    with transaction(session_factory) as session:
        first = import_csv(session, text, TODAY, "rmu:ann")
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)
    assert [str(e) for e in first.errors] == [
        "line 4: hours_per_week: Input should be greater than or equal to 0",
        "line 6: person_id is not a known service user",
    ]
    with transaction(session_factory) as session:
        again = import_csv(session, text, TODAY, "rmu:ann")
        entries = mine(session, ids)
        history = session.scalars(select(UnmetNeedHistory).where(
            UnmetNeedHistory.need_id.in_([e.id for e in entries.values()]))).all()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    assert len(history) == 3  # one "imported" row each, none from the second import
    assert (entries[ids[1]].waiting_at, entries[ids[1]].status) == ("hospital", "unknown")
    assert entries[ids[0]].status == "struggling"

    changed = text.replace(f"{ids[1]},substantial,14,", f"{ids[1]},substantial,17.5,")
    with transaction(session_factory) as session:
        assert import_csv(session, changed, TODAY, "rmu:bob").updated == 1
        need = mine(session, ids)[ids[1]]
        assert [(h.changes, h.changed_by) for h in need.history][-1] == (
            {"hours_per_week": [14.0, 17.5]}, "rmu:bob")


def test_an_in_crisis_answer_updates_the_entry_and_moves_it_to_the_top(
    session_factory: sessionmaker[Session], add_people: Callable[..., list[str]],
) -> None:
    ids = add_people(4)
    with transaction(session_factory) as session:
        import_csv(session, csv_for(ids), TODAY, "rmu:ann")

    def order() -> list[str]:
        with transaction(session_factory) as session:
            return [t.entry.person_id for t in triage(list_entries(session), TODAY)
                    if t.entry.person_id in ids]

    assert order() == [ids[0], ids[1], ids[3]]
    checked = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    update = NeedUpdate(person_id=ids[3], occurred_at=checked, source="streams.outcomes",
                        status=NeedStatus.IN_CRISIS, checked_at=checked,
                        answers={"coping": "in_crisis", "eating_and_drinking": "no"},
                        change_reason="2026-11-24 unmet need checkin call: in crisis")
    with transaction(session_factory) as session:
        assert apply_need_update(session, update)
        assert not apply_need_update(session, update)  # redelivered
    assert order() == [ids[3], ids[0], ids[1]]

    older = update.model_copy(update={
        "event_id": NeedUpdate.model_fields["event_id"].default_factory(),  # type: ignore[misc]
        "status": NeedStatus.MANAGING_OK,
        "checked_at": datetime(2026, 11, 20, tzinfo=UTC)})
    with transaction(session_factory) as session:
        assert not apply_need_update(session, older)  # an older call never overwrites
        need = mine(session, ids)[ids[3]]
        assert need.status == "in_crisis"
        assert need.last_answers == {"coping": "in_crisis", "eating_and_drinking": "no"}
        [_, crisis] = need.history
        assert crisis.changes["status"] == ["managing_ok", "in_crisis"]
        assert (crisis.changed_by, crisis.reason) == (
            "system", "2026-11-24 unmet need checkin call: in crisis")


def test_weekly_figures_from_the_store_count_who_left_when_care_started(
    session_factory: sessionmaker[Session], add_people: Callable[..., list[str]],
) -> None:
    ids = add_people(4)
    with transaction(session_factory) as session:
        import_csv(session, csv_for(ids), TODAY, "rmu:ann")
        assert close_entry(session, ids[0], "rmu:ann", "care package started",
                           datetime(2026, 11, 21, 9, tzinfo=UTC))
        assert not close_entry(session, ids[0], "rmu:ann", "again", datetime.now(UTC))
        entries = [e for e in list_entries(session, ended_since=date(2026, 11, 17))
                   if e.person_id in ids]
    figures = weekly_figures(entries, TODAY)
    assert (figures.now.people, figures.now.hours) == (2, 18)
    assert (figures.last_week.people, figures.last_week.hours) == (3, 39)
    assert (figures.joined, figures.left) == (0, 1)
