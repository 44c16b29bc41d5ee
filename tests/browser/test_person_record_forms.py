"""The person record's forms in the browser, one family at a time: add (a contact, a
referral), edit (away mode, a flag, a referral moved on) and close (the unmet-need
entry, a contact removed); then the record passes axe-core at 1366x768."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, ImportNeeds
from contracts.envelope import utcnow
from services.console.roles import Role
from services.needs.csvfile import read_rows
from tests.browser.conftest import (
    SCREENSHOTS,
    Console,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)
from tests.support.flags import seed_flag


@pytest.fixture(scope="module")
def person(console: Console) -> str:
    """Someone with a falls flag, its referral, and an entry on the unmet-need list."""
    person_id, _flag, _referral = seed_flag(console.factory, "Nora Banks")
    since = date.today() - timedelta(days=40)
    rows, errors = read_rows(
        "person_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since,status\n"
        f"{person_id},substantial,12,home,{since},{since},struggling",
        date.today(),
    )
    imported = handle(
        ImportNeeds(
            rows=tuple(rows), parse_errors=tuple(errors), by=Actor.system("t"), at=utcnow()
        ),
        SqlAlchemyUnitOfWork(console.factory),
    )
    assert imported.added == 1
    return person_id


def open_record(page: Page, console: Console, person: str) -> None:
    sign_in(page, console, Role.RMU_OFFICER)
    page.goto(f"{console.url}/people/{person}")


def test_add_a_contact_and_a_referral(page: Page, console: Console, person: str) -> None:
    open_record(page, console, person)
    page.get_by_text("Add a contact").click()
    page.locator("#c-name").fill("Sam Banks")
    page.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("button", name="Remove Sam Banks")).to_be_visible()
    page.get_by_text("Suggest a referral").click()
    page.locator("#ref-target").select_option("community_meals")
    page.locator("#ref-reason").fill("not eating well since the fall")
    page.get_by_role("button", name="Suggest referral").click()
    expect(
        page.locator("#s-referrals ~ ul .muted", has_text="not eating well since the fall")
    ).to_be_visible()


def test_edit_away_mode_a_flag_and_a_referral(page: Page, console: Console, person: str) -> None:
    open_record(page, console, person)
    until = date.today() + timedelta(days=5)
    page.get_by_label("Away until (empty: home now)").fill(until.isoformat())
    page.locator("#away-reason").fill("staying with her sister")
    page.get_by_role("button", name="Set away mode").click()
    expect(page.get_by_text("inactivity checks are paused")).to_be_visible()

    flag_form = page.locator("form[action*='/flags/']")
    flag_form.locator("select").select_option("reviewed")
    flag_form.get_by_placeholder("Reason").fill("spoke to her daughter")
    flag_form.get_by_role("button", name="Change flag").click()
    expect(page.locator("#s-flags ~ ul .muted", has_text="spoke to her daughter")).to_be_visible()

    newest = page.locator("form[action*='/referrals/']").first
    newest.locator("select").select_option("sent")
    newest.get_by_placeholder("Reason").fill("sent to community meals")
    newest.get_by_role("button", name="Move referral").click()
    expect(page.locator("#s-referrals ~ ul .fact", has_text="sent")).to_have_count(1)


def test_close_the_need_entry_and_remove_a_contact(
    page: Page, console: Console, person: str
) -> None:
    open_record(page, console, person)
    page.get_by_label("Why it closes").fill("care package started")
    page.get_by_role("button", name="Close the entry").click()
    expect(page.get_by_text("no: care has started")).to_be_visible()
    page.get_by_label("Away until (empty: home now)").fill("")
    page.locator("#away-reason").fill("back home")
    page.get_by_role("button", name="Set away mode").click()
    expect(page.get_by_text("At home (no away mode).")).to_be_visible()
    before = page.locator("form[action*='/contacts/'] button").count()
    page.locator("form[action*='/contacts/'] button").first.click()
    expect(page.locator("form[action*='/contacts/'] button")).to_have_count(before - 1)


def test_the_record_with_its_forms_is_accessible(page: Page, console: Console, person: str) -> None:
    open_record(page, console, person)
    expect(page.get_by_role("heading", name="Nora Banks")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "person-record-forms")
    page.screenshot(path=str(SCREENSHOTS / "person-record-forms-full.png"), full_page=True)
