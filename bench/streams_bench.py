"""Stream processor benchmarks (results in bench/RESULTS.md, section "streams").

1. Pure processors: events a second through every processor in memory (the synthetic
   weeks of routines), and timed checks a second.
2. Alarms first: a real broker and worker; device.events flooded with sensor telemetry
   while pendant alarms go to device.alarms; the time from publishing each alarm to its
   alert on the alerts topic, against the same alarms with no flood.

Run: .venv/bin/python bench/streams_bench.py [--flood 20000] [--alarms 10]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from contracts.care import Alert
from contracts.codes import ScaipDeviceType, ScaipStatus
from contracts.devices import AlarmEvent, SensorCapability, SensorEvent, SensorPlacement
from contracts.topics import Topic
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.processes import free_port
from services.sim.routines import synthetic_week
from services.store.migrate import upgrade
from streams.processors.context import NO_CONTEXT
from streams.processors.replay import Replay
from tests.support.workers import tecflow_process, worker_env


def pure(weeks: int) -> tuple[float, float, int]:
    events = [
        e
        for n in range(weeks)
        for e in synthetic_week(date(2026, 3, 29) + timedelta(weeks=4 * n)).events
    ]
    replay = Replay(lambda _who, _at: NO_CONTEXT)
    start = time.perf_counter()
    for event in events:
        replay.event(event)
    per_event = (time.perf_counter() - start) / len(events)
    now = events[-1].occurred_at
    start = time.perf_counter()
    ticks = 200
    for n in range(ticks):
        replay.finish(now + timedelta(minutes=n + 1))  # one check each
    per_check = (time.perf_counter() - start) / (ticks * len(replay.states))
    return 1 / per_event, 1 / per_check, len(events)


def alarm(who: str, ref: int) -> AlarmEvent:
    return AlarmEvent(
        person_id=who,
        occurred_at=datetime.now(UTC),
        source="bench",
        reference=str(ref),
        controller_id="1000",
        device_type=ScaipDeviceType.PERSONAL_TRIGGER,
        status_code=ScaipStatus.MANUAL_ALARM,
    )


def telemetry(n: int) -> bytes:
    return SensorEvent(
        person_id=f"FLOOD{n % 500}",
        occurred_at=datetime.now(UTC),
        source="bench",
        device_id=f"flood {n}",
        capability=SensorCapability.OCCUPANCY,
        value=True,
        placement=SensorPlacement.HALL,
    ).to_bytes()


def latencies(bootstrap: str, alarms: int, flood: int) -> list[float]:
    """Publish `alarms` pendant alarms (with `flood` telemetry events racing them) and time
    each one's alert arriving on the alerts topic, read by a thread started first."""
    sent: dict[uuid.UUID, float] = {}
    seen: dict[uuid.UUID, float] = {}
    consumer = KafkaConsumer(
        str(Topic.ALERTS),
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest",
        fetch_max_wait_ms=50,
    )
    consumer.poll(timeout_ms=1000)  # joined before the alarms go out
    done = threading.Event()

    def read_alerts() -> None:
        while not done.is_set():
            for records in consumer.poll(timeout_ms=50).values():
                arrived = time.perf_counter()
                for record in records:
                    for cause in Alert.model_validate_json(record.value).caused_by:
                        seen.setdefault(cause, arrived)

    reader = threading.Thread(target=read_alerts)
    reader.start()
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    if flood:
        for n in range(flood):
            producer.send(
                str(Topic.DEVICE_EVENTS), key=f"FLOOD{n % 500}".encode(), value=telemetry(n)
            )
        producer.flush()  # the backlog is on the broker before the first alarm
    for n in range(alarms):
        event = alarm(f"BENCH{uuid.uuid4().hex[:8]}", n)
        sent[event.event_id] = time.perf_counter()
        producer.send(str(Topic.DEVICE_ALARMS), key=event.key, value=event.to_bytes())
        producer.flush()
        time.sleep(0.5)
    deadline = time.monotonic() + 120
    while not set(sent) <= set(seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    done.set()
    reader.join()
    consumer.close()
    producer.close()
    return sorted(seen[i] - sent[i] for i in sent if i in seen)


def broker_bench(alarms: int, flood: int, alarm_lane: bool) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        create_topics(broker.bootstrap_servers, partitions=3)
        env = worker_env(broker.bootstrap_servers, url, f"bench-{uuid.uuid4().hex[:6]}")
        lane_env = {**env, "TECFLOW_WORKER_WEB_PORT": str(free_port())}
        with ExitStack() as stack:
            stack.enter_context(
                tecflow_process("worker", env=env, log_path=Path(tmp) / "worker.log")
            )
            if alarm_lane:
                stack.enter_context(
                    tecflow_process(
                        "worker", "--lane", "alarms", env=lane_env, log_path=Path(tmp) / "lane.log"
                    )
                )
            latencies(broker.bootstrap_servers, 1, 0)  # warm up: worker assigned, tables ready
            results["no flood"] = latencies(broker.bootstrap_servers, alarms, 0)
            results[f"{flood} telemetry events flooding"] = latencies(
                broker.bootstrap_servers, alarms, flood
            )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weeks", type=int, default=2)
    parser.add_argument("--alarms", type=int, default=10)
    parser.add_argument("--flood", type=int, default=20_000)
    parser.add_argument(
        "--alarm-lane",
        action="store_true",
        help="also run the alarm fast lane (`tecflow worker --lane alarms`)",
    )
    args = parser.parse_args()
    events_s, checks_s, n = pure(args.weeks)
    print(
        f"pure processors: {events_s:,.0f} events/s over {n} events; "
        f"timed checks: {checks_s:,.0f} person-checks/s"
    )
    for label, values in broker_bench(args.alarms, args.flood, args.alarm_lane).items():
        if not values:
            print(f"{label}: no alerts seen")
            continue
        print(
            f"alarm -> alert, {label}: median {statistics.median(values) * 1000:.0f} ms, "
            f"max {max(values) * 1000:.0f} ms ({len(values)} alarms)"
        )


if __name__ == "__main__":
    main()
