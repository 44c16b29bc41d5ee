"""`tecflow up` (what `make demo` runs): the spine on one machine, then a clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.waiting import eventually

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(p) for p in result.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def console_answers(url: str) -> bool:
    try:
        return httpx.get(url + "health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_up_runs_the_demo_then_stops_everything_on_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env |= {"TECFLOW_DATA_DIR": str(tmp_path), "TECFLOW_GROUP_TIMEOUT_S": "6"}
    env.pop("TECFLOW_DATABASE_URL", None)
    output = tmp_path / "up.out"
    with output.open("wb") as out:
        up = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "up", "--people", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        eventually(lambda: b"press Ctrl-C" in output.read_bytes() or up.poll() is not None,
                   timeout_s=150)
        assert up.poll() is None, output.read_text()
        console = re.search(r"console +(http://\S+)", output.read_text())
        assert console, output.read_text()
        assert eventually(lambda: console_answers(console.group(1)), timeout_s=30)
        children = children_of(up.pid)
        assert len(children) >= 2  # the broker and the worker
        up.send_signal(signal.SIGINT)
        up.wait(60)
    finally:
        if up.poll() is None:
            up.kill()
    text = output.read_text()
    assert "the store holds 11 events and 1 dead letter(s)" in text
    assert "P000002   device.events  voice" in text
    assert "answered 'in crisis' on a check-in call" in text
    assert "P000001   falls_follow_up: Fall detector alarm at" in text
    assert "P000001   welfare_check        completed  feeling_ok=yes" in text
    assert "stopped cleanly" in text
    assert re.search(r"demo sign-in: demo-call-handler / \S+ \(call_handler\)", text)
    assert re.search(r"SCAIP over SIP +udp\+tcp 127.0.0.1:\d+", text)
    assert re.search(r"Twilio simulator +http://127.0.0.1:\d+/", text)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in children if alive(pid)], "orphan processes left behind"
    assert up.returncode == 0
