"""Topic administration with kafka-python's admin client."""

from __future__ import annotations

import logging
import socket
import time

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from contracts.topics import CATALOGUE, TopicSpec

log = logging.getLogger(__name__)


def _accepts_connections(bootstrap_servers: str) -> bool:
    """A cheap TCP probe first, so kafka-python does not log a refused connection as an
    error each time a starting broker is polled."""
    host, _, port = bootstrap_servers.split(",")[0].rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError:
        return False
    return True


def wait_until_ready(bootstrap_servers: str, timeout_s: float = 30.0) -> None:
    """Return once the broker answers a metadata request; TimeoutError otherwise."""
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not _accepts_connections(bootstrap_servers):
            time.sleep(0.1)
            continue
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=bootstrap_servers,
                request_timeout_ms=max(1000, int(timeout_s * 1000)),
                client_id="tecflow-probe",
            )
        except KafkaError as error:
            last_error = error
            time.sleep(0.2)
            continue
        try:
            admin.list_topics()
            return
        except KafkaError as error:
            last_error = error
        finally:
            admin.close()
    raise TimeoutError(f"broker {bootstrap_servers} not answering: {last_error}")


def create_topics(
    bootstrap_servers: str,
    specs: list[TopicSpec] | None = None,
    partitions: int | None = None,
    replication_factor: int = 1,
) -> list[str]:
    """Create the catalogue's topics that do not exist yet; returns the ones created."""
    specs = specs if specs is not None else list(CATALOGUE.values())
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="tecflow-admin")
    try:
        existing = set(admin.list_topics())
        wanted = [
            NewTopic(
                name=str(spec.name),
                num_partitions=partitions or spec.partitions,
                replication_factor=replication_factor,
                topic_configs=spec.topic_configs,
            )
            for spec in specs
            if str(spec.name) not in existing
        ]
        if wanted:
            try:
                admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                log.info("topics created concurrently by another process")
        return [topic.name for topic in wanted]
    finally:
        admin.close()


def partition_count(spec: TopicSpec, override: int | None) -> int:
    return override or spec.partitions
