"""The Twilio simulator answers the real twilio client as Twilio does: basic auth with the
account sid and token, Twilio-shaped errors, and a call resource the client parses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client
from twilio.rest.api.v2010.account.call import CallInstance

from services.processes import free_port
from services.telephony.simulator.callers import CallerBook, load_callers
from tests.e2e.telephony.conftest import ACCOUNT_SID, AUTH_TOKEN, telephony_env
from tests.support.waiting import eventually
from tests.support.workers import tecflow_process


@pytest.fixture(scope="module")
def sim_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("sim") / "sim.log"
    url = f"http://127.0.0.1:{port}"
    with tecflow_process("twilio-sim", env=telephony_env(port, free_port()), log_path=log):

        def up() -> bool:
            try:
                return httpx.get(f"{url}/sim/calls").status_code == 200
            except httpx.HTTPError:
                return False

        eventually(up, timeout_s=30)
        yield url


def client(sim_url: str, token: str = AUTH_TOKEN) -> Client:
    twilio = Client(ACCOUNT_SID, token)
    twilio.api.base_url = sim_url
    return twilio


def create(twilio: Client, to: str) -> CallInstance:
    # The webhooks point nowhere: this test is about the REST side only.
    return twilio.calls.create(
        to=to,
        from_="+441382000100",
        url="http://127.0.0.1:9/ivr/voice",
        status_callback_event=["initiated", "completed"],
        machine_detection="Enable",
    )


def test_a_call_is_created_and_parsed_by_the_twilio_client(sim_url: str) -> None:
    created = create(client(sim_url), "+447700900123")
    assert created.sid is not None and created.sid.startswith("CA") and len(created.sid) == 34
    assert (created.status, created.to, created.direction) == (
        "queued",
        "+447700900123",
        "outbound-api",
    )
    [call] = [c for c in httpx.get(f"{sim_url}/sim/calls").json() if c["sid"] == created.sid]
    assert call["to"] == "+447700900123"


def test_a_wrong_auth_token_is_refused(sim_url: str) -> None:
    with pytest.raises(TwilioRestException) as refused:
        create(client(sim_url, token="wrong"), "+447700900124")
    assert (refused.value.status, refused.value.code) == (401, 20003)


def test_an_invalid_number_is_refused_with_twilios_error_code(sim_url: str) -> None:
    with pytest.raises(TwilioRestException) as refused:
        create(client(sim_url), "07700 900125")
    assert (refused.value.status, refused.value.code) == (400, 21211)


def test_callers_can_be_scripted_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "callers.yaml"
    path.write_text('"+447700900126":\n  - behaviour: busy\n  - says: ["1", "yes"]\n')
    book = CallerBook(load_callers(path), seed=1)
    first, second, third = (book.next_for("+447700900126") for _ in range(3))
    assert first.behaviour == "busy"
    assert second.says == third.says == ("1", "yes")
    assert book.next_for("+447700900999").behaviour in {"answer", "no-answer", "busy", "machine"}
