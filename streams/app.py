"""The Faust app, configured from settings, and the catalogue's topics bound to it.

Values travel as raw bytes and are parsed with the contracts' pydantic models inside
each agent, so a malformed message becomes a dead letter instead of crashing the agent."""

from __future__ import annotations

from dataclasses import dataclass

import faust

from contracts.topics import CATALOGUE, Topic
from services.settings import Settings


class BrokerNotConfigured(RuntimeError):
    pass


@dataclass(frozen=True)
class Bus:
    app: faust.App
    topics: dict[Topic, faust.TopicT]

    def __getitem__(self, name: Topic) -> faust.TopicT:
        return self.topics[name]


def create_app(settings: Settings) -> Bus:
    if not settings.kafka_bootstrap_servers:
        raise BrokerNotConfigured(
            "KAFKA_BOOTSTRAP_SERVERS is not set: run `tecflow up`, or `tecflow broker` "
            "and export the address it prints"
        )
    timeout = settings.group_timeout_s
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{server}" for server in settings.kafka_bootstrap_servers.split(",")],
        # Tables are in memory and rebuilt from their compacted changelog topics on start.
        store="memory://",
        autodiscover=False,
        topic_replication_factor=settings.replication_factor,
        topic_partitions=settings.topic_partitions or 6,
        web_port=settings.worker_web_port,
        # Its pages show table contents (a person's last GPS fix): loopback only. web_host
        # is only the name it advertises; web_bind is where it listens.
        web_host="127.0.0.1",
        web_bind="127.0.0.1",
        broker_session_timeout=timeout,
        broker_rebalance_timeout=timeout,
        broker_heartbeat_interval=max(1.0, timeout / 5),
        broker_request_timeout=max(90.0, timeout * 3),
        consumer_auto_offset_reset="earliest",
        # Our topics come from the catalogue (`tecflow topics create`), not from Faust.
        topic_allow_declare=True,
    )
    topics = {
        name: app.topic(
            str(name),
            key_type=bytes,
            value_type=bytes,
            key_serializer="raw",
            value_serializer="raw",
            partitions=settings.topic_partitions or spec.partitions,
            retention=spec.retention_ms / 1000,
        )
        for name, spec in CATALOGUE.items()
    }
    return Bus(app=app, topics=topics)
