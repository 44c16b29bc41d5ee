"""Call windows: local wall-clock times in the person's zone, turned into UTC instants.

zoneinfo does the DST work. A start inside the spring-forward gap (01:30 on the last
Sunday of March) resolves with the pre-transition offset, i.e. to 02:30 BST, the first
real minute after it; a time inside the autumn overlap takes its first occurrence
(fold=0, still BST). Windows are the same local hours every day, so their UTC length
and offset change across the transition nights, never their local times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from schedules.model import PersonFacts, Window


def local_window(local_date: date, start: time, end: time, zone: str) -> Window:
    tz = ZoneInfo(zone)
    return Window(
        start=datetime.combine(local_date, start, tzinfo=tz).astimezone(UTC),
        end=datetime.combine(local_date, end, tzinfo=tz).astimezone(UTC),
    )


def person_hours(start: time, end: time, person: PersonFacts) -> tuple[time, time]:
    """The campaign's hours narrowed to the person's preferred call times where they
    overlap; where they do not, the person's preference wins: it is their day."""
    if person.preferred_start is None or person.preferred_end is None:
        return start, end
    overlap = max(start, person.preferred_start), min(end, person.preferred_end)
    if overlap[0] < overlap[1]:
        return overlap
    return person.preferred_start, person.preferred_end


def person_window(local_date: date, start: time, end: time, person: PersonFacts) -> Window:
    return local_window(local_date, *person_hours(start, end, person), person.timezone)


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()
