"""The falls-flags worklist in Chromium: a call handler reviews a flag and marks its
referral sent; the page passes axe-core and is saved as a screenshot."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from services.console.roles import Role
from tests.browser.conftest import (
    Console,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)
from tests.support.flags import seed_flag


def test_a_flag_is_reviewed_and_its_referral_sent(page: Page, console: Console) -> None:
    _person, flag_id, referral_id = seed_flag(console.factory, "Fiona Fall")
    sign_in(page, console, Role.CALL_HANDLER)
    page.goto(console.url + "/flags")
    flag = page.locator(f"#flag-{flag_id}")
    expect(flag.locator(".flag-status")).to_have_text("active")
    expect(flag).to_contain_text("unable to get up after a fall")
    assert serious_accessibility_violations(page) == []
    screenshot(page, "falls-flags")

    flag.get_by_label("Flag").select_option("reviewed")
    flag.get_by_label("Why").fill("Spoke to her daughter: falls team to visit")
    flag.get_by_role("button", name="Save").click()
    flag = page.locator(f"#flag-{flag_id}")
    expect(flag.locator(".flag-status")).to_have_text("reviewed")

    referral = flag.locator(f"#referral-{referral_id}")
    expect(referral.locator(".referral-status")).to_have_text("to send")
    referral.get_by_label("Mark as").select_option("sent")
    referral.get_by_label("Note").fill("Emailed the falls team")
    referral.get_by_role("button", name="Update referral").click()
    expect(page.locator(f"#referral-{referral_id} .referral-status")).to_have_text("sent")
    expect(page.locator(f"#flag-{flag_id}")).to_contain_text("Spoke to her daughter")
