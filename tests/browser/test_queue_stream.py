"""The queue's event stream itself, read with httpx from the running console: the rows
at once, then again when an alert is raised."""

from __future__ import annotations

import re
from contextlib import closing

import httpx

from services.console.roles import Role
from tests.browser.conftest import Console
from tests.support.console import raise_alarm, seed_person


def signed_in_client(console: Console, role: Role) -> httpx.Client:
    client = httpx.Client(base_url=console.url, timeout=10)
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    account = console.accounts[role]
    client.post(
        "/login",
        data={
            "username": account.username,
            "password": account.password,
            "csrf_token": token.group(1),
        },
    )
    return client


def events(lines: object) -> object:
    """(event, data) pairs from an SSE line stream."""
    name, data = None, []
    for line in lines:  # type: ignore[attr-defined]
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif line == "" and name:
            yield name, "\n".join(data)
            name, data = None, []


def test_the_stream_sends_the_rows_then_each_change(console: Console) -> None:
    with (
        closing(signed_in_client(console, Role.CALL_HANDLER)) as client,
        client.stream("GET", "/events/queue") as stream,
    ):
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        received = events(stream.iter_lines())
        name, _first = next(received)  # type: ignore[call-overload]
        assert name == "queue"
        person_id = seed_person(console.factory, display_name="Stream Test")
        raise_alarm(console.factory, person_id, "Pendant pressed")
        name, rows = next(received)  # type: ignore[call-overload]
        assert name == "queue" and f'data-person="{person_id}"' in rows


def test_the_stream_is_refused_to_the_signed_out_and_the_rmu(console: Console) -> None:
    with httpx.Client(base_url=console.url, timeout=10) as anonymous:
        assert anonymous.get("/events/queue").status_code == 401
    with closing(signed_in_client(console, Role.RMU_OFFICER)) as officer:
        assert officer.get("/events/queue").status_code == 403
