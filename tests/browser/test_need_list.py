"""The RMU officer's unmet-need list in Chromium: someone who answers "in crisis" on a
check-in call moves to the top while the officer watches, without a reload; the page
passes axe-core and is saved as a screenshot."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from services.console.roles import Role
from tests.browser.conftest import (
    Console,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)
from tests.support.needs import answers_in_crisis, seed_needs


def test_in_crisis_goes_to_the_top_without_a_reload(page: Page, console: Console) -> None:
    ids = seed_needs(
        console.factory,
        [
            ("Ella Grant", "critical", "home", 61, "struggling"),
            ("Ian Shaw", "substantial", "hospital", 33, "unknown"),
            ("Morag Bell", "substantial", "home", 12, "managing_ok"),
            ("Tom Reid", "moderate", "home", 90, "managing_ok"),
        ],
    )
    sign_in(page, console, Role.RMU_OFFICER)  # the RMU officer lands on the list
    expect(page.get_by_role("heading", name="Unmet need", exact=True)).to_be_visible()
    rows = page.locator("#need-rows tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_have_attribute("data-person", ids[0])
    expect(rows.last).to_have_attribute("data-person", ids[3])
    # the live stream is open before the call's answer arrives
    page.wait_for_function("document.querySelector('#need-rows').getAttribute('sse-connect')")
    page.evaluate("window.notReloaded = true")

    answers_in_crisis(console.factory, ids[3])

    expect(rows.first).to_have_attribute("data-person", ids[3])
    expect(rows.first).to_contain_text("in crisis")
    expect(rows.first.locator("td.rank")).to_have_text("1")
    expect(rows.nth(1)).to_have_attribute("data-person", ids[0])
    assert page.evaluate("window.notReloaded") is True
    assert serious_accessibility_violations(page) == []
    screenshot(page, "unmet-need")
