"""Away mode through the care record: set by a person with a reason, ending in the
future, kept in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from care import handle
from care.commands import Actor, SetAwayMode
from care.errors import ChangeRefused, NotFound, ReasonRequired
from care.unit_of_work import UnitOfWork

AT = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
TA = Actor("T0003", role="technology_assistant", origin="10.0.0.5")


def test_away_mode_is_set_and_cleared_with_a_reason_and_audited(
    uow: UnitOfWork,
    add_people: Callable[[int], list[str]],
) -> None:
    [who] = add_people(1)
    until = AT + timedelta(days=14)
    handle(SetAwayMode(who, until, "on holiday with her son", by=TA, at=AT), uow)
    with uow:
        assert uow.people.away_until(who) == until
    handle(SetAwayMode(who, None, "back early", by=TA, at=AT + timedelta(days=3)), uow)
    with uow:
        assert uow.people.away_until(who) is None
        cleared, set_ = uow.audit.entries(person_id=who)
    assert (set_.action, set_.actor, set_.origin) == ("set_away_mode", "T0003", "10.0.0.5")
    assert set_.detail == {
        "reason": "on holiday with her son",
        "before": None,
        "until": until.isoformat(),
    }
    assert cleared.detail["before"] == until.isoformat()


@pytest.mark.parametrize(
    ("until", "reason", "error"),
    [
        (AT - timedelta(hours=1), "holiday", ChangeRefused),
        (AT + timedelta(days=120), "holiday", ChangeRefused),
        (AT + timedelta(days=1), "", ReasonRequired),
    ],
)
def test_away_mode_must_end_in_the_future_within_three_months_and_say_why(
    uow: UnitOfWork,
    add_people: Callable[[int], list[str]],
    until: datetime,
    reason: str,
    error: type[Exception],
) -> None:
    [who] = add_people(1)
    with pytest.raises(error):
        handle(SetAwayMode(who, until, reason, by=TA, at=AT), uow)
    with uow:
        assert uow.people.away_until(who) is None


def test_away_mode_for_someone_not_on_record_is_not_found(uow: UnitOfWork) -> None:
    with pytest.raises(NotFound):
        handle(SetAwayMode("Pnobody", AT + timedelta(days=1), "holiday", by=TA, at=AT), uow)
