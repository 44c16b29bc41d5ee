"""Real parts the tests need. In CI (CI=true) a missing part is a failure; on a
laptop the test is skipped with the reason."""

from __future__ import annotations

import os
import socket

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(available: bool, part: str) -> None:
    if available:
        return
    message = f"{part} is not available on this machine"
    if in_ci():
        pytest.fail(message + " (CI must have every part)")
    pytest.skip(message)


def port_open(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


def docker_engine_answers() -> bool:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if host.startswith("unix://") and not os.path.exists(host.removeprefix("unix://")):
        return False  # no engine here; asking the docker client would leak its socket
    try:
        import docker

        with docker.from_env(timeout=2) as client:
            client.ping()
    except Exception:
        return False
    return True
