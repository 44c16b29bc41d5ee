"""`tecflow gateway` as production runs it: a SCAIP alarm over UDP is answered snu 0 and
reaches the priority lane; SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path

import pytest

from contracts.envelope import deterministic_id
from services.processes import free_port
from services.sim.cohort import SimPerson
from services.sim.wire import send_scaip_alarm
from tests.integration.gateway.conftest import find_on_topic
from tests.support.workers import tecflow_process

pytestmark = [pytest.mark.slow, pytest.mark.broker]


async def test_the_gateway_command_takes_an_alarm_and_stops_cleanly(
    kafka_bootstrap: str, sqlite_url: str, person: SimPerson, tmp_path: Path
) -> None:
    sip_port = free_port()
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "TECFLOW_DATABASE_URL": sqlite_url,
        "TECFLOW_DATA_DIR": str(tmp_path),
        "TECFLOW_GATEWAY_SIP_HOST": "127.0.0.1",
        "TECFLOW_GATEWAY_SIP_PORT": str(sip_port),
        "TECFLOW_GATEWAY_HTTP_PORT": str(free_port()),
        "TECFLOW_GATEWAY_MQTT_ENABLED": "false",
    }
    log = tmp_path / "gateway.log"
    with tecflow_process("gateway", env=env, log_path=log) as gateway:
        hub, ref = person.device("scaip_hub").identifier, uuid.uuid4().hex[:8]
        snu = await asyncio.to_thread(send_scaip_alarm, "127.0.0.1", sip_port, hub, ref, 60)
        assert snu == 0, log.read_text()
        event_id = str(deterministic_id("scaip", hub, ref, "ME"))
        await asyncio.to_thread(
            find_on_topic, kafka_bootstrap, "device.alarms", lambda e: e["event_id"] == event_id
        )
        gateway.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(gateway.wait, 30) == 0
    assert "gateway stopped" in log.read_text()
