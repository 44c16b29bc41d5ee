"""Issue 20: compose's Prometheus scrapes every tecflow part, each part serves metrics,
and the provisioned dashboard asks only for metrics tecflow exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from prometheus_client import REGISTRY

import services.metrics  # noqa: F401 - registers tecflow's metrics

DEPLOY = Path(__file__).parents[3] / "deploy"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return loaded


def tecflow_parts() -> set[str]:
    return {
        name
        for name, service in compose()["services"].items()
        if service.get("command", [None])[0] == "tecflow" and name != "migrate"
    }


def test_prometheus_scrapes_every_tecflow_part_where_it_serves_metrics() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    targets = {
        t for job in config["scrape_configs"] for c in job["static_configs"] for t in c["targets"]
    }
    services = compose()["services"]
    for name in tecflow_parts():
        env = services[name]["environment"]
        assert env["TECFLOW_METRICS_HOST"] == "0.0.0.0", name
        assert f"{name}:{env['TECFLOW_METRICS_PORT']}" in targets, name
    assert {t.split(":")[0] for t in targets} == tecflow_parts()


def test_the_dashboard_asks_only_for_exported_metrics() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "tecflow.json").read_text())
    exported = {
        sample_name
        for family in REGISTRY.collect()
        for sample_name in (family.name, f"{family.name}_total")
    }
    asked = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"\btecflow_\w+", target["expr"])
    }
    assert asked and asked <= exported, asked - exported
