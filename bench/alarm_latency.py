"""Alarm published on device.alarms -> its alert row in the store (results in
bench/RESULTS.md, section "alarms").

The production shape on one broker: `tecflow worker` and the alarm fast lane
(`tecflow worker --lane alarms`) on one store. `--alarms` pendant alarms, each for a
person of its own, are published one every `--gap` seconds; a thread polls the store's
alerts table every 5 ms and stamps each alert row when it first appears. Twice: on an
idle platform, then while a producer thread keeps `--rate` sensor events a second
flowing on device.events (started 10 s before the first alarm, so the worker is loaded).

Run: .venv/bin/python -m bench.alarm_latency [--alarms 200] [--rate 2500] [--json F]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaProducer
from sqlalchemy import select

from contracts.codes import ScaipDeviceType, ScaipStatus
from contracts.devices import AlarmEvent, SensorCapability, SensorEvent, SensorPlacement
from contracts.topics import Topic
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.processes import free_port
from services.store.db import make_engine
from services.store.migrate import upgrade
from services.store.models import AlertRecord
from tests.support.workers import tecflow_process, worker_env


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


def telemetry(rate: float, bootstrap: str, stop: threading.Event, sent: list[int]) -> None:
    """Sensor events at `rate` a second (in 10 ms slices) until `stop`."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    per_slice = max(1, round(rate / 100))
    start = time.monotonic()
    n = 0
    while not stop.is_set():
        for _ in range(per_slice):
            who = f"LOAD{n % 2000:05d}"
            producer.send(
                str(Topic.DEVICE_EVENTS),
                key=who.encode(),
                value=SensorEvent(
                    person_id=who,
                    occurred_at=datetime.now(UTC),
                    source="bench",
                    device_id=f"{who} hall",
                    capability=SensorCapability.OCCUPANCY,
                    value=True,
                    placement=SensorPlacement.HALL,
                ).to_bytes(),
            )
            n += 1
        pause = start + n / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
    producer.flush()
    producer.close()
    sent.append(n)


def run_alarms(bootstrap: str, url: str, alarms: int, gap: float) -> list[float]:
    """Seconds from publishing each alarm to its alert row appearing in the store."""
    prefix = f"A{uuid.uuid4().hex[:6]}"
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    done = threading.Event()
    engine = make_engine(url)

    def poll() -> None:
        query = select(AlertRecord.person_id).where(AlertRecord.person_id.like(f"{prefix}%"))
        while not done.is_set():
            with engine.connect() as connection:
                rows = connection.execute(query).scalars().all()
            now = time.perf_counter()
            for who in rows:
                seen.setdefault(who, now)
            time.sleep(0.005)

    poller = threading.Thread(target=poll)
    poller.start()
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    try:
        for n in range(alarms):
            event = alarm(f"{prefix}{n:04d}", n)
            sent[event.person_id] = time.perf_counter()
            producer.send(str(Topic.DEVICE_ALARMS), key=event.key, value=event.to_bytes())
            producer.flush()
            time.sleep(gap)
        deadline = time.monotonic() + 60
        while not set(sent) <= set(seen) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        done.set()
        poller.join()
        producer.close()
        engine.dispose()
    return sorted(seen[w] - sent[w] for w in sent if w in seen)


def summary(values: list[float], expected: int) -> dict[str, float | int]:
    ms = [v * 1000 for v in values]
    if not ms:
        return {"alarms": expected, "seen": 0}
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {
        "alarms": expected,
        "seen": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(max(ms), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--alarms", type=int, default=200)
    parser.add_argument("--gap", type=float, default=0.1, help="seconds between alarms")
    parser.add_argument("--rate", type=float, default=2500.0, help="telemetry events/s")
    parser.add_argument("--url", default=None, help="store URL; default a fresh SQLite file")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as name, EmbeddedBroker() as broker:
        tmp = Path(name)
        url = args.url or f"sqlite:///{tmp / 'bench.db'}"
        upgrade(url)
        create_topics(broker.bootstrap_servers)
        env = worker_env(broker.bootstrap_servers, url, f"alarms-{uuid.uuid4().hex[:6]}")
        env["TECFLOW_LOG_LEVEL"] = "WARNING"
        lane_env = {**env, "TECFLOW_WORKER_WEB_PORT": str(free_port())}
        with ExitStack() as stack:
            stack.enter_context(tecflow_process("worker", env=env, log_path=tmp / "w.log"))
            stack.enter_context(
                tecflow_process(
                    "worker", "--lane", "alarms", env=lane_env, log_path=tmp / "lane.log"
                )
            )
            run_alarms(broker.bootstrap_servers, url, 3, 1.0)  # warm up: groups joined
            idle = run_alarms(broker.bootstrap_servers, url, args.alarms, args.gap)
            results["idle"] = summary(idle, args.alarms)
            print(f"idle: {results['idle']}", flush=True)
            stop = threading.Event()
            produced: list[int] = []
            loader = threading.Thread(
                target=telemetry, args=(args.rate, broker.bootstrap_servers, stop, produced)
            )
            started = time.monotonic()
            loader.start()
            time.sleep(10)
            try:
                loaded = run_alarms(broker.bootstrap_servers, url, args.alarms, args.gap)
            finally:
                stop.set()
                loader.join()
            elapsed = time.monotonic() - started
            results["loaded"] = {
                **summary(loaded, args.alarms),
                "telemetry_rate": round(produced[0] / elapsed),
            }
            print(f"under {args.rate:.0f} telemetry events/s: {results['loaded']}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
