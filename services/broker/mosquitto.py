"""Mosquitto as a child process, for `tecflow up` when no MQTT broker is configured:
the Debian package (`make` installs it), on a free port of the loopback interface,
anonymous and in memory (the devices it serves are simulated or on this machine)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from pathlib import Path
from types import TracebackType

from services.processes import die_with_parent, free_port, port_open

log = logging.getLogger(__name__)

# Debian installs the broker in /usr/sbin, which is not on every user's PATH.
SEARCHED = ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto")


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or next(
        (path for path in SEARCHED if Path(path).is_file()), None
    )


class Mosquitto:
    """`with Mosquitto(work_dir) as broker: broker.port`"""

    def __init__(self, work_dir: Path, port: int | None = None) -> None:
        self.work_dir = work_dir
        self.port = port or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 10.0) -> Mosquitto:
        binary = mosquitto_binary()
        if binary is None:
            raise RuntimeError(
                "mosquitto is not installed (Debian package `mosquitto`; `make demo` installs it)"
            )
        config = self.work_dir / "mosquitto.conf"
        config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        )
        output = open(self.work_dir / "mosquitto.log", "ab")  # noqa: SIM115 - child owns it
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [binary, "-c", str(config)],
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
            process_group=0,
        )
        deadline = time.monotonic() + timeout_s
        while self._process.poll() is None and time.monotonic() < deadline:
            if port_open("127.0.0.1", self.port, timeout_s=0.2):
                log.info("mosquitto on 127.0.0.1:%s (pid %s)", self.port, self._process.pid)
                return self
            time.sleep(0.05)
        code = self._process.poll()
        self.stop()
        raise RuntimeError(
            f"mosquitto did not start on 127.0.0.1:{self.port} ({code=}; "
            f"see {self.work_dir}/mosquitto.log)"
        )

    def stop(self, timeout_s: float = 3.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
