"""The weekly figures the service reports, and their change since last week."""

from __future__ import annotations

from datetime import date

from contracts.codes import NeedLevel, WaitingLocation
from services.needs.entries import NeedEntry, NeedRow
from services.needs.figures import render, weekly_figures

TODAY = date(2026, 11, 24)


def entry(
    person_id: str, hours: float, at: WaitingLocation, since: date, ended_on: date | None = None
) -> NeedEntry:
    return NeedEntry(
        row=NeedRow(
            person_id=person_id,
            need_level=NeedLevel.SUBSTANTIAL,
            hours_per_week=hours,
            waiting_at=at,
            assessed_on=since,
            waiting_since=since,
        ),
        ended_on=ended_on,
    )


def test_weekly_figures_count_people_hours_places_waits_and_changes() -> None:
    entries = [
        entry("a", 20, WaitingLocation.HOME, date(2026, 9, 25)),  # 60 days
        entry("b", 10.5, WaitingLocation.HOSPITAL, date(2026, 11, 4)),  # 20 days
        entry("c", 7, WaitingLocation.HOME, date(2026, 11, 20)),  # joined this week
        entry("d", 14, WaitingLocation.HOME, date(2026, 10, 1), ended_on=date(2026, 11, 21)),
    ]
    figures = weekly_figures(entries, TODAY)

    now, then = figures.now, figures.last_week
    assert (now.people, now.hours) == (3, 37.5)
    assert (now.at_home, now.at_home_hours, now.in_hospital, now.in_hospital_hours) == (
        2,
        27,
        1,
        10.5,
    )
    assert (now.median_wait_days, now.longest_wait_days) == (20, 60)
    assert (then.on, then.people, then.hours) == (date(2026, 11, 17), 3, 44.5)
    assert (figures.joined, figures.left) == (1, 1)
    assert render(figures).splitlines()[:3] == [
        "Unmet need on 2026-11-24 (change since 2026-11-17)",
        "  people waiting:        3 (+0)",
        "  hours of care a week:  37.5 (-7)",
    ]


def test_an_empty_list_has_no_waits() -> None:
    figures = weekly_figures([], TODAY)
    assert (figures.now.people, figures.now.median_wait_days) == (0, None)
    assert "median wait:           -" in render(figures)
