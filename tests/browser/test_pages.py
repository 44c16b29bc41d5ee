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

PAGES = [
    (Role.CALL_HANDLER, "/queue", "Alert queue", "queue"),
    (Role.RMU_OFFICER, "/people", "People", "people"),
    (Role.ADMIN, "/admin/audit", "Audit log", "audit-log"),
    (Role.ADMIN, "/admin/users", "Accounts", "accounts"),
]


@pytest.mark.parametrize(("role", "path", "heading", "name"), PAGES)
def test_page_is_accessible(
    page: Page, console: Console, role: Role, path: str, heading: str, name: str
) -> None:
    sign_in(page, console, role)
    page.goto(console.url + path)
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, name)
