"""The unmet-need list through the care record's handlers: import, call answers, a
person's judgement, closing an entry; history for every change; and an "in crisis"
status only a person lowers while its alert is open."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from care import handle
from care.commands import (
    Actor,
    ChangeNeedStatus,
    CloseNeedEntry,
    ImportNeeds,
    RaiseAlert,
    ResolveAlert,
    UpdateNeed,
    need_command,
)
from care.domain.needs import CRISIS_KEPT
from care.errors import NotFound, ReasonRequired
from care.unit_of_work import UnitOfWork
from contracts.care import NeedUpdate
from contracts.codes import AlertKind, AlertOutcome, AlertPriority, NeedStatus
from services.needs.csvfile import read_rows

TODAY = date(2026, 11, 24)
CHECKED = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
ANN = Actor("rmu:ann", role="rmu_officer", origin="cli")
CALLS = Actor.system("streams.outcomes")
HANDLER = Actor("H0042", role="call_handler", origin="10.0.0.7")


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


def import_(uow: UnitOfWork, text: str, by: Actor = ANN, all_or_nothing: bool = False) -> object:
    rows, errors = read_rows(text, TODAY)
    return handle(
        ImportNeeds(
            rows=tuple(rows),
            parse_errors=tuple(errors),
            by=by,
            at=CHECKED,
            all_or_nothing=all_or_nothing,
        ),
        uow,
    )


def status_of(uow: UnitOfWork, who: str) -> NeedStatus:
    with uow:
        entry = uow.needs.for_person(who)
    assert entry is not None
    return entry.status


def call(who: str, status: NeedStatus, at: datetime = CHECKED) -> UpdateNeed:
    return UpdateNeed(
        person_id=who,
        by=CALLS,
        at=at,
        status=status,
        checked_at=at,
        answers={"coping": status.value},
        reason=f"{at:%Y-%m-%d} unmet need checkin call",
        event_id=uuid.uuid4(),
    )


def test_import_takes_good_rows_reports_bad_ones_and_a_second_import_changes_nothing(
    uow: UnitOfWork,
    add_people: Callable[[int], list[str]],
) -> None:
    ids = add_people(4)
    text = csv_for(ids)
    refused = import_(uow, text, all_or_nothing=True)
    assert (refused.added, refused.updated) == (0, 0)  # type: ignore[attr-defined]
    with uow:
        assert uow.needs.for_people(ids) == {}  # all-or-nothing: nothing half-imported

    first = import_(uow, text)
    assert (first.added, first.updated, first.unchanged) == (3, 0, 0)  # type: ignore[attr-defined]
    assert [str(e) for e in first.errors] == [  # type: ignore[attr-defined]
        "line 4: hours_per_week: Input should be greater than or equal to 0",
        "line 6: person_id is not a known service user",
    ]
    again = import_(uow, text)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)  # type: ignore[attr-defined]
    with uow:
        entries = uow.needs.for_people(ids)
        assert [len(uow.needs.history(i)) for i in ids if i in entries] == [1, 1, 1]
    assert (entries[ids[1]].waiting_at, entries[ids[1]].status) == ("hospital", NeedStatus.UNKNOWN)
    assert entries[ids[0]].status is NeedStatus.STRUGGLING

    changed = text.replace(f"{ids[1]},substantial,14,", f"{ids[1]},substantial,17.5,")
    bob = Actor("rmu:bob", role="rmu_officer", origin="cli")
    assert import_(uow, changed, by=bob).updated == 1  # type: ignore[attr-defined]
    with uow:
        last = uow.needs.history(ids[1])[-1]
        [imported, _] = [e for e in uow.audit.entries() if e.action == "import_needs"][:2]
    assert (last.changes, last.by, last.reason) == (
        {"hours_per_week": [14.0, 17.5]},
        "rmu:bob",
        "imported",
    )
    assert (imported.actor, imported.detail) == ("rmu:bob", {"added": 0, "updated": 1})


def test_a_calls_answers_update_the_entry_and_an_older_call_never_overwrites(
    uow: UnitOfWork,
    add_people: Callable[[int], list[str]],
) -> None:
    ids = add_people(4)
    import_(uow, csv_for(ids))
    who = ids[3]
    update = call(who, NeedStatus.STRUGGLING)
    assert handle(update, uow) is not None
    assert handle(update, uow) is None  # redelivered
    handle(call(who, NeedStatus.MANAGING_OK, at=CHECKED - timedelta(days=4)), uow)
    with uow:
        entry = uow.needs.for_person(who)
        last = uow.needs.history(who)[-1]
    assert entry is not None
    assert (entry.status, entry.last_answers) == (NeedStatus.STRUGGLING, {"coping": "struggling"})
    assert last.changes["status"] == ["managing_ok", "struggling"]
    assert (last.by, last.reason) == ("streams.outcomes", "2026-11-24 unmet need checkin call")
    assert handle(call("Pnobody", NeedStatus.STRUGGLING), uow) is None  # not on the list


def crisis_alert(who: str) -> RaiseAlert:
    return RaiseAlert(
        person_id=who,
        key=f"in_crisis:{who}",
        kind=AlertKind.IN_CRISIS.value,
        priority=AlertPriority.URGENT,
        summary="In crisis: call back now",
        by=CALLS,
        at=CHECKED,
        event_id=uuid.uuid4(),
    )


def test_an_in_crisis_status_is_lowered_only_by_a_person_while_its_alert_is_open(
    uow: UnitOfWork,
    add_people: Callable[[int], list[str]],
) -> None:
    ids = add_people(4)
    import_(uow, csv_for(ids))
    who = ids[3]
    handle(call(who, NeedStatus.IN_CRISIS), uow)
    handle(crisis_alert(who), uow)

    later = CHECKED + timedelta(hours=2)
    handle(call(who, NeedStatus.MANAGING_OK, at=later), uow)  # an automated call
    with uow:
        entry = uow.needs.for_person(who)
        kept = uow.needs.history(who)[-1]
    handle(
        UpdateNeed(
            person_id=who, by=CALLS, at=later, status=NeedStatus.STRUGGLING, event_id=uuid.uuid4()
        ),
        uow,
    )  # automated, without a call: no change
    assert status_of(uow, who) is NeedStatus.IN_CRISIS
    with uow:
        assert uow.needs.history(who)[-1] == kept
    assert entry is not None and entry.last_answers == {"coping": "managing_ok"}
    assert entry.last_checked_at == later
    assert kept.reason is not None and kept.reason.endswith(CRISIS_KEPT)

    with pytest.raises(ReasonRequired):
        handle(ChangeNeedStatus(who, NeedStatus.STRUGGLING, " ", by=HANDLER, at=later), uow)
    handle(
        ChangeNeedStatus(
            who, NeedStatus.STRUGGLING, "spoke to her daughter: carer found", by=HANDLER, at=later
        ),
        uow,
    )
    assert status_of(uow, who) is NeedStatus.STRUGGLING


def test_once_the_crisis_alert_is_resolved_a_call_may_lower_the_status(
    uow: UnitOfWork,
    add_people: Callable[[int], list[str]],
) -> None:
    ids = add_people(4)
    import_(uow, csv_for(ids))
    who = ids[3]
    handle(call(who, NeedStatus.IN_CRISIS), uow)
    alert = handle(crisis_alert(who), uow)
    handle(ResolveAlert(alert.id, AlertOutcome.CALLED_BACK, by=HANDLER, at=CHECKED), uow)
    handle(call(who, NeedStatus.MANAGING_OK, at=CHECKED + timedelta(days=1)), uow)
    assert status_of(uow, who) is NeedStatus.MANAGING_OK


def test_closing_an_entry_when_care_starts_keeps_who_and_why(
    uow: UnitOfWork,
    add_people: Callable[[int], list[str]],
) -> None:
    ids = add_people(4)
    import_(uow, csv_for(ids))
    assert handle(CloseNeedEntry(ids[0], "care package started", by=ANN, at=CHECKED), uow)
    assert not handle(CloseNeedEntry(ids[0], "again", by=ANN, at=CHECKED), uow)
    with uow:
        last = uow.needs.history(ids[0])[-1]
    assert (last.changes, last.by, last.reason) == (
        {"active": [True, False]},
        "rmu:ann",
        "care package started",
    )
    with pytest.raises(NotFound):
        handle(ChangeNeedStatus("Pnobody", NeedStatus.STRUGGLING, "x", by=ANN, at=CHECKED), uow)


def test_a_need_message_from_a_handler_is_a_persons_change() -> None:
    update = NeedUpdate(
        person_id="P1",
        occurred_at=CHECKED,
        source="console",
        status=NeedStatus.STRUGGLING,
        changed_by="H0042",
    )
    command = need_command(update)
    assert command.by.is_person and command.checked_at is None
    assert not need_command(update.model_copy(update={"changed_by": "system"})).by.is_person
