"""Issue 20: the Kubernetes manifests are valid against Kubernetes' own schemas (bundled
with kubernetes-validate: no network), and the Strimzi topics are the catalogue's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from contracts.topics import CATALOGUE
from services.k8s_topics import render

K8S = Path(__file__).parents[3] / "deploy" / "k8s"
KUBERNETES = "1.31.0"


def documents(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((K8S / name).read_text()) if doc]


@pytest.mark.parametrize(
    "doc", documents("tecflow.yaml"), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}"
)
def test_each_tecflow_resource_is_valid_against_the_kubernetes_schema(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_an_invalid_resource_is_caught() -> None:
    """The check above can fail: a probe's port given as a list is refused."""
    doc = documents("tecflow.yaml")[1]
    doc["spec"]["template"]["spec"]["containers"][0]["ports"] = "9100"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_the_topic_file_is_made_from_the_catalogue() -> None:
    assert (K8S / "kafka-topics.yaml").read_text() == render()


def test_topic_settings_equal_the_catalogue() -> None:
    topics = {d["spec"]["topicName"]: d["spec"] for d in documents("kafka-topics.yaml")}
    assert set(topics) == {str(name) for name in CATALOGUE}
    for name, spec in CATALOGUE.items():
        topic = topics[str(name)]
        assert topic["partitions"] == spec.partitions
        assert topic["replicas"] == 3
        assert topic["config"]["min.insync.replicas"] == 2
        assert int(topic["config"]["retention.ms"]) == spec.retention_ms


def test_the_cluster_is_kraft_with_three_nodes_and_no_topic_auto_creation() -> None:
    by_kind = {d["kind"]: d for d in documents("kafka.yaml")}
    assert by_kind["Kafka"]["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    assert by_kind["KafkaNodePool"]["spec"]["replicas"] == 3
    assert set(by_kind["KafkaNodePool"]["spec"]["roles"]) == {"controller", "broker"}
    assert by_kind["Kafka"]["spec"]["kafka"]["config"]["auto.create.topics.enable"] is False


def test_workers_scale_to_the_partition_count_and_the_scheduler_is_single() -> None:
    docs = {(d["kind"], d["metadata"]["name"]): d for d in documents("tecflow.yaml")}
    device_partitions = min(s.partitions for s in CATALOGUE.values() if s.name.startswith("device"))
    assert docs["HorizontalPodAutoscaler", "worker"]["spec"]["maxReplicas"] == device_partitions
    scheduler = docs["Deployment", "scheduler"]["spec"]
    assert (scheduler["replicas"], scheduler["strategy"]["type"]) == (1, "Recreate")
    for (kind, name), doc in docs.items():
        if kind != "Deployment":
            continue
        container = doc["spec"]["template"]["spec"]["containers"][0]
        assert "livenessProbe" in container and container["resources"]["requests"], name
        if doc["spec"]["replicas"] > 1:
            assert ("PodDisruptionBudget", name) in docs, name
