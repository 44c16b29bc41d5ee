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
