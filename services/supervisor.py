"""Runs the platform's parts as child processes for `tecflow up`: starts again, with
back-off, any part that stops (one failing part never stops the others), and stops them
all cleanly on Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from services.processes import die_with_parent

log = logging.getLogger(__name__)


@dataclass
class Supervisor:
    env: dict[str, str]
    log_dir: Path
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # How to start each part again, when it last started, its failures in a row, and
    # since when it has been down.
    specs: dict[str, tuple[tuple[str, ...], dict[str, str] | None]] = field(
        default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)
    down_since: dict[str, float] = field(default_factory=dict)

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        """Start `tecflow <args>` as a child whose output goes to log_dir/<name>.log;
        `env` adds to or overrides the supervisor's environment for this child."""
        log_file = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - child owns it
        command = [sys.executable, "-m", "services.cli", *args]
        self.children[name] = subprocess.Popen(  # noqa: S603 - our own module
            command,
            env={**os.environ, **self.env, **(env or {})},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        log.info("started %s (pid %s), log in %s", name, self.children[name].pid, log_file.name)
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
                log.error("%s stopped (exit %s); starting it again", name,
                          self.children[name].returncode)
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

    def wait_forever(
        self, poll_s: float = 0.5, watch: Callable[[], None] | None = None
    ) -> None:
        """Keep every part running (`watch` is called each round too) until the user
        interrupts."""
        while True:
            if watch is not None:
                watch()
            self.restart_dead()
            time.sleep(poll_s)

    def stop_all(self, timeout_s: float = 20.0) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + timeout_s
        for name, child in self.children.items():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in time; killing it", name)
                child.kill()
                child.wait()
        self.children.clear()
