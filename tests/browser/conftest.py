"""Browser tests: the console served by uvicorn in a thread on a fresh SQLite store,
driven by Playwright in Debian's Chromium (Playwright's own browser download is not
available offline, so the system browser is launched by its path)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.orm import Session, sessionmaker

from services.console.app import create_app
from services.console.roles import Role
from services.console.settings import ConsoleSettings
from services.processes import free_port
from services.store.db import make_engine, make_session_factory
from services.store.migrate import upgrade
from tests.support.console import Account, make_accounts
from tests.support.parts import require

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
SCREENSHOTS = Path("var/test-artifacts/screenshots")


@dataclass(frozen=True)
class Console:
    url: str
    factory: sessionmaker[Session]
    accounts: dict[Role, Account]
    database_url: str


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium per test module, not per session: Playwright's sync API runs an
    event loop in this thread while it is open, which the asyncio tests elsewhere in the
    suite cannot share."""
    require(CHROMIUM.exists(), "Debian's Chromium (/usr/bin/chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@contextmanager
def running_console(database_url: str) -> Iterator[Console]:
    """The console on a fresh, migrated store, served by uvicorn in a thread."""
    upgrade(database_url)
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    port = free_port()
    app = create_app(ConsoleSettings(queue_poll_s=0.1), factory)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="on",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start"
        time.sleep(0.05)
    try:
        yield Console(f"http://127.0.0.1:{port}", factory, make_accounts(factory), database_url)
    finally:
        server.should_exit = True
        thread.join(10)
        engine.dispose()


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    with running_console(
        f"sqlite:///{tmp_path_factory.mktemp('console') / 'tecflow.db'}"
    ) as started:
        yield started


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page: Page, console: Console, role: Role) -> None:
    account = console.accounts[role]
    page.goto(console.url + "/login")
    page.get_by_label("User name").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def serious_accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
