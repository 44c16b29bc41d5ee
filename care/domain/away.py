"""Away mode: while a person is away (a holiday, a stay with family) the routine checks
raise no inactivity alerts for them. Set by a person, with a reason, until a time that
is still to come; cleared early the same way. Alarms are never silenced by it."""

from __future__ import annotations

from datetime import datetime, timedelta

from care.errors import ChangeRefused

LONGEST = timedelta(days=92)  # a longer absence is a change of circumstances, not away mode


def check_away_until(until: datetime | None, at: datetime) -> None:
    if until is None:
        return
    if until <= at:
        raise ChangeRefused("away mode must end after it is set")
    if until - at > LONGEST:
        raise ChangeRefused(f"away mode lasts at most {LONGEST.days} days")
