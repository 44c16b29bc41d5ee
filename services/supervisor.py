"""Runs the platform's parts as child processes for `tecflow up`, and stops them all
cleanly: on Ctrl-C, on SIGTERM, or when any one of them dies."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from services.processes import die_with_parent

log = logging.getLogger(__name__)


@dataclass
class Supervisor:
    env: dict[str, str]
    log_dir: Path
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

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

    def dead(self) -> list[str]:
        return [name for name, child in self.children.items() if child.poll() is not None]

    def check(self) -> None:
        """Raise if any child has stopped: a platform with a dead part is not running."""
        if dead := self.dead():
            raise RuntimeError(
                f"stopped unexpectedly: {', '.join(dead)} (see {self.log_dir}/<name>.log)"
            )

    def wait_forever(self, poll_s: float = 0.5) -> None:
        """Block until a child dies (then raise) or the user interrupts."""
        while True:
            self.check()
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
