"""Start and stop `tecflow` processes as a test's real peers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.processes import die_with_parent, free_port


@contextmanager
def tecflow_process(
    *args: str, env: dict[str, str], log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `tecflow <args>`; on exit stop it with SIGTERM (SIGKILL if it hangs)."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", *args],
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def worker_env(bootstrap: str, database_url: str, app_id: str) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "TECFLOW_DATABASE_URL": database_url,
        "TECFLOW_APP_ID": app_id,
        "TECFLOW_WORKER_WEB_PORT": str(free_port()),
        "TECFLOW_GROUP_TIMEOUT_S": "6",
    }


def listening_on(port: int) -> set[str]:
    """The addresses something listens on at TCP `port` (Linux /proc/net/tcp{,6})."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port and len(address) == width:
                if width == 8:
                    found.add(".".join(str(b) for b in reversed(bytes.fromhex(address))))
                else:  # any IPv6 listener is named by its raw form: never what we want
                    found.add(f"ipv6 {address}")
    return found
