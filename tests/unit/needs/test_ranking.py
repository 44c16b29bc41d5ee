"""The triage rule, and the re-ordering an "in crisis" answer causes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from contracts.codes import NeedLevel, NeedStatus, WaitingLocation
from services.needs.entries import NeedEntry, NeedRow
from services.needs.ranking import rank_need_list

TODAY = date(2026, 11, 24)


def entry(
    person_id: str,
    level: NeedLevel,
    since: date,
    status: NeedStatus = NeedStatus.UNKNOWN,
    **facts: Any,
) -> NeedEntry:
    entry = NeedEntry(
        row=NeedRow(
            person_id=person_id,
            need_level=level,
            hours_per_week=10,
            waiting_at=WaitingLocation.HOME,
            assessed_on=since,
            waiting_since=since,
            status=status,
        ),
    )
    return replace(entry, **facts)


def order(entries: list[NeedEntry]) -> list[str]:
    return [t.entry.person_id for t in rank_need_list(entries, TODAY)]


def test_need_level_then_status_then_waiting_time_orders_the_list() -> None:
    entries = [
        entry("low-long", NeedLevel.LOW, date(2026, 5, 1)),
        entry("crit-new", NeedLevel.CRITICAL, date(2026, 11, 20)),
        entry("subst-ok", NeedLevel.SUBSTANTIAL, date(2026, 9, 1), NeedStatus.MANAGING_OK),
        entry("subst-struggling", NeedLevel.SUBSTANTIAL, date(2026, 11, 1), NeedStatus.STRUGGLING),
        entry("subst-unknown-long", NeedLevel.SUBSTANTIAL, date(2026, 8, 1)),
        entry("subst-unknown", NeedLevel.SUBSTANTIAL, date(2026, 10, 1)),
    ]
    assert order(entries) == [
        "crit-new",
        "subst-struggling",
        "subst-unknown-long",
        "subst-unknown",
        "subst-ok",
        "low-long",
    ]


def test_living_alone_and_a_falls_flag_count_among_people_waiting_about_as_long() -> None:
    entries = [
        entry("waited-3-days-more", NeedLevel.MODERATE, date(2026, 10, 15)),
        entry("alone", NeedLevel.MODERATE, date(2026, 10, 18), lives_alone=True),
        entry(
            "alone-flagged",
            NeedLevel.MODERATE,
            date(2026, 10, 18),
            lives_alone=True,
            falls_flag=True,
        ),
        entry("a-month-longer", NeedLevel.MODERATE, date(2026, 9, 20)),
    ]
    assert order(entries) == ["a-month-longer", "alone-flagged", "alone", "waited-3-days-more"]
    [first, *_] = rank_need_list(entries, TODAY)
    assert first.reason == "moderate need; unknown; waiting 65 days at home"


def test_an_in_crisis_answer_moves_a_low_need_entry_to_the_top() -> None:
    entries = [
        entry("crit", NeedLevel.CRITICAL, date(2026, 10, 1), NeedStatus.STRUGGLING),
        entry("subst", NeedLevel.SUBSTANTIAL, date(2026, 9, 1)),
        entry("low", NeedLevel.LOW, date(2026, 11, 10), NeedStatus.MANAGING_OK),
    ]
    assert order(entries) == ["crit", "subst", "low"]

    low = entries[2]
    entries[2] = NeedEntry(row=low.row.model_copy(update={"status": NeedStatus.IN_CRISIS}))
    ranked = rank_need_list(entries, TODAY)
    assert [(t.rank, t.entry.person_id) for t in ranked] == [(1, "low"), (2, "crit"), (3, "subst")]
    assert ranked[0].reason == "low need; in crisis; waiting 14 days at home"


def test_people_whose_care_started_leave_the_list() -> None:
    started = NeedEntry(
        row=entry("started", NeedLevel.CRITICAL, date(2026, 9, 1)).row, ended_on=date(2026, 11, 20)
    )
    assert order([started, entry("waiting", NeedLevel.LOW, date(2026, 9, 1))]) == ["waiting"]
