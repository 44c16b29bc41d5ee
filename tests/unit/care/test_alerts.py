"""Alerts through the care record's handlers: raise, merge repeats, acknowledge, resolve,
note, reopen, and the audit of what people changed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from care import handle
from care.commands import (
    AcknowledgeAlert,
    Actor,
    AddAlertNote,
    ClearAlert,
    RaiseAlert,
    RecordView,
    ReopenAlert,
    ResolveAlert,
    alert_command,
)
from care.domain.alerts import Alert
from care.errors import AlertChangeRefused, CareRecordError, NotFound, ReasonRequired
from care.unit_of_work import UnitOfWork
from contracts.care import Alert as AlertEvent
from contracts.codes import AlertAction, AlertKind, AlertOutcome, AlertPriority, AlertStatus
from tests.support.refs import person_id

T0 = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
TRIAGE = Actor.system("streams.triage")
ANN = Actor("H0042", role="call_handler", origin="10.0.0.7")
BOB = Actor("H0043", role="call_handler", origin="10.0.0.8")


def press(
    who: str,
    minutes: int = 0,
    priority: AlertPriority = AlertPriority.URGENT,
    repeat: bool = True,
    evidence: str | None = None,
) -> RaiseAlert:
    at = T0 + timedelta(minutes=minutes)
    return RaiseAlert(
        person_id=who,
        key=f"alarm:{who}:pendant",
        kind="alarm",
        priority=priority,
        summary=f"Pendant alarm at {at:%H:%M}",
        by=TRIAGE,
        at=at,
        evidence=(evidence or f"{at:%H:%M} pendant alarm",),
        repeat=repeat,
        event_id=uuid.uuid4(),
    )


def raised(uow: UnitOfWork, who: str | None = None) -> Alert:
    alert = handle(press(who or person_id()), uow)
    assert isinstance(alert, Alert)
    return alert


def stored(uow: UnitOfWork, alert_id: uuid.UUID) -> Alert:
    with uow:
        alert = uow.alerts.get(alert_id)
    assert alert is not None
    return alert


def actions(uow: UnitOfWork, alert_id: uuid.UUID) -> list[str]:
    with uow:
        return [change.action for change in uow.alerts.history(alert_id)]


def test_repeat_presses_merge_into_one_alert_counted_once_each(uow: UnitOfWork) -> None:
    who = person_id()
    first = handle(press(who, 0, AlertPriority.HIGH), uow)
    handle(press(who, 1), uow)
    handle(press(who, 3, evidence="03:00 pendant alarm"), uow)  # a fact already known
    alert = stored(uow, first.id)
    assert alert.occurrences == 3
    assert alert.priority is AlertPriority.URGENT  # only ever rises while open
    assert alert.evidence == ["03:00 pendant alarm", "03:01 pendant alarm"]
    assert alert.summary == "Pendant alarm at 03:03"
    assert actions(uow, first.id) == ["raised", "repeated", "repeated"]


def test_an_update_merges_without_counting_and_never_lowers_the_priority(
    uow: UnitOfWork,
) -> None:
    who = person_id()
    first = handle(press(who), uow)
    handle(press(who, 5, AlertPriority.NORMAL, repeat=False), uow)
    alert = stored(uow, first.id)
    assert (alert.occurrences, alert.priority) == (1, AlertPriority.URGENT)


def test_a_redelivered_raise_changes_nothing(uow: UnitOfWork) -> None:
    command = press(person_id())
    first = handle(command, uow)
    assert handle(command, uow) is None
    assert stored(uow, first.id).occurrences == 1


def test_acknowledging_says_who_has_it_and_a_second_handler_must_take_it_over(
    uow: UnitOfWork,
) -> None:
    alert = raised(uow)
    handle(AcknowledgeAlert(alert.id, by=ANN, at=T0 + timedelta(seconds=20)), uow)
    handle(AcknowledgeAlert(alert.id, by=ANN, at=T0 + timedelta(seconds=25)), uow)  # no-op
    with pytest.raises(AlertChangeRefused, match="is with H0042"):
        handle(AcknowledgeAlert(alert.id, by=BOB, at=T0 + timedelta(seconds=30)), uow)
    assert stored(uow, alert.id).acknowledged_by == "H0042"
    handle(AcknowledgeAlert(alert.id, by=BOB, at=T0 + timedelta(seconds=40), take_over=True), uow)
    taken = stored(uow, alert.id)
    assert (taken.status, taken.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, "H0043")
    assert taken.acknowledged_at == T0 + timedelta(seconds=40)
    assert actions(uow, alert.id) == ["raised", "acknowledged", "taken_over"]


def test_resolving_closes_with_the_outcome_who_when_and_the_note(uow: UnitOfWork) -> None:
    alert = raised(uow)
    at = T0 + timedelta(minutes=4)
    handle(
        ResolveAlert(
            alert.id,
            AlertOutcome.FALL_WITHOUT_INJURY,
            by=ANN,
            at=at,
            note="helped up by neighbour, no injury",
        ),
        uow,
    )
    closed = stored(uow, alert.id)
    assert closed.status is AlertStatus.CLOSED
    assert (closed.outcome, closed.closed_by, closed.closed_at) == (
        AlertOutcome.FALL_WITHOUT_INJURY,
        "H0042",
        at,
    )
    assert closed.close_reason == "helped up by neighbour, no injury"
    assert actions(uow, alert.id) == ["raised", "acknowledged", "resolved"]
    with pytest.raises(AlertChangeRefused):
        handle(ResolveAlert(alert.id, AlertOutcome.FALSE_ALARM, by=ANN, at=at), uow)


def test_resolving_someone_elses_alert_needs_a_take_over(uow: UnitOfWork) -> None:
    alert = raised(uow)
    handle(AcknowledgeAlert(alert.id, by=ANN, at=T0), uow)
    with pytest.raises(AlertChangeRefused):
        handle(ResolveAlert(alert.id, AlertOutcome.FALSE_ALARM, by=BOB, at=T0), uow)
    assert stored(uow, alert.id).is_open


def test_a_person_cannot_claim_the_devices_outcome(uow: UnitOfWork) -> None:
    alert = raised(uow)
    with pytest.raises(AlertChangeRefused):
        handle(ResolveAlert(alert.id, AlertOutcome.CLEARED_AT_DEVICE, by=ANN, at=T0), uow)


def test_the_devices_clear_an_alert_nobody_has_taken(uow: UnitOfWork) -> None:
    alert = raised(uow)
    handle(
        ClearAlert(
            alert.key,
            "reset at the hub",
            by=TRIAGE,
            at=T0 + timedelta(minutes=9),
            event_id=uuid.uuid4(),
        ),
        uow,
    )
    cleared = stored(uow, alert.id)
    assert (cleared.status, cleared.outcome) == (AlertStatus.CLOSED, AlertOutcome.CLEARED_AT_DEVICE)
    assert cleared.close_reason == "reset at the hub"


def test_an_alert_a_handler_has_stays_with_them_when_the_devices_clear_it(
    uow: UnitOfWork,
) -> None:
    alert = raised(uow)
    handle(AcknowledgeAlert(alert.id, by=ANN, at=T0), uow)
    handle(ClearAlert(alert.key, "reset at the hub", by=TRIAGE, at=T0 + timedelta(minutes=9)), uow)
    kept = stored(uow, alert.id)
    assert (kept.status, kept.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, "H0042")
    assert "reset at the hub" in kept.evidence
    assert actions(uow, alert.id)[-1] == "cleared_while_taken"


def test_after_closing_a_new_press_raises_a_new_alert(uow: UnitOfWork) -> None:
    who = person_id()
    first = handle(press(who), uow)
    handle(ResolveAlert(first.id, AlertOutcome.FALSE_ALARM, by=ANN, at=T0), uow)
    second = handle(press(who, 30), uow)
    assert second.id != first.id
    assert stored(uow, second.id).occurrences == 1


def test_notes_need_text_and_are_kept_in_the_history(uow: UnitOfWork) -> None:
    alert = raised(uow)
    handle(AddAlertNote(alert.id, "daughter on her way", by=ANN, at=T0), uow)
    with pytest.raises(ReasonRequired):
        handle(AddAlertNote(alert.id, "  ", by=ANN, at=T0), uow)
    with uow:
        [note] = [c for c in uow.alerts.history(alert.id) if c.action == "note"]
    assert (note.by, note.note) == ("H0042", "daughter on her way")


def test_reopening_needs_a_reason_and_a_closed_alert(uow: UnitOfWork) -> None:
    alert = raised(uow)
    with pytest.raises(AlertChangeRefused):
        handle(ReopenAlert(alert.id, "not closed yet", by=ANN, at=T0), uow)
    handle(ResolveAlert(alert.id, AlertOutcome.NO_ACTION_NEEDED, by=ANN, at=T0), uow)
    with pytest.raises(ReasonRequired):
        handle(ReopenAlert(alert.id, "", by=ANN, at=T0), uow)
    handle(ReopenAlert(alert.id, "she called back: still on the floor", by=BOB, at=T0), uow)
    reopened = stored(uow, alert.id)
    assert reopened.status is AlertStatus.OPEN
    assert (reopened.outcome, reopened.acknowledged_by, reopened.closed_at) == (None, None, None)


def test_an_alert_is_not_reopened_behind_a_newer_one_for_the_same_cause(
    uow: UnitOfWork,
) -> None:
    who = person_id()
    old = handle(press(who), uow)
    handle(ResolveAlert(old.id, AlertOutcome.FALSE_ALARM, by=ANN, at=T0), uow)
    handle(press(who, 10), uow)
    with pytest.raises(AlertChangeRefused, match="is open for the same cause"):
        handle(ReopenAlert(old.id, "wrong outcome", by=ANN, at=T0), uow)


def test_an_unknown_alert_is_not_found_and_every_refusal_shares_one_root(
    uow: UnitOfWork,
) -> None:
    with pytest.raises(NotFound):
        handle(AcknowledgeAlert(uuid.uuid4(), by=ANN, at=T0), uow)
    assert issubclass(NotFound, CareRecordError)
    assert issubclass(AlertChangeRefused, CareRecordError)
    assert issubclass(ReasonRequired, CareRecordError)


def test_a_refused_change_leaves_nothing_behind(uow: UnitOfWork) -> None:
    alert = raised(uow)
    handle(AcknowledgeAlert(alert.id, by=ANN, at=T0), uow)
    with pytest.raises(AlertChangeRefused):
        handle(AcknowledgeAlert(alert.id, by=BOB, at=T0), uow)
    with uow:
        assert [e.actor for e in uow.audit.entries(person_id=alert.person_id)] == ["H0042"]


def test_changes_by_people_and_views_are_audited_with_where_from(uow: UnitOfWork) -> None:
    alert = raised(uow)  # the platform's own raise is in the alert's history, not the audit
    handle(
        RecordView(
            "person", alert.person_id, alert.person_id, by=BOB, at=T0 + timedelta(seconds=5)
        ),
        uow,
    )
    handle(
        ResolveAlert(alert.id, AlertOutcome.RESPONDER_SENT, by=ANN, at=T0 + timedelta(minutes=2)),
        uow,
    )
    with uow:
        resolved, viewed = uow.audit.entries(person_id=alert.person_id)
    assert (viewed.actor, viewed.role, viewed.action, viewed.origin) == (
        "H0043",
        "call_handler",
        "view",
        "10.0.0.8",
    )
    assert (resolved.actor, resolved.action, resolved.entity, resolved.entity_id) == (
        "H0042",
        "resolve_alert",
        "alert",
        str(alert.id),
    )
    assert (resolved.at, resolved.origin) == (T0 + timedelta(minutes=2), "10.0.0.7")
    assert resolved.detail == {"outcome": "responder_sent"}


def test_bus_messages_become_raise_update_and_clear_commands() -> None:
    def event(action: AlertAction) -> AlertEvent:
        return AlertEvent(
            person_id="P1",
            occurred_at=T0,
            source="streams.triage",
            alert_key="alarm:P1:x",
            alert_kind=AlertKind.ALARM,
            action=action,
            priority=AlertPriority.HIGH,
            summary="Pendant alarm",
            close_reason="reset",
        )

    raise_ = alert_command(event(AlertAction.RAISE))
    update = alert_command(event(AlertAction.UPDATE))
    clear = alert_command(event(AlertAction.CLOSE))
    assert isinstance(raise_, RaiseAlert) and raise_.repeat
    assert isinstance(update, RaiseAlert) and not update.repeat
    assert isinstance(clear, ClearAlert) and clear.reason == "reset"
    assert raise_.by == Actor.system("streams.triage") and not raise_.by.is_person
