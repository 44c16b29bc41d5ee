"""The Faust app, configured from settings, and the catalogue's topics bound to it.

Values travel as raw bytes and are parsed with the contracts' pydantic models inside
each agent, so a malformed message becomes a dead letter instead of crashing the agent."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import NoReturn, cast

import aiokafka
import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

from contracts.errors import TecflowError
from contracts.topics import CATALOGUE, Topic
from services.settings import Settings


class BrokerNotConfigured(TecflowError, RuntimeError):
    pass


@dataclass(frozen=True)
class Bus:
    app: faust.App
    topics: dict[Topic, faust.TopicT]

    def __getitem__(self, name: Topic) -> faust.TopicT:
        return self.topics[name]


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(
        self, transport: faust_aiokafka.Transport
    ) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # Faust fixes fetch_max_wait_ms at 1.5 s and has no setting for it. A broker
        # that holds an empty fetch for the whole wait (Tansu does, even when a record
        # arrives meanwhile) then makes an alarm on a quiet topic wait up to 1.5 s.
        # aiokafka reads the attribute when it starts its fetcher.
        consumer._fetch_max_wait_ms = cast(_Transport, transport).fetch_max_wait_ms
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(faust_aiokafka.Transport):
    """Faust's aiokafka transport with the consumer's fetch wait configurable."""

    Consumer = _Consumer

    def __init__(self, app: faust.App, fetch_max_wait_ms: int) -> None:
        super().__init__(app.conf.broker_consumer, app)
        self.fetch_max_wait_ms = fetch_max_wait_ms


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
        # The check compares the changelog offset a worker has read or written with the
        # broker's highwater when a rebalance hands it a table partition. It guards
        # RocksDB files left from an older topic; our tables live in memory, and on the
        # embedded broker the two can differ by an offset or two right after a flood
        # of writes: the check then crashed the worker mid-stream (it went idle with its
        # committed offsets frozen, issue 19). Reading on from the highwater is safe, as
        # every processor skips events at or below the offset it applied last.
        recovery_consistency_check=False,
        # Faust's default (0) sends each table change in a request of its own as soon as
        # the previous one is out: one socket write per event. A few milliseconds gather
        # a batch's changes into one request; an alert is delayed by at most this much.
        producer_linger=settings.producer_linger_ms / 1000,
        # Our topics come from the catalogue (`tecflow topics create`), not from Faust.
        topic_allow_declare=True,
    )
    app.transport = _Transport(app, settings.fetch_max_wait_ms)
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


class _Worker(faust.Worker):
    async def _sentinel_task(self) -> None:
        # mode waits a fixed second here, after every service has stopped, before it
        # closes the loop; a tenth lets closing transports finish, and `tecflow up`
        # must stop every part within five seconds on a loaded machine.
        await asyncio.sleep(0.1)


def run_worker(app: faust.App, loglevel: str) -> NoReturn:
    """Run a Faust worker until SIGINT/SIGTERM; it leaves its group cleanly on the way out."""
    _Worker(app, loglevel=loglevel).execute_from_commandline()
