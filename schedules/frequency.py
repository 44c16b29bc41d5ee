"""How often a campaign calls: parse the stored frequency and say which local dates are due.

Stored forms (the `campaigns.frequency` JSON):
  {"every": "day"}
  {"every": "week", "days": ["mon", "thu"]}
  {"every": "after_event", "event": "discharge" | "falls_flag", "days": [1, 3, 7]}
  {"every": "once", "on": "2026-12-01"}
each with an optional "bank_holidays": "skip" (the default) or "call"."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from contracts.errors import TecflowError
from schedules.model import AnchorEvent, Every, Frequency, PersonFacts

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class InvalidFrequency(TecflowError):
    """A stored or typed frequency that names no schedule we can keep."""


def parse_frequency(raw: dict[str, Any]) -> Frequency:
    try:
        every = Every(raw.get("every", "day"))
        skip = {"skip": True, "call": False}[raw.get("bank_holidays", "skip")]
        if every is Every.WEEK:
            days = frozenset(WEEKDAYS.index(str(d).lower()[:3]) for d in raw["days"])
            if not days:
                raise InvalidFrequency("a weekly campaign needs at least one day")
            return Frequency(every, weekdays=days, skip_bank_holidays=skip)
        if every is Every.AFTER_EVENT:
            after = tuple(sorted({int(d) for d in raw["days"]}))
            if not after or after[0] < 0:
                raise InvalidFrequency("days after an event must be zero or more")
            return Frequency(
                every, days_after=after, anchor=AnchorEvent(raw["event"]), skip_bank_holidays=skip
            )
        if every is Every.ONCE:
            return Frequency(every, on=date.fromisoformat(raw["on"]), skip_bank_holidays=skip)
        return Frequency(every, skip_bank_holidays=skip)
    except (KeyError, ValueError, TypeError) as error:
        raise InvalidFrequency(f"unreadable frequency {raw!r}: {error}") from error


def anchor_instant(anchor: AnchorEvent, person: PersonFacts) -> datetime | None:
    if anchor is AnchorEvent.DISCHARGE:
        return person.last_discharged_at
    return person.active_falls_flag_at


def is_due(frequency: Frequency, local_date: date, person: PersonFacts) -> bool:
    """Whether the campaign calls this person on this local date (before eligibility)."""
    if frequency.every is Every.DAY:
        return True
    if frequency.every is Every.WEEK:
        return local_date.weekday() in frequency.weekdays
    if frequency.every is Every.ONCE:
        return local_date == frequency.on
    assert frequency.anchor is not None
    instant = anchor_instant(frequency.anchor, person)
    if instant is None:
        return False
    # "Day 1 after discharge" counts local calendar days in the person's zone.
    anchor_date = instant.astimezone(ZoneInfo(person.timezone)).date()
    return (local_date - anchor_date).days in frequency.days_after
