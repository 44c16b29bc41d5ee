"""The unmet-need list in the console: who may see it, the triage order with each
position's reason, the filters, status changes with history (audited), the CSV export
and the weekly figures. The store is shared with other tests: checks compare the
people each test puts on the list."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.console.roles import Role
from services.needs.figures import weekly_figures
from services.store.models import AuditRecord
from services.store.needs import list_entries
from tests.support.console import Account, sign_in
from tests.support.needs import seed_needs

ENTRIES = [
    ("Ada Critical", "critical", "home", 40, "struggling"),
    ("Ben Moderate", "moderate", "hospital", 10, "managing_ok"),
    ("Cat Substantial", "substantial", "home", 100, "unknown"),
]


@pytest.fixture
def mine(console_factory: sessionmaker[Session]) -> list[str]:
    return seed_needs(console_factory, ENTRIES)


def listed(client: TestClient, query: str = "") -> dict[str, dict[str, object]]:
    response = client.get(f"/api/needs?{query}")
    assert response.status_code == 200, response.text
    return {n["person_id"]: n for n in response.json()["needs"]}


@pytest.mark.parametrize("role", list(Role))
def test_rmu_officers_managers_and_admins_see_the_list(
    role: Role, client: TestClient, accounts: dict[Role, Account]
) -> None:
    sign_in(client, accounts[role])
    allowed = role in {Role.RMU_OFFICER, Role.MANAGER, Role.ADMIN}
    for path in ("/needs", "/api/needs", "/api/needs/figures", "/needs/export.csv"):
        assert client.get(path).status_code == (200 if allowed else 403), (role, path)
    assert ('href="/needs"' in client.get("/people").text) is allowed


def test_the_list_is_in_triage_order_with_each_reason(
    client: TestClient, accounts: dict[Role, Account], mine: list[str]
) -> None:
    sign_in(client, accounts[Role.RMU_OFFICER])
    needs = listed(client)
    ada, ben, cat = (needs[p] for p in mine)
    # critical before substantial before moderate, whatever the wait
    assert ada["rank"] < cat["rank"] < ben["rank"]  # type: ignore[operator]
    assert ada["reason"] == "critical need; struggling; waiting 40 days at home"
    assert ben["reason"] == "moderate need; managing ok; waiting 10 days at hospital"
    page = client.get("/needs").text
    assert page.index(mine[0]) < page.index(mine[2]) < page.index(mine[1])
    assert "waiting 100 days at home" in page


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("need_level=critical", {0}),
        ("waiting_at=hospital", {1}),
        ("waiting_at=home&status=unknown", {2}),
        ("min_days=50", {2}),
        ("min_days=10&need_level=", {0, 1, 2}),
        ("need_level=&waiting_at=&status=&min_days=", {0, 1, 2}),
    ],
)
def test_filters(
    query: str,
    kept: set[int],
    client: TestClient,
    accounts: dict[Role, Account],
    mine: list[str],
) -> None:
    sign_in(client, accounts[Role.RMU_OFFICER])
    assert {i for i, p in enumerate(mine) if p in listed(client, query)} == kept
    page = client.get(f"/needs?{query}").text
    assert {i for i, p in enumerate(mine) if f'data-person="{p}"' in page} == kept


@pytest.mark.parametrize("query", ["need_level=urgent", "status=fine", "min_days=-3"])
def test_a_bad_filter_is_refused(
    query: str, client: TestClient, accounts: dict[Role, Account]
) -> None:
    sign_in(client, accounts[Role.RMU_OFFICER])
    assert client.get(f"/api/needs?{query}").status_code == 422


def test_a_status_change_moves_the_entry_and_is_kept_and_audited(
    client: TestClient,
    accounts: dict[Role, Account],
    mine: list[str],
    console_factory: sessionmaker[Session],
) -> None:
    ben = mine[1]
    officer = accounts[Role.RMU_OFFICER]
    csrf = sign_in(client, officer)
    done = client.post(
        f"/needs/{ben}/status",
        follow_redirects=False,
        data={"csrf_token": csrf, "status": "in_crisis", "reason": "daughter rang: not coping"},
    )
    assert done.status_code == 303 and done.headers["location"] == f"/needs/{ben}"
    needs = listed(client)
    assert needs[ben]["status"] == "in_crisis"
    assert needs[ben]["rank"] < needs[mine[0]]["rank"]  # type: ignore[operator]
    history = client.get(f"/needs/{ben}").text
    assert "daughter rang: not coping" in history and officer.username in history
    assert "managing_ok → in_crisis" in history
    with console_factory() as session:
        audited = session.scalars(
            select(AuditRecord).where(
                AuditRecord.person_id == ben, AuditRecord.action == "change_need_status"
            )
        ).all()
    assert [(a.actor, a.detail["status"]) for a in audited] == [(officer.username, "in_crisis")]
    # the API does the same; a blank reason is refused; an unknown person is not found
    headers = {"X-CSRF-Token": csrf}
    again = client.post(
        f"/api/needs/{ben}/status",
        headers=headers,
        json={"status": "struggling", "reason": "rang back, calmer"},
    )
    assert again.status_code == 200 and again.json()["status"] == "struggling"
    assert (
        client.post(
            f"/api/needs/{ben}/status", headers=headers, json={"status": "struggling", "reason": ""}
        ).status_code
        == 422
    )
    assert (
        client.post(
            "/api/needs/PNOBODY/status",
            headers=headers,
            json={"status": "struggling", "reason": "x"},
        ).status_code
        == 404
    )


def test_managers_read_the_list_but_do_not_change_it(
    client: TestClient, accounts: dict[Role, Account], mine: list[str]
) -> None:
    csrf = sign_in(client, accounts[Role.MANAGER])
    page = client.get(f"/needs/{mine[0]}")
    assert page.status_code == 200 and "Change their status" not in page.text
    refused = client.post(
        f"/api/needs/{mine[0]}/status",
        headers={"X-CSRF-Token": csrf},
        json={"status": "in_crisis", "reason": "x"},
    )
    assert refused.status_code == 403


def test_the_export_is_the_list_with_rank_and_reason(
    client: TestClient, accounts: dict[Role, Account], mine: list[str]
) -> None:
    sign_in(client, accounts[Role.RMU_OFFICER])
    response = client.get("/needs/export.csv?waiting_at=home")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = {r["person_id"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert mine[1] not in rows  # in hospital
    assert rows[mine[0]]["priority_reason"] == "critical need; struggling; waiting 40 days at home"
    assert int(rows[mine[0]]["rank"]) < int(rows[mine[2]]["rank"])
    assert all(r["waiting_at"] == "home" for r in rows.values())


def test_the_weekly_figures_are_the_stores(
    client: TestClient,
    accounts: dict[Role, Account],
    mine: list[str],
    console_factory: sessionmaker[Session],
) -> None:
    sign_in(client, accounts[Role.MANAGER])
    figures = client.get("/api/needs/figures").json()
    today = date.today()
    with console_factory() as session:
        expected = weekly_figures(list_entries(session, today - timedelta(days=7)), today)
    assert (
        figures["now"]["people"]
        == expected.now.people
        == client.get("/api/needs").json()["waiting"]
    )
    assert figures["now"]["longest_wait_days"] >= 100
    assert (figures["joined"], figures["left"]) == (expected.joined, expected.left)
    assert "People waiting" in client.get("/needs").text
