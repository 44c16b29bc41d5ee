"""The supervisor of `tecflow up` starts a part again when it dies, with back-off, and
leaves the other parts alone (issue 18: nothing restarted a failed part)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from services.processes import free_port, port_open
from services.supervisor import Supervisor
from tests.support.waiting import eventually

pytestmark = pytest.mark.slow


def test_a_killed_part_is_started_again_with_back_off(tmp_path: Path) -> None:
    supervisor = Supervisor(env={}, log_dir=tmp_path)
    ports = {"a": free_port(), "b": free_port()}
    try:
        for name, port in ports.items():
            supervisor.start(name, "broker", "--port", str(port))
        eventually(lambda: all(port_open("127.0.0.1", p) for p in ports.values()), 30)
        first = supervisor.children["a"].pid
        for wait_s in (1.0, 2.0):  # the second death in a row waits twice as long
            supervisor.children["a"].kill()
            supervisor.children["a"].wait()
            died = time.monotonic()
            assert supervisor.restart_dead(first_s=1.0) == []  # its back-off first
            eventually(lambda: supervisor.restart_dead(first_s=1.0) == ["a"], 30, 0.05)
            assert time.monotonic() - died >= wait_s
            eventually(lambda: port_open("127.0.0.1", ports["a"]), 30)
        assert supervisor.children["a"].pid != first
        assert supervisor.children["b"].poll() is None  # the other part untouched
    finally:
        supervisor.stop_all()
