"""SIPp, the standard SIP test tool, plays an alarm hub against the real receiver: it sends
the <mrq> MESSAGE and receives the <mrs> MESSAGE back at the same address (its Contact
names another port, which the receiver must not use)."""

from __future__ import annotations

import asyncio
import base64
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from contracts.envelope import deterministic_id
from services.gateway.intake import Intake
from services.gateway.scaip_receiver import ScaipReceiver
from services.gateway.sip_transport import SipServer
from services.processes import free_port
from services.sim.cohort import SimPerson
from tests.integration.gateway.conftest import find_on_topic
from tests.support.parts import require

pytestmark = pytest.mark.broker
SCENARIOS = Path(__file__).parent / "sipp"


@dataclass(frozen=True)
class Exchange:
    mrs: str  # what the device logged of the <mrs> it received, e.g. "snu=0 ref=ab12"


@pytest.fixture
async def receiver_port(intake: Intake) -> AsyncIterator[int]:
    server = SipServer(ScaipReceiver(intake, "127.0.0.1"), "127.0.0.1", free_port())
    await server.start()
    yield server.port
    await server.stop()


async def sipp(*args: str, cwd: Path) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "sipp",
        *args,
        "-m",
        "1",
        "-i",
        "127.0.0.1",
        "-timeout",
        "20s",
        "-timeout_error",
        "-nostdin",
        cwd=cwd,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode or 0, output.decode(errors="replace")


async def hub_sends(
    port: int,
    cid: str,
    body: str,
    tmp_path: Path,
    transport: str = "u1",
    password: str | None = None,
) -> Exchange:
    """Run the device's sipp; return what it received (it must succeed)."""
    require(shutil.which("sipp") is not None, "sipp (Debian package sip-tester)")
    log = tmp_path / "device.log"
    scenario = "scaip_device_send_auth.xml" if password else "scaip_device_send.xml"
    auth = ("-au", cid, "-ap", password) if password else ()
    code, output = await sipp(
        f"127.0.0.1:{port}",
        "-sf",
        str(SCENARIOS / scenario),
        "-oocsf",
        str(SCENARIOS / "scaip_device_receive.xml"),
        *auth,
        "-p",
        str(free_port()),
        "-t",
        transport,
        "-key",
        "cid",
        cid,
        "-key",
        "body",
        body,
        "-key",
        "contact_port",
        str(free_port()),
        "-trace_logs",
        "-log_file",
        str(log),
        cwd=tmp_path,
    )
    assert code == 0, output
    line = next(line for line in log.read_text().splitlines() if "mrs snu=" in line)
    return Exchange(mrs=line.split("mrs ", 1)[1].strip())


def new_ref() -> str:
    return uuid.uuid4().hex[:12]


async def dead_letters_with(bootstrap: str, marker: str) -> list[dict[str, object]]:
    return await asyncio.to_thread(
        find_on_topic,
        bootstrap,
        "deadletter",
        lambda letter: marker.encode() in base64.b64decode(str(letter["raw_b64"])),
    )


@pytest.mark.parametrize("transport", ["u1", "t1"], ids=["udp", "tcp"])
async def test_an_alarm_reaches_the_priority_lane_and_the_device_hears_snu_0(
    receiver_port: int, person: SimPerson, kafka_bootstrap: str, tmp_path: Path, transport: str
) -> None:
    cid, ref = person.device("scaip_hub").identifier, new_ref()
    body = f"<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>3</dty><stc>10</stc><crd>gsm:</crd></mrq>"
    exchange = await hub_sends(receiver_port, cid, body, tmp_path, transport)
    assert exchange.mrs == f"snu=0 ref={ref}"
    event_id = str(deterministic_id("scaip", cid, ref, "ME"))
    [alarm] = await asyncio.to_thread(
        find_on_topic, kafka_bootstrap, "device.alarms", lambda e: e["event_id"] == event_id
    )
    assert alarm["person_id"] == person.person_id
    assert (alarm["device_type"], alarm["status_code"]) == (3, 10)


async def test_a_heartbeat_is_acknowledged_as_telemetry(
    receiver_port: int, person: SimPerson, kafka_bootstrap: str, tmp_path: Path
) -> None:
    cid, ref = person.device("scaip_hub").identifier, new_ref()
    body = f"<mrq><mty>PI</mty><ref>{ref}</ref><cid>{cid}</cid><dty>2</dty></mrq>"
    assert (await hub_sends(receiver_port, cid, body, tmp_path)).mrs == f"snu=0 ref={ref}"
    event_id = str(deterministic_id("scaip", cid, ref, "PI"))
    await asyncio.to_thread(
        find_on_topic, kafka_bootstrap, "device.events", lambda e: e["event_id"] == event_id
    )


BOMB = (
    '<!DOCTYPE m [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    "<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>3</dty><dte>&b;</dte></mrq>"
)
EXTERNAL = (
    '<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>3</dty><dte>&x;</dte></mrq>"
)


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>3<dty></mrq>", "snu=2 ref="),
        ("<mrq><ref>{ref}</ref><dty>3</dty></mrq>", "snu=7 ref={ref}"),
        ("<mrq><cid>{cid}</cid><dty>3</dty><dte>{ref}</dte></mrq>", "snu=10 ref="),
        (BOMB, "snu=2 ref="),
        (EXTERNAL, "snu=2 ref="),
    ],
    ids=["malformed", "no-cid", "no-ref", "xml-bomb", "external-entity"],
)
async def test_bad_messages_get_their_snu_and_a_dead_letter(
    receiver_port: int,
    person: SimPerson,
    kafka_bootstrap: str,
    tmp_path: Path,
    template: str,
    expected: str,
) -> None:
    cid, ref = person.device("scaip_hub").identifier, new_ref()
    exchange = await hub_sends(receiver_port, cid, template.format(ref=ref, cid=cid), tmp_path)
    assert exchange.mrs == expected.format(ref=ref)
    [letter] = await dead_letters_with(kafka_bootstrap, ref)
    assert letter["origin"] == "gateway.scaip"
    assert str(letter["reason"]).startswith(f"snu {expected.split()[0].split('=')[1]}:")


async def test_a_sip_sender_that_is_not_the_cid_is_refused(
    receiver_port: int, person: SimPerson, kafka_bootstrap: str, tmp_path: Path
) -> None:
    cid, ref = person.device("scaip_hub").identifier, new_ref()
    body = f"<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>3</dty></mrq>"
    exchange = await hub_sends(receiver_port, "99999999", body, tmp_path)
    assert exchange.mrs == f"snu=3 ref={ref}"
    [letter] = await dead_letters_with(kafka_bootstrap, ref)
    assert "From user" in str(letter["reason"])


async def test_an_unregistered_hub_is_dead_lettered_and_raises_an_alert(
    receiver_port: int, kafka_bootstrap: str, tmp_path: Path
) -> None:
    cid, ref = str(uuid.uuid4().int)[:15], new_ref()
    body = f"<mrq><ref>{ref}</ref><cid>{cid}</cid><dty>3</dty></mrq>"
    # The answer a registered hub gets: a different one would tell which hub ids exist.
    assert (await hub_sends(receiver_port, cid, body, tmp_path)).mrs == f"snu=0 ref={ref}"
    await dead_letters_with(kafka_bootstrap, ref)
    [alert] = await asyncio.to_thread(
        find_on_topic,
        kafka_bootstrap,
        "alerts",
        lambda a: a["alert_key"] == "unregistered:scaip_hub" and cid in a["summary"],
    )
    assert (alert["alert_kind"], alert["person_id"]) == ("device_not_registered", "unregistered")
    assert alert["priority"] == "urgent"  # a pendant alarm from a hub nobody holds
