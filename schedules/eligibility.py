"""Whether a person may be called in a given window: the rules that say no."""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from enum import StrEnum

from schedules.model import PersonFacts, Window


class Skip(StrEnum):
    DO_NOT_CALL = "do_not_call"
    OPTED_OUT = "opted_out"
    IN_HOSPITAL = "in_hospital"
    AWAY = "away"
    BANK_HOLIDAY = "bank_holiday"


def skip_reason(
    person: PersonFacts,
    window: Window,
    local_date: date,
    bank_holidays: Container[date] = (),
) -> Skip | None:
    """The first rule that rules the call out, or None when it may be placed."""
    if person.do_not_call:
        return Skip.DO_NOT_CALL
    if person.opted_out:
        return Skip.OPTED_OUT
    if person.in_hospital:
        return Skip.IN_HOSPITAL
    if person.away_until is not None and person.away_until >= window.end:
        return Skip.AWAY
    if local_date in bank_holidays:
        return Skip.BANK_HOLIDAY
    return None


def earliest_call(person: PersonFacts, window: Window) -> Window:
    """Someone back from away part-way through the window is called once home."""
    if person.away_until is not None and person.away_until > window.start:
        return Window(start=person.away_until, end=window.end)
    return window
