"""Runs the platform's parts as child processes for `tecflow up`: starts again, with
back-off, any part that stops (one failing part never stops the others), and stops them
all cleanly on Ctrl-C or SIGTERM.

Each child runs in a process group of its own, so the terminal's Ctrl-C reaches only
`tecflow up`, which then stops the parts itself: all at once with SIGTERM, before the
broker they depend on (a part that loses its broker mid-stop fails instead of stopping)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from services.processes import die_with_parent, port_open

log = logging.getLogger(__name__)

# Every part stops within this on SIGTERM; one that does not is killed and reported.
STOP_TIMEOUT_S = 3.5


@dataclass
class Supervisor:
    env: dict[str, str]
    log_dir: Path
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    # How to start each part again, when it last started, its failures in a row, and
    # since when it has been down.
    specs: dict[str, tuple[tuple[str, ...], dict[str, str] | None]] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    down_since: dict[str, float] = field(default_factory=dict)

    def start(
        self, name: str, *args: str, env: dict[str, str] | None = None, port: int | None = None
    ) -> None:
        """Start `tecflow <args>` as a child whose output goes to log_dir/<name>.log;
        `env` adds to or overrides the supervisor's environment for this child; `port`
        is where it listens once ready (see `wait_ready`)."""
        command = [sys.executable, "-m", "services.cli", *args]
        # The child writes to its own copy of the descriptor; ours is closed at once.
        with open(self.log_dir / f"{name}.log", "ab") as log_file:
            self.children[name] = subprocess.Popen(  # noqa: S603 - our own module
                command,
                env={**os.environ, **self.env, **(env or {})},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
                process_group=0,
            )
        if port is not None:
            self.ports[name] = port
        log.debug("started %s (pid %s), log in %s", name, self.children[name].pid, log_file.name)
        self.specs[name] = (args, env)
        self.started[name] = time.monotonic()
        self.down_since.pop(name, None)

    def dead(self) -> list[str]:
        return [name for name, child in self.children.items() if child.poll() is not None]

    def check(self) -> None:
        """Raise if any child has stopped: a platform with a dead part is not running."""
        if dead := self.dead():
            raise RuntimeError(
                f"stopped unexpectedly: {', '.join(dead)} (see {self.log_dir}/<name>.log)"
            )

    def wait_ready(
        self,
        timeout_s: float = 120.0,
        progress: Callable[[str, float], None] = lambda _name, _s: None,
    ) -> None:
        """Wait until every child with a port accepts connections; `progress` is told
        each part's name and seconds since the call as it becomes ready."""
        started = time.monotonic()
        waiting = dict(self.ports)
        while waiting:
            self.check()
            for name, port in list(waiting.items()):
                if port_open("127.0.0.1", port, timeout_s=0.2):
                    del waiting[name]
                    progress(name, time.monotonic() - started)
            if time.monotonic() - started > timeout_s:
                raise RuntimeError(
                    f"not ready in {timeout_s:.0f} s: {', '.join(waiting)} "
                    f"(see {self.log_dir}/<name>.log)"
                )
            time.sleep(0.2)

    def restart_dead(self, first_s: float = 1.0, max_s: float = 30.0) -> list[str]:
        """Start again each part that has stopped, once its back-off has passed: from
        `first_s`, doubling with each failure in a row up to `max_s`; a part that ran a
        minute starts its count over. Returns the parts started."""
        now = time.monotonic()
        restarted = []
        for name in self.dead():
            if name not in self.down_since:
                ran_s = now - self.started.get(name, now)
                self.failures[name] = 0 if ran_s > 60 else self.failures.get(name, 0) + 1
                self.down_since[name] = now
                log.error(
                    "%s stopped (exit %s); starting it again", name, self.children[name].returncode
                )
            delay = min(max_s, first_s * 2 ** max(0, self.failures[name] - 1))
            if now - self.down_since[name] >= delay:
                args, env = self.specs[name]
                self.start(name, *args, env=env)
                restarted.append(name)
        return restarted

    def restart(self, names: list[str]) -> None:
        """Stop and start these parts again, in this order (after the broker lost its
        state, for example: a worker would otherwise wait on changelogs that are gone)."""
        for name in names:
            child = self.children[name]
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(20)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            args, env = self.specs[name]
            self.start(name, *args, env=env)

    def stop_all(self, timeout_s: float = STOP_TIMEOUT_S) -> list[str]:
        """SIGTERM every child at once and wait; kill those still running after
        `timeout_s`. Returns the names of the parts that had to be killed."""
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + timeout_s
        killed = []
        for name, child in self.children.items():
            try:
                child.wait(max(0.05, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.1f s; killing it", name, timeout_s)
                child.kill()
                child.wait()
                killed.append(name)
        self.children.clear()
        self.ports.clear()
        return killed
