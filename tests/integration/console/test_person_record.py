"""The person record shows every section from the store; details and contacts change
through the store's people functions (audited)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from services.console.roles import Role
from services.store.db import transaction
from services.store.models import (
    Call,
    CallAnswer,
    Device,
    DeviceLoan,
    HospitalStay,
    SafeZoneRecord,
)
from tests.support.console import Account, raise_alarm, seed_person, sign_in


def test_the_record_shows_each_section(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    now = datetime.now(UTC)
    with transaction(console_factory) as session:
        device = Device(
            kind="scaip",
            identifier=f"cid-{uuid.uuid4().hex[:6]}",
            model="Lifeline Digital",
            placement="hall",
            status="loaned",
            last_seen_at=now,
        )
        session.add(device)
        session.flush()
        session.add(DeviceLoan(device_id=device.id, person_id=person_id, loaned_at=now))
        call_id = uuid.uuid4()
        session.add(
            Call(
                id=call_id,
                person_id=person_id,
                script="welfare_check",
                reason="weekly",
                due_at=now,
                window_end=now + timedelta(hours=1),
                status="completed",
            )
        )
        session.flush()
        session.add(
            CallAnswer(
                call_id=call_id, question_id="feeling_ok", value="yes", via="dtmf", answered_at=now
            )
        )
        session.add(
            SafeZoneRecord(
                person_id=person_id,
                name="Home and shops",
                lat=56.46,
                lon=-2.97,
                radius_m=400,
                active_from=time(8),
                active_to=time(20),
            )
        )
        session.add(
            HospitalStay(
                person_id=person_id,
                admitted_at=now - timedelta(days=9),
                discharged_at=now - timedelta(days=2),
            )
        )
    raise_alarm(console_factory, person_id, "Pendant pressed")
    sign_in(client, accounts[Role.CALL_HANDLER])
    page = client.get(f"/people/{person_id}").text
    for text in (
        "Margaret Test",
        "Ann Test",
        "Lifeline Digital",
        "Pendant pressed",
        "welfare check",
        "feeling ok: yes",
        "Home and shops",
        "Not on the unmet-need",
        "No referrals",
        "At home (no away mode)",
        "Automated calls",
    ):
        assert text in page, text
    record = client.get(f"/api/people/{person_id}").json()
    assert record["devices"][0]["model"] == "Lifeline Digital"
    assert record["calls"][0]["answers"][0] == {
        "question_id": "feeling_ok",
        "value": "yes",
        "via": "dtmf",
        "answered_at": record["calls"][0]["answers"][0]["answered_at"],
    }
    assert record["alerts"][0]["status"] == "open"
    assert record["hospital_stays"][0]["discharged_at"] is not None
    assert date.fromisoformat(record["hospital_stays"][0]["admitted_at"][:10]) < date.today()


def test_details_and_contacts_change_through_the_forms(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    csrf = sign_in(client, accounts[Role.RMU_OFFICER])
    client.post(
        f"/people/{person_id}/details",
        data={
            "csrf_token": csrf,
            "display_name": "Margaret Test",
            "phone": "+441382000777",
            "postcode": "dd2 2bb",
            "lives_alone": "true",
            "do_not_call": "true",
        },
    )
    client.post(
        f"/people/{person_id}/contacts",
        data={
            "csrf_token": csrf,
            "name": "Bob Neighbour",
            "relationship": "neighbour",
            "phone": "+441382000888",
            "is_keyholder": "true",
        },
    )
    record = client.get(f"/api/people/{person_id}").json()
    assert record["phone"] == "+441382000777" and record["postcode"] == "DD2 2BB"
    assert record["do_not_call"] is True
    assert [(c["name"], c["is_keyholder"], c["call_order"]) for c in record["contacts"]] == [
        ("Ann Test", True, 1),
        ("Bob Neighbour", True, 2),
    ]


def test_a_manager_reads_but_does_not_edit(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    csrf = sign_in(client, accounts[Role.MANAGER])
    page = client.get(f"/people/{person_id}").text
    assert "Margaret Test" in page and "Edit details" not in page
    refused = client.patch(
        f"/api/people/{person_id}", json={"phone": "1"}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 403


def test_a_handler_records_a_call_they_made(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    from sqlalchemy import select

    from services.store.models import AuditRecord

    person_id = seed_person(console_factory)
    alert = raise_alarm(console_factory, person_id)
    handler = accounts[Role.CALL_HANDLER]
    csrf = sign_in(client, handler)
    back = client.post(
        f"/people/{person_id}/calls",
        follow_redirects=False,
        data={
            "csrf_token": csrf,
            "called": "Ann Test",
            "outcome": "contact_informed",
            "notes": "Ann is going round",
            "back": f"/alerts/{alert.id}",
        },
    )
    assert back.status_code == 303 and back.headers["location"] == f"/alerts/{alert.id}"
    assert f"{handler.username} called Ann Test" in client.get(f"/alerts/{alert.id}").text
    made = client.post(
        f"/api/people/{person_id}/calls",
        headers={"X-CSRF-Token": csrf},
        json={"called": "Margaret Test", "outcome": "no_answer"},
    )
    assert made.status_code == 201

    calls = client.get(f"/api/people/{person_id}").json()["calls"]
    assert sorted((c["script"], c["status"], c["answers"][0]["value"]) for c in calls) == [
        ("handler_call", "completed", "contact_informed"),
        ("handler_call", "no-answer", "no_answer"),
    ]
    with console_factory() as session:
        audited = session.scalars(
            select(AuditRecord.action).where(
                AuditRecord.person_id == person_id, AuditRecord.action == "record_call"
            )
        ).all()
    assert len(audited) == 2


def test_hospital_stays_and_safe_zones(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    csrf = sign_in(client, accounts[Role.CALL_HANDLER])
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.post(
            f"/api/people/{person_id}/hospital", json={"event": "discharged"}, headers=headers
        ).status_code
        == 409
    )  # not in hospital
    client.post(f"/people/{person_id}/hospital", data={"csrf_token": csrf, "event": "admitted"})
    assert (
        client.post(
            f"/api/people/{person_id}/hospital", json={"event": "admitted"}, headers=headers
        ).status_code
        == 409
    )  # already in
    assert "Discharged from hospital today" in client.get(f"/people/{person_id}").text
    client.post(f"/people/{person_id}/hospital", data={"csrf_token": csrf, "event": "discharged"})
    stays = client.get(f"/api/people/{person_id}").json()["hospital_stays"]
    assert len(stays) == 1 and stays[0]["discharged_at"] is not None

    client.post(
        f"/people/{person_id}/safe-zones",
        data={
            "csrf_token": csrf,
            "name": "Home",
            "lat": "56.46",
            "lon": "-2.97",
            "radius_m": "300",
            "active_from": "08:00",
            "active_to": "20:00",
        },
    )
    assert (
        client.post(
            f"/people/{person_id}/safe-zones",
            data={
                "csrf_token": csrf,
                "name": "Bad",
                "lat": "56",
                "lon": "-2",
                "radius_m": "10",
                "active_from": "8 o'clock",
            },
        ).status_code
        == 422
    )
    zones = client.get(f"/api/people/{person_id}").json()["safe_zones"]
    assert [(z["name"], z["active_from"]) for z in zones] == [("Home", "08:00:00")]

    from sqlalchemy import select

    from services.store.models import AuditRecord

    with console_factory() as session:
        actions = session.scalars(
            select(AuditRecord.action)
            .where(AuditRecord.person_id == person_id, AuditRecord.action != "view")
            .order_by(AuditRecord.id)
        ).all()
    assert actions == ["admit_to_hospital", "discharge_from_hospital", "add_safe_zone"]


def test_consent_to_automated_calls_is_recorded_with_its_history(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    from services.telephony.consent import history

    person_id = seed_person(console_factory)
    handler = accounts[Role.CALL_HANDLER]
    csrf = sign_in(client, handler)
    client.post(
        f"/people/{person_id}/consent",
        data={"csrf_token": csrf, "answer": "withdrawn", "how": "by phone"},
    )
    assert client.get(f"/api/people/{person_id}").json()["opted_out"] is True
    assert (
        client.post(
            f"/api/people/{person_id}/consent",
            headers={"X-CSRF-Token": csrf},
            json={"consent": "given", "how": "in person"},
        ).status_code
        == 204
    )
    assert client.get(f"/api/people/{person_id}").json()["opted_out"] is False
    with console_factory() as session:
        assert [(r.consent, r.recorded_by, r.how) for r in history(session, person_id)] == [
            ("withdrawn", handler.username, "by phone"),
            ("given", handler.username, "in person"),
        ]
    assert "withdrawn (by phone)" in client.get(f"/people/{person_id}").text
    refused = client.patch(
        f"/api/people/{person_id}", headers={"X-CSRF-Token": csrf}, json={"opted_out": True}
    )
    assert refused.status_code == 422  # not a plain detail: consent keeps a history
