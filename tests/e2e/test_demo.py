"""`tecflow up --simulate` (what `make demo` runs, here a small community for one
accelerated day): the platform reaches live data in under three minutes, the community's
alarms become alerts, its residents answer the service's calls, the answers raise a
falls flag and change the unmet-need list, every event the devices sent is stored once;
then Ctrl-C as a terminal sends it (SIGINT to the process group) stops every part within
5 s with exit 0, and a second run on the same data directory starts cleanly."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.waiting import eventually

pytestmark = [pytest.mark.slow, pytest.mark.broker]

READY = b"press Ctrl-C"


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


class Up:
    """`tecflow up` started as a shell starts a job: in a process group of its own."""

    def __init__(self, data_dir: Path, output: Path, *args: str) -> None:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"KAFKA_BOOTSTRAP_SERVERS", "TECFLOW_DATABASE_URL"}
            and not k.startswith("TECFLOW_GATEWAY_MQTT")
        }
        env |= {"TECFLOW_DATA_DIR": str(data_dir), "TECFLOW_GROUP_TIMEOUT_S": "6"}
        self.output = output
        self.started = time.monotonic()
        with output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.cli", "up", *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=0,
            )

    def text(self) -> str:
        return self.output.read_text()

    def running(self) -> bool:
        assert self.process.poll() is None, self.text()
        return True

    def wait_until_running(self, timeout_s: float = 170) -> list[int]:
        eventually(
            lambda: READY in self.output.read_bytes() or self.process.poll() is not None,
            timeout_s=timeout_s,
        )
        self.running()
        return children_of(self.process.pid)

    def ctrl_c(self) -> float:
        """SIGINT to the process group, as the terminal's Ctrl-C; seconds until exit."""
        started = time.monotonic()
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(30)
        return time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def query(db: Path, sql: str) -> Any:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchone()[0]


def test_a_simulated_day_through_every_part_then_ctrl_c_stops_everything(
    tmp_path: Path,
) -> None:
    db, status_file = tmp_path / "tecflow.db", tmp_path / "sim-status.json"
    up = Up(
        tmp_path,
        tmp_path / "first.out",
        "--simulate",
        "--people",
        "60",
        "--speed",
        "1440",
        "--incident-scale",
        "40",
        "--days",
        "1",
    )
    try:
        children = up.wait_until_running()
        assert len(children) >= 10, up.text()  # brokers, workers, gateway, telephony, sim
        # A console with live data (a summary line with events flowing) within three
        # minutes of start; demo accounts and every address printed.
        console = re.search(r"console +(http://\S+)", up.text())
        assert console, up.text()
        eventually(lambda: console_answers(console.group(1)), timeout_s=30)
        eventually(
            lambda: up.running() and re.search(r"[1-9][0-9.]* events/s", up.text()),
            timeout_s=max(1.0, 180 - (time.monotonic() - up.started)),
        )
        assert re.search(r"demo sign-in: demo-call-handler / \S+ \(call_handler\)", up.text())
        assert re.search(r"SCAIP over SIP +udp\+tcp 127.0.0.1:\d+", up.text())

        def status() -> dict[str, Any]:
            return json.loads(status_file.read_text()) if status_file.exists() else {}

        eventually(lambda: up.running() and status().get("finished"), timeout_s=150)
        sent = status()
        # Every device event sent is stored, once (ids are the devices' own).
        eventually(
            lambda: query(db, "select count(*) from device_events") >= sent["events"], timeout_s=60
        )
        assert query(db, "select count(*) from device_events") == sent["events"], sent
        assert query(db, "select count(*) from dead_letters") == 0
        problems = (
            "scaip_unanswered",
            "scaip_refused",
            "scaip_failed",
            "alexa_refused",
            "alexa_failed",
            "callers_not_updated",
        )
        assert not [p for p in problems if sent["sent"].get(p)], sent
        # Every protocol carried its part: zigbee2mqtt, SCAIP, Alexa (OwnTracks only
        # for residents with a tracker who go out).
        kinds = dict(
            sqlite3.connect(db)
            .execute("select kind, count(*) from device_events group by kind")
            .fetchall()
        )
        assert kinds["sensor"] and kinds["alarm"], kinds
        assert kinds.get("voice", 0) == sent["sent"].get("alexa", 0), (kinds, sent)
        # Alarms became alerts.
        alarms = sent["sent"].get("scaip_pendant", 0) + sent["sent"].get("scaip_fall", 0)
        assert alarms > 0, sent
        assert 0 < query(db, "select count(*) from alerts where kind = 'alarm'") <= alarms
        # The residents answered the service's calls; their answers raised a falls
        # flag and changed the unmet-need list.
        eventually(
            lambda: query(
                db,
                "select count(*) from calls where answered_by = 'human' and status = 'completed'",
            ),
            timeout_s=60,
        )
        eventually(lambda: query(db, "select count(*) from flags"), timeout_s=120)
        eventually(
            lambda: query(db, "select count(*) from unmet_need_history where changed_by != 'sim'"),
            timeout_s=120,
        )
        stop_s = up.ctrl_c()
    finally:
        up.kill()
    text = up.text()
    assert up.process.returncode == 0, text
    assert stop_s < 5, f"stopping took {stop_s:.1f} s"
    assert text.rstrip().endswith("stopped"), text
    assert "error" not in text.lower(), text
    assert not [pid for pid in children if alive(pid)], "processes left behind"

    # No personal data in any part's log (issue 20): not one cohort name, address or phone
    # number (also as its last ten digits, however it is formatted).
    logs = text + "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log"))
    personal = {
        value
        for row in sqlite3.connect(db).execute(
            "select display_name, address, phone from people "
            "union all select name, null, phone from contacts"
        )
        for value in row
        if value
    }
    digits = {re.sub(r"\D", "", v)[-10:] for v in personal if re.fullmatch(r"[+\d ()-]{7,}", v)}
    assert len(personal) > 60 and len(digits) > 30, (len(personal), len(digits))
    assert not [v for v in personal | digits if v in logs], "personal data in the logs"

    # Ports free and the store kept: the same data directory starts again.
    again = Up(tmp_path, tmp_path / "second.out", "--simulate", "--people", "60")
    try:
        again.wait_until_running()
        assert again.ctrl_c() < 5
    finally:
        again.kill()
    assert again.process.returncode == 0, again.text()
    assert "demo sign-in" not in again.text()  # printed once
