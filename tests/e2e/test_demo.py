"""`tecflow up` (what `make demo` runs): the platform on one machine, then Ctrl-C as a
terminal sends it (SIGINT to the whole process group) stops every part within 5 s, and
a second run on the same data directory starts cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


class Up:
    """`tecflow up` started as a shell starts a job: in a process group of its own."""

    def __init__(self, data_dir: Path, output: Path, *args: str) -> None:
        env = {k: v for k, v in os.environ.items()
               if k not in {"KAFKA_BOOTSTRAP_SERVERS", "TECFLOW_DATABASE_URL"}}
        env |= {"TECFLOW_DATA_DIR": str(data_dir), "TECFLOW_GROUP_TIMEOUT_S": "6"}
        self.output = output
        with output.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.cli", "up", *args],
                env=env, stdout=out, stderr=subprocess.STDOUT, process_group=0,
            )

    def text(self) -> str:
        return self.output.read_text()

    def wait_until_running(self, timeout_s: float = 170) -> list[int]:
        eventually(lambda: READY in self.output.read_bytes() or self.process.poll() is not None,
                   timeout_s=timeout_s)
        assert self.process.poll() is None, self.text()
        return children_of(self.process.pid)

    def ctrl_c(self) -> float:
        """SIGINT to the process group, as the terminal's Ctrl-C; seconds until exit."""
        started = time.monotonic()
        os.killpg(self.process.pid, signal.SIGINT)
        self.process.wait(30)
        return time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def test_up_runs_then_ctrl_c_stops_every_part_and_a_second_run_starts(tmp_path: Path) -> None:
    first = Up(tmp_path, tmp_path / "first.out", "--people", "2")
    try:
        children = first.wait_until_running()
        assert len(children) >= 8, first.text()  # the broker, two workers, gateway, ...
        stop_s = first.ctrl_c()
    finally:
        first.kill()
    text = first.text()
    assert first.process.returncode == 0, text
    assert stop_s < 5, f"stopping took {stop_s:.1f} s"
    assert text.rstrip().endswith("stopped"), text
    assert "error" not in text.lower(), text
    assert not [pid for pid in children if alive(pid)], "processes left behind"
    assert "the store holds 11 events and 1 dead letter(s)" in text
    assert "answered 'in crisis' on a check-in call" in text
    assert "P000001   falls_follow_up: Fall detector alarm at" in text
    assert "P000001   welfare_check        completed  feeling_ok=yes" in text
    assert "events/s |" in text  # the live summary line

    # Ports free and the store kept: the same data directory starts again.
    second = Up(tmp_path, tmp_path / "second.out", "--people", "2")
    try:
        second.wait_until_running()
        assert second.ctrl_c() < 5
    finally:
        second.kill()
    assert second.process.returncode == 0, second.text()
