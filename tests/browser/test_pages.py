"""Each main page passes axe-core (no serious or critical findings) at 1366x768, and is
saved as a screenshot in the test run's artefacts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from services.console.roles import Role
from tests.browser.conftest import (
    Console,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)
from tests.support.console import raise_alarm, seed_person

PAGES = [
    (Role.CALL_HANDLER, "/queue", "Alert queue", "queue-one-alarm"),
    (Role.RMU_OFFICER, "/people", "People", "people"),
    (Role.ADMIN, "/admin/audit", "Audit log", "audit-log"),
    (Role.ADMIN, "/admin/users", "Accounts", "accounts"),
]


@pytest.fixture(scope="module")
def people(console: Console) -> list[str]:
    """A few people, one with an open alarm, so the pages show what they are for."""
    names = ["Ella Grant", "Ian Shaw", "Margaret Fall"]
    seeded = [seed_person(console.factory, display_name=name) for name in names]
    raise_alarm(console.factory, seeded[-1], "Pendant pressed")
    return seeded


@pytest.mark.parametrize(("role", "path", "heading", "name"), PAGES)
def test_page_is_accessible(
    page: Page,
    console: Console,
    people: list[str],
    role: Role,
    path: str,
    heading: str,
    name: str,
) -> None:
    if name == "audit-log":  # something to read: a handler opens a record first
        sign_in(page, console, Role.CALL_HANDLER)
        page.goto(f"{console.url}/people/{people[0]}")
        page.get_by_role("button", name="Sign out").click()
    sign_in(page, console, role)
    page.goto(console.url + path)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, name)
