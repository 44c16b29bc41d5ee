"""Working an alert from the console: the queue, taking it (and who has it), resolving
with an outcome, notes, reopening; every change through the care record."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from services.console.roles import Role
from tests.support.console import Account, make_accounts, raise_alarm, seed_person, sign_in


def test_the_queue_shows_an_alarm_with_the_persons_key_facts(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    person_id = seed_person(console_factory)
    alert = raise_alarm(console_factory, person_id, "Pendant pressed at home")
    sign_in(client, accounts[Role.CALL_HANDLER])
    rows = {row["id"]: row for row in client.get("/api/alerts").json()}
    row = rows[str(alert.id)]
    assert row["summary"] == "Pendant pressed at home" and row["priority"] == "urgent"
    assert row["person"] | {"age": None} == {
        "person_id": person_id,
        "name": "Margaret Test",
        "age": None,
        "phone": "+441382000123",
        "postcode": "DD1 1AA",
        "lives_alone": True,
        "keyholders": 1,
        "open_flags": [],
        "need_level": None,
    }
    page = client.get("/queue").text
    assert "Pendant pressed at home" in page and "1 keyholder" in page and "lives alone" in page


def test_technology_assistants_do_not_get_the_call_handlers_alarms(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    alert = raise_alarm(console_factory, seed_person(console_factory))
    sign_in(client, accounts[Role.TECHNOLOGY_ASSISTANT])
    assert str(alert.id) not in {row["id"] for row in client.get("/api/alerts").json()}


def test_two_handlers_never_work_one_alert_unknowingly(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    alert = raise_alarm(console_factory, seed_person(console_factory))
    first = accounts[Role.CALL_HANDLER]
    second = make_accounts(console_factory)[Role.CALL_HANDLER]
    csrf = sign_in(client, first)
    taken = client.post(
        f"/api/alerts/{alert.id}/acknowledge", json={}, headers={"X-CSRF-Token": csrf}
    )
    assert taken.status_code == 200 and taken.json()["acknowledged_by"] == first.username

    other = TestClient(client.app)
    other_csrf = sign_in(other, second)
    refused = other.post(
        f"/api/alerts/{alert.id}/acknowledge", json={}, headers={"X-CSRF-Token": other_csrf}
    )
    assert refused.status_code == 409 and first.username in refused.json()["error"]
    page = other.get(f"/alerts/{alert.id}").text
    assert f"<strong>{first.username}</strong> has this alert" in page
    assert "Take over from" in page
    over = other.post(
        f"/api/alerts/{alert.id}/acknowledge",
        json={"take_over": True},
        headers={"X-CSRF-Token": other_csrf},
    )
    assert over.status_code == 200 and over.json()["acknowledged_by"] == second.username


def test_resolve_needs_an_outcome_and_closes_the_alert(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    alert = raise_alarm(console_factory, seed_person(console_factory))
    csrf = sign_in(client, accounts[Role.CALL_HANDLER])
    headers = {"X-CSRF-Token": csrf}
    assert (
        client.post(f"/api/alerts/{alert.id}/resolve", json={}, headers=headers).status_code == 422
    )
    assert (
        client.post(
            f"/api/alerts/{alert.id}/resolve",
            json={"outcome": "cleared_at_device"},
            headers=headers,
        ).status_code
        == 409
    )  # the devices' outcome only
    done = client.post(
        f"/api/alerts/{alert.id}/resolve",
        headers=headers,
        json={"outcome": "fall_without_injury", "note": "Helped up by her daughter"},
    )
    assert done.status_code == 200
    assert done.json()["status"] == "closed" and done.json()["outcome"] == "fall_without_injury"
    assert str(alert.id) not in {row["id"] for row in client.get("/api/alerts").json()}
    again = client.post(
        f"/api/alerts/{alert.id}/resolve", headers=headers, json={"outcome": "false_alarm"}
    )
    assert again.status_code == 409


def test_the_alert_page_forms_take_note_resolve_and_reopen(
    client: TestClient, accounts: dict[Role, Account], console_factory: sessionmaker[Session]
) -> None:
    alert = raise_alarm(console_factory, seed_person(console_factory))
    handler = accounts[Role.CALL_HANDLER]
    csrf = sign_in(client, handler)
    page = client.get(f"/alerts/{alert.id}").text
    assert "Nobody has this alert yet" in page and 'href="tel:+441382000123"' in page
    assert "Ann Test" in page and "keyholder" in page

    taken = client.post(
        f"/alerts/{alert.id}/acknowledge", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert taken.status_code == 303 and taken.headers["location"] == f"/alerts/{alert.id}"
    assert "You have this alert" in client.get(f"/alerts/{alert.id}").text

    client.post(
        f"/alerts/{alert.id}/notes", data={"csrf_token": csrf, "text": "No answer on the first try"}
    )
    resolved = client.post(
        f"/alerts/{alert.id}/resolve",
        follow_redirects=False,
        data={"csrf_token": csrf, "outcome": "responder_sent", "note": "Responder on the way"},
    )
    assert resolved.status_code == 303 and resolved.headers["location"] == "/queue"
    page = client.get(f"/alerts/{alert.id}").text
    assert "Responder sent" in page and "No answer on the first try" in page

    empty = client.post(f"/alerts/{alert.id}/reopen", data={"csrf_token": csrf, "reason": " "})
    assert empty.status_code == 409  # a reason is required
    client.post(f"/alerts/{alert.id}/reopen", data={"csrf_token": csrf, "reason": "She rang again"})
    assert str(alert.id) in {row["id"] for row in client.get("/api/alerts").json()}


def test_an_unknown_alert_is_not_found(client: TestClient, accounts: dict[Role, Account]) -> None:
    csrf = sign_in(client, accounts[Role.CALL_HANDLER])
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/api/alerts/{missing}").status_code == 404
    assert (
        client.post(
            f"/api/alerts/{missing}/acknowledge", json={}, headers={"X-CSRF-Token": csrf}
        ).status_code
        == 404
    )
    assert "Not found" in client.get(f"/alerts/{missing}").text
