"""The weekly figures the service reports on unmet need: people waiting, hours of care a
week awaited, at home vs in hospital, median and longest wait, and the change since the
same day last week (who joined the list, who left it because care started)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median

from contracts.codes import WaitingLocation
from services.needs.entries import NeedEntry


@dataclass(frozen=True)
class Snapshot:
    on: date
    people: int
    hours: float
    at_home: int
    at_home_hours: float
    in_hospital: int
    in_hospital_hours: float
    median_wait_days: float | None
    longest_wait_days: int | None


@dataclass(frozen=True)
class WeeklyFigures:
    now: Snapshot
    last_week: Snapshot
    joined: int
    left: int


def snapshot(entries: list[NeedEntry], on: date) -> Snapshot:
    """The list as it stood on `on` (where people wait is taken as it is now)."""
    waiting = [e for e in entries if e.waiting_on(on)]
    home = [e for e in waiting if e.row.waiting_at is WaitingLocation.HOME]
    hospital = [e for e in waiting if e.row.waiting_at is WaitingLocation.HOSPITAL]
    waits = [e.days_waiting(on) for e in waiting]
    return Snapshot(
        on=on,
        people=len(waiting),
        hours=sum(e.row.hours_per_week for e in waiting),
        at_home=len(home),
        at_home_hours=sum(e.row.hours_per_week for e in home),
        in_hospital=len(hospital),
        in_hospital_hours=sum(e.row.hours_per_week for e in hospital),
        median_wait_days=median(waits) if waits else None,
        longest_wait_days=max(waits) if waits else None,
    )


def weekly_figures(entries: list[NeedEntry], today: date) -> WeeklyFigures:
    week_ago = today - timedelta(days=7)
    before = {e.person_id for e in entries if e.waiting_on(week_ago)}
    after = {e.person_id for e in entries if e.waiting_on(today)}
    return WeeklyFigures(
        now=snapshot(entries, today),
        last_week=snapshot(entries, week_ago),
        joined=len(after - before),
        left=len(before - after),
    )


def _change(now: float, then: float) -> str:
    delta = now - then
    return f"{delta:+g}"


def render(figures: WeeklyFigures) -> str:
    now, then = figures.now, figures.last_week
    median_wait = "-" if now.median_wait_days is None else f"{now.median_wait_days:g} days"
    longest = "-" if now.longest_wait_days is None else f"{now.longest_wait_days} days"
    return "\n".join(
        [
            f"Unmet need on {now.on:%Y-%m-%d} (change since {then.on:%Y-%m-%d})",
            f"  people waiting:        {now.people} ({_change(now.people, then.people)})",
            f"  hours of care a week:  {now.hours:g} ({_change(now.hours, then.hours)})",
            f"  at home:               {now.at_home} people, {now.at_home_hours:g} hours",
            f"  in hospital:           {now.in_hospital} people, {now.in_hospital_hours:g} hours",
            f"  median wait:           {median_wait}",
            f"  longest wait:          {longest}",
            f"  joined the list:       {figures.joined}",
            f"  left the list:         {figures.left}",
        ]
    )
