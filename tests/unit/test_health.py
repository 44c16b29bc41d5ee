"""Readiness means something: /readyz answers 503 naming what is unreachable."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.metrics import health_checks, serve_metrics
from services.processes import free_port
from services.settings import Settings


def test_readyz_names_an_unreachable_broker_and_livez_still_answers(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings(
        data_dir=tmp_path,
        metrics_port=port,
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",  # nothing listens there
    )
    serve_metrics(settings, health_checks(settings))
    ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
    assert (ready.status_code, ready.text) == (503, "broker unreachable\n")
    assert httpx.get(f"http://127.0.0.1:{port}/livez", timeout=5).status_code == 200
    assert "tecflow_events_in_total" in httpx.get(f"http://127.0.0.1:{port}/metrics").text
