"""The falls-flags worklist: who may see and work it, review / resolve / entered in error
with a reason (kept in the flag's history, audited), referral steps the lifecycle allows
and refusals of the ones it does not."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.console.roles import Role
from services.store.models import AuditRecord, FlagHistory, FlagRecord, ReferralRecord
from tests.support.console import Account, sign_in
from tests.support.flags import seed_flag


@pytest.fixture
def flagged(console_factory: sessionmaker[Session]) -> tuple[str, uuid.UUID, uuid.UUID]:
    return seed_flag(console_factory, "Fiona Fall")


@pytest.mark.parametrize("role", list(Role))
def test_who_sees_the_flags(
    role: Role,
    client: TestClient,
    accounts: dict[Role, Account],
    flagged: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    sign_in(client, accounts[role])
    allowed = role is not Role.TECHNOLOGY_ASSISTANT
    page = client.get("/flags")
    assert page.status_code == (200 if allowed else 403)
    if allowed:
        assert flagged[0] in page.text and "unable to get up after a fall" in page.text
        assert ("/referrals/" in page.text) is (role is not Role.MANAGER)  # managers read


def test_a_flag_is_reviewed_then_resolved_with_reasons(
    client: TestClient,
    accounts: dict[Role, Account],
    console_factory: sessionmaker[Session],
    flagged: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    person_id, flag_id, _ = flagged
    handler = accounts[Role.CALL_HANDLER]
    csrf = sign_in(client, handler)
    done = client.post(
        f"/flags/{flag_id}/status",
        follow_redirects=False,
        data={"csrf_token": csrf, "status": "reviewed", "reason": "spoke to her: falls team next"},
    )
    assert done.status_code == 303
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.post(
            f"/api/flags/{flag_id}/status",
            headers=headers,
            json={"status": "active", "reason": "x"},
        ).status_code
        == 422
    )  # only evidence makes active
    assert (
        client.post(
            f"/api/flags/{flag_id}/status",
            headers=headers,
            json={"status": "resolved", "reason": ""},
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"/api/flags/{flag_id}/status",
            headers=headers,
            json={"status": "resolved", "reason": "falls team has seen her"},
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/api/flags/{flag_id}/status",
            headers=headers,
            json={"status": "reviewed", "reason": "again"},
        ).status_code
        == 409
    )  # resolved stays closed
    assert (
        client.post(
            f"/api/flags/{uuid.uuid4()}/status",
            headers=headers,
            json={"status": "reviewed", "reason": "x"},
        ).status_code
        == 404
    )
    with console_factory() as session:
        assert session.get(FlagRecord, flag_id).status == "resolved"  # type: ignore[union-attr]
        history = session.scalars(
            select(FlagHistory).where(FlagHistory.flag_id == flag_id).order_by(FlagHistory.id)
        ).all()
        assert [(h.status, h.changed_by, h.reason) for h in history][1:] == [
            ("reviewed", handler.username, "spoke to her: falls team next"),
            ("resolved", handler.username, "falls team has seen her"),
        ]
        audited = session.scalars(
            select(AuditRecord.action)
            .where(
                AuditRecord.person_id == person_id,
                AuditRecord.entity == "flag",
                AuditRecord.action.like("flag_%"),
            )
            .order_by(AuditRecord.id)
        ).all()
    assert list(audited)[:2] == ["flag_reviewed", "flag_resolved"]
    assert flagged[0] not in client.get("/flags").text  # no longer in force


def test_entered_in_error(
    client: TestClient,
    accounts: dict[Role, Account],
    console_factory: sessionmaker[Session],
    flagged: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    csrf = sign_in(client, accounts[Role.RMU_OFFICER])
    assert (
        client.post(
            f"/api/flags/{flagged[1]}/status",
            headers={"X-CSRF-Token": csrf},
            json={"status": "entered-in-error", "reason": "another person's answers"},
        ).status_code
        == 200
    )
    with console_factory() as session:
        assert session.get(FlagRecord, flagged[1]).status == "entered-in-error"  # type: ignore[union-attr]


def test_a_referral_moves_only_forward(
    client: TestClient,
    accounts: dict[Role, Account],
    console_factory: sessionmaker[Session],
    flagged: tuple[str, uuid.UUID, uuid.UUID],
) -> None:
    person_id, _, referral_id = flagged
    officer = accounts[Role.RMU_OFFICER]
    csrf = sign_in(client, officer)
    done = client.post(
        f"/referrals/{referral_id}/status",
        follow_redirects=False,
        data={"csrf_token": csrf, "status": "sent", "reason": "emailed the falls team"},
    )
    assert done.status_code == 303
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.post(
            f"/api/referrals/{referral_id}/status",
            headers=headers,
            json={"status": "sent", "reason": "again"},
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/referrals/{referral_id}/status",
            headers=headers,
            json={"status": "accepted", "reason": "visit on Monday"},
        ).status_code
        == 200
    )
    with console_factory() as session:
        record = session.get(ReferralRecord, referral_id)
        assert record is not None
        assert (record.status, record.changed_by) == ("accepted", officer.username)
        audited = session.scalars(
            select(AuditRecord.detail).where(
                AuditRecord.person_id == person_id, AuditRecord.action == "move_referral"
            )
        ).all()
    assert [(a["status"], a["reason"]) for a in audited] == [
        ("sent", "emailed the falls team"),
        ("accepted", "visit on Monday"),
    ]
    manager_csrf = sign_in(client, accounts[Role.MANAGER])
    assert (
        client.post(
            f"/api/referrals/{referral_id}/status",
            headers={"X-CSRF-Token": manager_csrf},
            json={"status": "completed", "reason": "x"},
        ).status_code
        == 403
    )
