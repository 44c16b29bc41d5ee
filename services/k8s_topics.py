"""The Strimzi KafkaTopic resources of deploy/k8s/kafka-topics.yaml, made from the
contracts' topic catalogue: `python -m services.k8s_topics > deploy/k8s/kafka-topics.yaml`
after a change to the catalogue (a test fails until the file is made again)."""

from __future__ import annotations

import sys
from typing import Any

import yaml

from contracts.topics import CATALOGUE

CLUSTER = "tecflow"
# Three copies, and a write is acknowledged once two have it: one broker can be lost
# (or restarted for an upgrade) without losing an alarm or refusing one.
REPLICAS = 3
MIN_INSYNC_REPLICAS = 2


def kafka_topics() -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": {
                "name": spec.name.replace(".", "-"),
                "labels": {"strimzi.io/cluster": CLUSTER},
            },
            "spec": {
                "topicName": str(spec.name),
                "partitions": spec.partitions,
                "replicas": REPLICAS,
                "config": {**spec.topic_configs, "min.insync.replicas": MIN_INSYNC_REPLICAS},
            },
        }
        for spec in CATALOGUE.values()
    ]


def render() -> str:
    header = "# Made by `python -m services.k8s_topics` from contracts/topics.py: do not edit.\n"
    return header + yaml.safe_dump_all(kafka_topics(), sort_keys=False)


if __name__ == "__main__":
    sys.stdout.write(render())
