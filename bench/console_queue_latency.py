"""The live queue's latency (issue 13, point 5): from an alarm published on
device.alarms to its row visible in a call handler's browser, with and without the
telemetry flood bench/streams_bench.py uses (results in bench/RESULTS.md, "console").

Real parts throughout: the embedded broker, the main worker and the alarm fast lane
(`tecflow worker --lane alarms`), a SQLite store, the console served by uvicorn, and
Debian's Chromium driven by Playwright with the queue page open. The browser notes the
wall-clock time a row for the alarm's person appears (a MutationObserver), so the
figure includes the console's store poll, the server-sent event and the render.

Run: PYTHONPATH=. .venv/bin/python bench/console_queue_latency.py [--alarms 10] [--flood 20000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from kafka import KafkaProducer
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.codes import ScaipDeviceType, ScaipStatus
from contracts.devices import AlarmEvent, SensorCapability, SensorEvent, SensorPlacement
from contracts.topics import Topic
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.console.app import create_app
from services.console.roles import Role
from services.console.settings import ConsoleSettings
from services.processes import free_port
from services.store.db import make_engine, make_session_factory
from services.store.migrate import upgrade
from services.store.models import AlertRecord
from tests.support.console import make_accounts
from tests.support.workers import tecflow_process, worker_env

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Records, in the page, when a queue row for each person first appears.
WATCH_ROWS = """() => {
  window.seenAt = {};
  const note = () => document.querySelectorAll('#queue-rows tr[data-person]').forEach(
    (row) => { window.seenAt[row.dataset.person] ??= Date.now(); });
  new MutationObserver(note).observe(document.querySelector('table.queue'),
                                     {childList: true, subtree: true});
  note();
}"""


def alarm(who: str, ref: int) -> AlarmEvent:
    return AlarmEvent(
        person_id=who,
        occurred_at=datetime.now(UTC),
        source="bench",
        reference=str(ref),
        controller_id="1000",
        device_type=ScaipDeviceType.PERSONAL_TRIGGER,
        status_code=ScaipStatus.MANUAL_ALARM,
    )


def telemetry(n: int) -> bytes:
    return SensorEvent(
        person_id=f"FLOOD{n % 500}",
        occurred_at=datetime.now(UTC),
        source="bench",
        device_id=f"flood {n}",
        capability=SensorCapability.OCCUPANCY,
        value=True,
        placement=SensorPlacement.HALL,
    ).to_bytes()


def latencies(
    page: Page, factory: sessionmaker[Session], bootstrap: str, alarms: int, flood: int
) -> tuple[list[float], list[float]]:
    """Seconds from publishing each alarm to its row in the page, and the console's part
    of it: from the alert's row written in the store to the row in the page."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    if flood:
        for n in range(flood):
            producer.send(
                str(Topic.DEVICE_EVENTS), key=f"FLOOD{n % 500}".encode(), value=telemetry(n)
            )
        producer.flush()  # the backlog is on the broker before the first alarm
    sent: dict[str, float] = {}
    for n in range(alarms):
        event = alarm(f"BENCH{uuid.uuid4().hex[:8]}", n)
        sent[event.person_id] = time.time()
        producer.send(str(Topic.DEVICE_ALARMS), key=event.key, value=event.to_bytes())
        producer.flush()
        time.sleep(0.5)
    producer.close()
    deadline = time.monotonic() + 120
    seen: dict[str, float] = {}
    while time.monotonic() < deadline:
        seen = page.evaluate("window.seenAt")
        if set(sent) <= set(seen):
            break
        time.sleep(0.2)
    with factory() as session:
        stored = {
            who: at.timestamp()
            for who, at in session.execute(
                select(AlertRecord.person_id, AlertRecord.updated_at).where(
                    AlertRecord.person_id.in_(list(sent))
                )
            )
        }
    return (
        sorted(seen[who] / 1000 - at for who, at in sent.items() if who in seen),
        sorted(seen[who] / 1000 - stored[who] for who in sent if who in seen and who in stored),
    )


def bench(alarms: int, flood: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker, ExitStack() as stack:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        create_topics(broker.bootstrap_servers, partitions=3)
        env = worker_env(broker.bootstrap_servers, url, f"bench-{uuid.uuid4().hex[:6]}")
        stack.enter_context(tecflow_process("worker", env=env, log_path=Path(tmp) / "w.log"))
        stack.enter_context(
            tecflow_process(
                "worker",
                "--lane",
                "alarms",
                log_path=Path(tmp) / "lane.log",
                env={**env, "TECFLOW_WORKER_WEB_PORT": str(free_port())},
            )
        )

        factory = make_session_factory(make_engine(url))
        handler = make_accounts(factory)[Role.CALL_HANDLER]
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(ConsoleSettings(), factory),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        stack.callback(thread.join, 10)
        stack.callback(setattr, server, "should_exit", True)

        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        stack.callback(browser.close)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"http://127.0.0.1:{port}/login")
        page.get_by_label("User name").fill(handler.username)
        page.get_by_label("Password").fill(handler.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("table.queue")
        page.evaluate(WATCH_ROWS)

        latencies(page, factory, broker.bootstrap_servers, 1, 0)  # warm up: workers joined
        for label, flooding in (("no flood", 0), (f"{flood} telemetry events flooding", flood)):
            total, console_part = latencies(
                page, factory, broker.bootstrap_servers, alarms, flooding
            )
            results[f"alarm on device.alarms -> row in the browser, {label}"] = total
            results[f"store -> row in the browser (the console's part), {label}"] = console_part
    return results


def summary(values: list[float], alarms: int) -> dict[str, Any]:
    """Seen count and percentiles in milliseconds (None when no row was seen)."""
    if not values:
        return {"seen": 0, "alarms": alarms, "p50_ms": None, "p95_ms": None, "max_ms": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "seen": len(values),
        "alarms": alarms,
        "p50_ms": round(statistics.median(values) * 1000),
        "p95_ms": round(p95 * 1000),
        "max_ms": round(max(values) * 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alarms", type=int, default=10)
    parser.add_argument("--flood", type=int, default=20_000)
    parser.add_argument("--json", type=Path, help="also write the figures here (make bench)")
    args = parser.parse_args()
    figures = {
        label: summary(values, args.alarms)
        for label, values in bench(args.alarms, args.flood).items()
    }
    for label, f in figures.items():
        print(
            f"{label}: median {f['p50_ms']} ms, p95 {f['p95_ms']} ms, max {f['max_ms']} ms "
            f"({f['seen']} of {f['alarms']} alarms)"
        )
    if args.json:
        args.json.write_text(json.dumps(figures))


if __name__ == "__main__":
    main()
