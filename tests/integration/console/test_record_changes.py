"""Away mode, the unmet-need entry and referrals change from the person record through
the care record's handlers, each audited; roles decide who may. (Every route's role and
CSRF checks are in test_access.py, which reads the routes from the app.)"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.console.roles import Role
from services.store.models import AuditRecord, Person
from tests.support.console import Account, seed_person, sign_in
from tests.support.flags import seed_flag
from tests.support.needs import seed_needs


def audited(factory: sessionmaker[Session], person_id: str) -> list[tuple[str, str]]:
    with factory() as session:
        rows = session.scalars(select(AuditRecord).where(AuditRecord.person_id == person_id))
        return [(row.action, row.actor) for row in rows]


def away_until(factory: sessionmaker[Session], person_id: str) -> datetime | None:
    with factory() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.away_until


def test_away_mode_is_set_and_ended_from_the_record(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    account = accounts[Role.TECHNOLOGY_ASSISTANT]
    csrf = sign_in(client, account)
    back = date.today() + timedelta(days=7)
    page = client.post(
        f"/people/{person_id}/away",
        data={"csrf_token": csrf, "until": back.isoformat(), "reason": "with her son"},
    )
    assert page.status_code == 200 and "inactivity checks are paused" in page.text
    until = away_until(console_factory, person_id)
    assert until is not None and until.date() == back
    assert ("set_away_mode", account.username) in audited(console_factory, person_id)

    headers = {"X-CSRF-Token": csrf}
    past = datetime.now(UTC) - timedelta(days=1)
    refused = client.post(
        f"/api/people/{person_id}/away",
        json={"until": past.isoformat(), "reason": "typo"},
        headers=headers,
    )
    assert refused.status_code in (409, 422)
    assert away_until(console_factory, person_id) == until  # unchanged
    home = client.post(
        f"/api/people/{person_id}/away",
        json={"until": None, "reason": "back early"},
        headers=headers,
    )
    assert home.status_code == 204
    assert away_until(console_factory, person_id) is None
    missing = client.post(
        "/api/people/PNOBODY/away", json={"until": None, "reason": "x"}, headers=headers
    )
    assert missing.status_code == 404


def test_the_unmet_need_entry_is_closed_by_an_rmu_officer_only(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    [person_id] = seed_needs(
        console_factory, [("Ann Wait", "substantial", "home", 30, "managing_ok")]
    )
    csrf = sign_in(client, accounts[Role.CALL_HANDLER])
    assert "Close the entry" not in client.get(f"/people/{person_id}").text
    refused = client.post(
        f"/people/{person_id}/need/close", data={"csrf_token": csrf, "reason": "care started"}
    )
    assert refused.status_code == 403

    officer = accounts[Role.RMU_OFFICER]
    csrf = sign_in(client, officer)
    assert "Close the entry" in client.get(f"/people/{person_id}").text
    page = client.post(
        f"/people/{person_id}/need/close",
        data={"csrf_token": csrf, "reason": "care package started"},
    )
    assert page.status_code == 200 and "no: care has started" in page.text
    assert "Close the entry" not in page.text
    again = client.post(
        f"/api/people/{person_id}/need/close",
        json={"reason": "again"},
        headers={"X-CSRF-Token": csrf},
    )
    assert again.json() == {"closed": False}
    assert ("close_need_entry", officer.username) in audited(console_factory, person_id)


def test_referrals_are_suggested_and_moved_on_and_flags_changed_from_the_record(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id, flag_id, referral_id = seed_flag(console_factory, "Bob Fall")
    handler = accounts[Role.CALL_HANDLER]
    csrf = sign_in(client, handler)
    headers = {"X-CSRF-Token": csrf}
    page = client.post(
        f"/people/{person_id}/referrals",
        data={"csrf_token": csrf, "target": "ot", "reason": "struggles with the stairs"},
    )
    assert page.status_code == 200 and "struggles with the stairs" in page.text
    duplicate = client.post(
        f"/api/people/{person_id}/referrals",
        json={"target": "ot", "reason": "again"},
        headers=headers,
    )
    assert duplicate.status_code == 201 and duplicate.json() == {"id": None}
    nobody = client.post(
        "/api/people/PNOBODY/referrals", json={"target": "ot", "reason": "x"}, headers=headers
    )
    assert nobody.status_code == 404

    client.post(
        f"/people/{person_id}/referrals/{referral_id}/status",
        data={"csrf_token": csrf, "status": "sent", "reason": "emailed the falls team"},
    )
    client.post(
        f"/people/{person_id}/flags/{flag_id}/status",
        data={"csrf_token": csrf, "status": "reviewed", "reason": "spoke to her daughter"},
    )
    record = client.get(f"/api/people/{person_id}").json()
    statuses = {r["target"]: r["status"] for r in record["referrals"]}
    assert statuses == {"falls_team": "sent", "ot": "suggested"}
    assert [f["status"] for f in record["flags"]] == ["reviewed"]
    bad = client.post(
        f"/people/{person_id}/referrals/{referral_id}/status",
        data={"csrf_token": csrf, "status": "suggested", "reason": "back"},
    )
    assert bad.status_code == 409  # the lifecycle never goes backwards
    actions = audited(console_factory, person_id)
    for action in ("suggest_referral", "move_referral", "flag_reviewed"):
        assert (action, handler.username) in actions, actions

    csrf = sign_in(client, accounts[Role.MANAGER])
    assert "Suggest a referral" not in client.get(f"/people/{person_id}").text
    refused = client.post(
        f"/api/people/{person_id}/referrals",
        json={"target": "ilrt", "reason": "x"},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 403
