"""Each role signs in and lands on its worklist; the admin pages keep others out."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from services.console.roles import HOME_OF, Role
from tests.browser.conftest import (
    Console,
    running_console,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)


def test_the_sign_in_page(page: Page, console: Console) -> None:
    page.goto(console.url + "/queue")
    expect(page).to_have_url(console.url + "/login?next=/queue")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "sign-in")


def test_a_wrong_password_is_refused_in_words(page: Page, console: Console) -> None:
    page.goto(console.url + "/login")
    page.get_by_label("User name").fill(console.accounts[Role.CALL_HANDLER].username)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("did not match")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_to_its_worklist(page: Page, console: Console, role: Role) -> None:
    sign_in(page, console, role)
    expect(page).to_have_url(console.url + HOME_OF[role])
    expect(page.locator(".who")).to_contain_text(role.label)


def test_a_call_handler_cannot_open_the_admin_pages(page: Page, console: Console) -> None:
    sign_in(page, console, Role.CALL_HANDLER)
    expect(page.get_by_role("link", name="Audit log")).to_have_count(0)
    for path in ("/admin/users", "/admin/audit"):
        response = page.goto(console.url + path)
        assert response is not None and response.status == 403
        expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "not-allowed")


def test_the_queue_says_when_it_stops_being_live(page: Page, tmp_path: Path) -> None:
    """Safety: a quiet queue must not be mistaken for an empty one when the console is
    gone. The server stops; the page says its updates have stopped."""
    with running_console(f"sqlite:///{tmp_path / 'tecflow.db'}") as console:
        sign_in(page, console, Role.CALL_HANDLER)
        page.wait_for_function("document.querySelector('#queue-rows').hasAttribute('sse-connect')")
        page.wait_for_timeout(500)  # connected
        expect(page.locator("#live-lost")).to_be_hidden()
        expect(page.locator("#queue-rows button, #queue-rows .empty").first).to_be_visible()
    expect(page.locator("#live-lost")).to_be_visible(timeout=15_000)
    expect(page.locator("#live-lost")).to_contain_text("may be out of date")
