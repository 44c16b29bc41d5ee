"""Reproduces "the worker went idle with events unprocessed and its committed offset
stuck" (issue 19): a second worker joins the group in the middle of a flood and leaves.

One worker on a SQLite store with 10,000 people; `--events` sensor events (3 partitions);
8 s after the flood starts a second `tecflow worker` joins the same group for 16 s. The
group's committed offsets on device.events are printed every few seconds until they
reach the flood's size or stop moving for 40 s; then the events in the store.

Run: .venv/bin/python -m bench.worker_rebalance [--events 80000] [--logs DIR]
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from kafka import KafkaAdminClient

from bench.telemetry_bench import TOPIC, produce, seed_people
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.processes import free_port
from services.store.migrate import upgrade
from tests.support.workers import tecflow_process, worker_env


def committed(admin: KafkaAdminClient, group: str, started: float) -> int:
    offsets = admin.list_group_offsets({group: None}).get(group, {})
    per = sorted((tp.partition, m.offset) for tp, m in offsets.items() if tp.topic == TOPIC)
    total: int = sum(offset for _, offset in per if offset > 0)
    print(f"{time.monotonic() - started:6.1f} s: committed {total} {per}", flush=True)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=80_000)
    parser.add_argument("--logs", type=Path, default=Path(tempfile.mkdtemp()))
    args = parser.parse_args()
    args.logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as name, EmbeddedBroker() as broker:
        db = Path(name) / "bench.db"
        url = f"sqlite:///{db}"
        upgrade(url)
        seed_people(url, 10_000)
        create_topics(broker.bootstrap_servers, partitions=3)
        group = f"rebalance-{uuid.uuid4().hex[:6]}"
        env = worker_env(broker.bootstrap_servers, url, group)
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        with tecflow_process("worker", env=env, log_path=args.logs / "worker-1.log"):
            time.sleep(20)
            started = time.monotonic()
            produce(broker.bootstrap_servers, args.events, 10_000)
            time.sleep(6)
            second = {**env, "TECFLOW_WORKER_WEB_PORT": str(free_port())}
            with tecflow_process("worker", env=second, log_path=args.logs / "worker-2.log"):
                for _ in range(8):
                    time.sleep(2)
                    committed(admin, group, started)
            last, moved = -1, time.monotonic()
            while time.monotonic() - moved < 40:
                time.sleep(3)
                done = committed(admin, group, started)
                if done != last:
                    last, moved = done, time.monotonic()
                if done >= args.events:
                    break
        stored = sqlite3.connect(db).execute("SELECT count(*) FROM device_events").fetchone()
        print(f"stored {stored[0]} of {args.events}; worker logs in {args.logs}")


if __name__ == "__main__":
    main()
