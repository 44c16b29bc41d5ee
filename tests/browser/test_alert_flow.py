"""The call handler's whole loop in a real browser: an alarm published on device.alarms
(picked up by the alarm fast lane, a real `tecflow worker --lane alarms` on a real
broker) appears in the open queue page without a reload, is taken, resolved with an
outcome, and shows on the person's record. Its latency is measured in
bench/console_queue_latency.py, not here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from care import handle
from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
from care.commands import Actor, RaiseAlert
from contracts.codes import AlertPriority, AlertQueue, ScaipDeviceType, ScaipStatus
from contracts.devices import AlarmEvent
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.console.roles import Role
from tests.browser.conftest import (
    Console,
    running_console,
    screenshot,
    serious_accessibility_violations,
    sign_in,
)
from tests.support.console import seed_person
from tests.support.workers import tecflow_process, worker_env

pytestmark = [pytest.mark.slow, pytest.mark.broker]


@pytest.fixture(scope="module")
def console_on_the_bus(
    kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    tmp = tmp_path_factory.mktemp("console-bus")
    with running_console(f"sqlite:///{tmp / 'tecflow.db'}") as console:
        env = worker_env(kafka_bootstrap, console.database_url, f"console-{uuid.uuid4().hex[:6]}")
        with tecflow_process(
            "worker", "--lane", "alarms", env=env, log_path=Path(tmp) / "lane.log"
        ):
            yield console


def alarm(person_id: str, minutes_ago: float) -> AlarmEvent:
    return AlarmEvent(
        person_id=person_id,
        source="test",
        reference="1",
        occurred_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        controller_id="4411",
        device_type=ScaipDeviceType.FALL_DETECTOR,
        status_code=ScaipStatus.AUTOMATIC_ALARM,
    )


def other_work(console: Console) -> None:
    """A realistic queue around the alarm: a missed morning and a low battery."""
    now = datetime.now(UTC)
    for name, kind, priority, summary, queue, age in [
        (
            "Jean Black",
            "no_morning_activity",
            AlertPriority.HIGH,
            "No movement seen by 10:30; usually up by 08:15",
            AlertQueue.CALL_HANDLER,
            14,
        ),
        (
            "Tom Reid",
            "battery_low",
            AlertPriority.LOW,
            "Pendant battery low (15%)",
            AlertQueue.CALL_HANDLER,
            50,
        ),
    ]:
        person_id = seed_person(console.factory, display_name=name, lives_alone=False)
        handle(
            RaiseAlert(
                person_id=person_id,
                key=f"{kind}:{person_id}",
                kind=kind,
                priority=priority,
                summary=summary,
                by=Actor.system("tests"),
                at=now - timedelta(minutes=age),
                queue=queue,
            ),
            SqlAlchemyUnitOfWork(console.factory),
        )


def test_an_alarm_on_the_bus_is_worked_to_the_end(
    page: Page, console_on_the_bus: Console, kafka_bootstrap: str
) -> None:
    console = console_on_the_bus
    other_work(console)
    person_id = seed_person(console.factory, display_name="Margaret Fall")
    sign_in(page, console, Role.CALL_HANDLER)
    expect(page.get_by_role("heading", name="Alert queue")).to_be_visible()
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    with EventPublisher(kafka_bootstrap) as publisher:
        # Raised 90 s ago at the hub: nobody has answered within the 60-second standard.
        publisher.publish(Topic.DEVICE_ALARMS, alarm(person_id, minutes_ago=1.5))
    row = page.locator(f'#queue-rows tr[data-person="{person_id}"]')
    expect(row).to_be_visible(timeout=90_000)  # the lane's first join can take a while
    assert page.evaluate("window.sameDocument") is True
    expect(row).to_contain_text("Margaret Fall")
    expect(row.locator("time.age")).to_have_class("age late")
    # Urgent before the rest: only older urgent alarms (other tests' on the shared
    # broker) may come before this one, and the test's own lower-priority work after it.
    rows = page.eval_on_selector_all(
        "#queue-rows tr", "rows => rows.map(r => [r.dataset.person, r.className])"
    )
    mine = [person for person, _ in rows].index(person_id)
    assert all("priority-urgent" in classes for _, classes in rows[: mine + 1]), rows
    assert any("priority-urgent" not in classes for _, classes in rows[mine + 1 :]), rows
    assert serious_accessibility_violations(page) == []
    screenshot(page, "queue")

    row.get_by_role("button", name="Take").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You have this alert")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    screenshot(page, "alert")

    page.get_by_text("Record a call you made").click()
    page.get_by_label("Who you called").select_option(label="Margaret Fall")
    page.locator("#call-outcome").select_option(value="concern_raised")
    page.get_by_label("Notes", exact=True).fill("On the floor in the hall, not hurt")
    page.get_by_role("button", name="Record call").click()
    handler = console.accounts[Role.CALL_HANDLER].username
    expect(page.get_by_text(f"{handler} called Margaret Fall")).to_be_visible()

    page.locator("#outcome").select_option(label="Fall without injury")
    page.get_by_label("Note (optional)").fill("Helped up by the responder; no injury")
    page.get_by_role("button", name="Resolve").click()
    expect(page).to_have_url(console.url + "/queue")
    expect(page.locator(f'#queue-rows tr[data-person="{person_id}"]')).to_have_count(0)

    page.goto(f"{console.url}/people/{person_id}")
    alerts = page.locator("section", has=page.get_by_role("heading", name="Alerts"))
    expect(alerts).to_contain_text(
        "resolved (fall without injury) by " + console.accounts[Role.CALL_HANDLER].username
    )
    assert serious_accessibility_violations(page) == []
    screenshot(page, "person-record")
