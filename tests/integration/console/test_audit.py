"""Every view of a person's record and every change is in the audit log (who, what,
when, from where), and only an admin can read it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.console.roles import Role
from services.store.models import AuditRecord, Person
from tests.support.console import Account, raise_alarm, seed_person, sign_in


def audit_of(factory: sessionmaker[Session], person_id: str) -> list[tuple[str, str, str, str]]:
    with factory() as session:
        return [
            (e.actor, e.action, e.entity, e.origin or "")
            for e in session.scalars(
                select(AuditRecord)
                .where(AuditRecord.person_id == person_id)
                .order_by(AuditRecord.id)
            )
        ]


def test_views_and_changes_are_audited(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    alert = raise_alarm(console_factory, person_id)
    handler = accounts[Role.CALL_HANDLER]
    csrf = sign_in(client, handler)
    headers = {"X-CSRF-Token": csrf}
    assert audit_of(console_factory, person_id) == []  # the platform's raise is not a person's

    assert client.get(f"/people/{person_id}").status_code == 200
    assert client.get(f"/api/people/{person_id}").json()["name"] == "Margaret Test"
    client.get(f"/alerts/{alert.id}")
    client.post(f"/api/alerts/{alert.id}/acknowledge", json={}, headers=headers)
    client.post(f"/api/alerts/{alert.id}/notes", json={"text": "Rang, no answer"}, headers=headers)
    client.post(f"/api/alerts/{alert.id}/resolve", json={"outcome": "false_alarm"}, headers=headers)
    client.patch(f"/api/people/{person_id}", json={"phone": "+441382000999"}, headers=headers)

    who, origin = handler.username, "testclient"
    assert audit_of(console_factory, person_id) == [
        (who, "view", "person", origin),
        (who, "view", "person", origin),
        (who, "view", "alert", origin),
        (who, "acknowledge_alert", "alert", origin),
        (who, "add_alert_note", "alert", origin),
        (who, "resolve_alert", "alert", origin),
        (who, "change_details", "person", origin),
    ]
    with console_factory() as session:
        change = session.scalars(
            select(AuditRecord).where(
                AuditRecord.person_id == person_id, AuditRecord.action == "change_details"
            )
        ).one()
        assert change.detail == {"fields": ["phone"]}  # which field, never the number
        assert change.role == "call_handler"
        resolved = session.scalars(
            select(AuditRecord).where(
                AuditRecord.person_id == person_id, AuditRecord.action == "resolve_alert"
            )
        ).one()
        assert resolved.detail["outcome"] == "false_alarm"
        assert session.get(Person, person_id).phone == "+441382000999"  # type: ignore[union-attr]


def test_an_admin_reads_the_log_and_others_cannot(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    sign_in(client, accounts[Role.RMU_OFFICER])
    client.get(f"/people/{person_id}")
    assert client.get("/api/audit").status_code == 403
    assert client.get("/admin/audit").status_code == 403

    admin = TestClient(client.app)
    sign_in(admin, accounts[Role.ADMIN])
    entries = admin.get("/api/audit", params={"person": person_id}).json()
    assert [(e["actor"], e["role"], e["action"]) for e in entries] == [
        (accounts[Role.RMU_OFFICER].username, "rmu_officer", "view")
    ]
    page = admin.get("/admin/audit", params={"person": person_id}).text
    assert accounts[Role.RMU_OFFICER].username in page and "view" in page


def test_a_refused_view_leaves_no_audit_line(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    sign_in(client, accounts[Role.CALL_HANDLER])
    assert client.get("/people/NOSUCHPERSON").status_code == 404
    assert audit_of(console_factory, "NOSUCHPERSON") == []
