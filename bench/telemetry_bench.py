"""Sensor telemetry through one worker, next to its two references on the same broker and
the same events (results in bench/RESULTS.md, section "telemetry").

One embedded Tansu broker; `--events` sensor events shaped as device.events expects,
keyed by person over `--people` registered people, are on the topic before anything
reads it. Then, one after another (never together, so each has the CPUs):

- ceiling: a raw aiokafka consumer doing only json.loads on each value;
- floor: a naive Faust agent (`async for` over the stream, json.loads) on the same app
  configuration as the worker (bench/naive_agent.py);
- `tecflow worker` on a SQLite (or `--url`) store: parse, every processor, sinks, store.

Each reads the topic from the start in a consumer group of its own. The Faust ones are
timed from their group's committed offsets (sampled every 0.2 s): from the first commit
to the last, so group joining and table recovery are left out, as they are for the raw
consumer (timed from its first record). The worker is bounded by `--worker-seconds`;
if it stops making progress with events left, that is reported as a stall.

Run: .venv/bin/python -m bench.telemetry_bench [--events 200000] [--people 10000] [--json F]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from kafka import KafkaAdminClient, KafkaProducer
from sqlalchemy import insert

from contracts.devices import SensorCapability, SensorEvent, SensorPlacement
from contracts.topics import Topic
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.processes import die_with_parent
from services.store.db import make_engine
from services.store.migrate import upgrade
from services.store.models import Person
from tests.support.workers import tecflow_process, worker_env

TOPIC = str(Topic.DEVICE_EVENTS)
NOW = datetime.now(UTC)

# A mix like a home's: motion in each room, doors, and the device-health readings.
READINGS = [
    *[
        (SensorCapability.OCCUPANCY, True, p)
        for p in (
            SensorPlacement.HALL,
            SensorPlacement.KITCHEN,
            SensorPlacement.BEDROOM,
            SensorPlacement.BATHROOM,
            SensorPlacement.LIVING_ROOM,
        )
    ]
    * 3,
    (SensorCapability.CONTACT, False, SensorPlacement.FRONT_DOOR),
    (SensorCapability.CONTACT, True, SensorPlacement.FRONT_DOOR),
    (SensorCapability.BATTERY, 87.0, None),
    (SensorCapability.AVAILABILITY, True, None),
]


@dataclass
class Figure:
    events: int
    seconds: float
    rate: float
    note: str = ""


def person(n: int) -> str:
    return f"T{n:06d}"


def seed_people(url: str, people: int) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            insert(Person),
            [
                {
                    "id": person(n),
                    "display_name": "Bench Person",
                    "timezone": "Europe/London",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for n in range(people)
            ],
        )
    engine.dispose()


def produce(bootstrap: str, events: int, people: int) -> None:
    rng = random.Random(19)
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=20, batch_size=512 * 1024, acks=1
    )
    for _ in range(events):
        who = person(rng.randrange(people))
        capability, value, placement = rng.choice(READINGS)
        event = SensorEvent(
            person_id=who,
            occurred_at=datetime.now(UTC),
            source="bench",
            device_id=f"{who} {capability}",
            capability=capability,
            value=value,
            placement=placement,
        )
        producer.send(TOPIC, key=who.encode(), value=event.to_bytes())
    producer.flush()
    producer.close()


async def ceiling(bootstrap: str, events: int, limit_s: float) -> Figure:
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap,
        group_id=f"ceiling-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen, first = 0, 0.0
    deadline = time.monotonic() + limit_s
    try:
        while seen < events and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            for records in batches.values():
                if not first:
                    first = time.perf_counter()
                for record in records:
                    json.loads(record.value)
                seen += len(records)
        elapsed = time.perf_counter() - first
    finally:
        await consumer.stop()
    return Figure(seen, elapsed, seen / elapsed)


def committed(admin: KafkaAdminClient, group: str) -> int:
    offsets = admin.list_group_offsets({group: None}).get(group, {})
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == TOPIC and meta.offset > 0)


def watch(
    process: subprocess.Popen[bytes],
    admin: KafkaAdminClient,
    group: str,
    events: int,
    limit_s: float,
    stall_s: float = 30.0,
    profile: Path | None = None,
) -> tuple[Figure, int]:
    """Follow a group's committed offsets until all events are committed, the time
    limit passes, or nothing moves for `stall_s`; returns the figure and the peak RSS.
    With `profile`, py-spy samples the process from its first commit on."""
    spy: subprocess.Popen[bytes] | None = None
    start: tuple[float, int] | None = None
    last = (time.perf_counter(), 0)
    moved = time.monotonic()
    deadline = time.monotonic() + limit_s + 60  # the limit counts from the first commit
    note = ""
    peak_kb = 0
    while True:
        time.sleep(0.2)
        peak_kb = max(peak_kb, rss_kb(process.pid))
        if process.poll() is not None:
            note = f"process exited ({process.returncode})"
            break
        done = committed(admin, group)
        now = time.perf_counter()
        if done > last[1]:
            moved = time.monotonic()
            last = (now, done)
            if start is None:
                start = last
                deadline = time.monotonic() + limit_s
                if profile is not None:
                    spy = subprocess.Popen(
                        [
                            str(Path(sys.executable).with_name("py-spy")),
                            "record",
                            "-p",
                            str(process.pid),
                            "-r",
                            "50",
                            "-d",
                            str(int(limit_s)),
                            "-f",
                            "raw",
                            "-o",
                            str(profile),
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
        if done >= events:
            break
        if start is not None and time.monotonic() - moved > stall_s:
            note = f"stalled: committed {done} of {events}, no progress for {stall_s:.0f} s"
            break
        if time.monotonic() > deadline:
            note = f"time limit: {done} of {events} committed"
            break
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes what it has on SIGINT
        spy.wait(60)
    if start is None or last[0] <= start[0]:
        return Figure(last[1], 0.0, 0.0, note or "no progress"), peak_kb
    seconds = last[0] - start[0]
    return Figure(last[1] - start[1], seconds, (last[1] - start[1]) / seconds, note), peak_kb


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def floor(bootstrap: str, url: str, events: int, limit_s: float, tmp: Path) -> Figure:
    app_id = f"naive-{uuid.uuid4().hex[:6]}"
    env = worker_env(bootstrap, url, app_id)
    log = open(tmp / "naive.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("naive_agent.py")), "worker", "-l", "warn"],
        env={**__import__("os").environ, **env, "PYTHONPATH": str(Path.cwd())},
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent,
    )
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        figure, _ = watch(process, admin, app_id, events, limit_s)
    finally:
        process.terminate()
        process.wait(30)
        log.close()
        admin.close()
    return figure


def worker(
    bootstrap: str, url: str, events: int, limit_s: float, tmp: Path, profile: Path | None
) -> tuple[Figure, int]:
    app_id = f"worker-{uuid.uuid4().hex[:6]}"
    env = {**worker_env(bootstrap, url, app_id), "TECFLOW_LOG_LEVEL": "WARNING"}
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        with tecflow_process("worker", env=env, log_path=tmp / "worker.log") as process:
            return watch(process, admin, app_id, events, limit_s, profile=profile)
    finally:
        admin.close()


def summarise(collapsed: Path, top: int = 15) -> list[str]:
    """The functions most often on the stack (inclusive) and at its top (self), as
    shares of the samples, from py-spy's collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        frames = [re.sub(r" \(.*/(site-packages|perf)/", " (", f) for f in stack.split(";")]
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    lines = [f"{total} samples; inclusive:"]
    lines += [f"  {100 * n / total:5.1f}% {f}" for f, n in inclusive.most_common(top)]
    lines += ["self:"]
    lines += [f"  {100 * n / total:5.1f}% {f}" for f, n in own.most_common(top)]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--url", default=None, help="store URL; default a fresh SQLite file")
    parser.add_argument("--worker-seconds", type=float, default=120.0)
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="py-spy the worker: collapsed stacks here, top entries printed",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    results: dict[str, object] = {"events": args.events, "people": args.people}
    with tempfile.TemporaryDirectory() as name, EmbeddedBroker() as broker:
        tmp = Path(name)
        url = args.url or f"sqlite:///{tmp / 'bench.db'}"
        upgrade(url)
        seed_people(url, args.people)
        create_topics(broker.bootstrap_servers)
        started = time.perf_counter()
        produce(broker.bootstrap_servers, args.events, args.people)
        print(
            f"{args.events:,} events on {TOPIC} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        top = asyncio.run(ceiling(broker.bootstrap_servers, args.events, 120))
        print(f"ceiling (raw aiokafka + json.loads): {top.rate:,.0f} events/s", flush=True)
        bottom = floor(broker.bootstrap_servers, url, args.events, 120, tmp)
        print(f"floor (naive Faust agent): {bottom.rate:,.0f} events/s {bottom.note}", flush=True)
        figure, peak_kb = worker(
            broker.bootstrap_servers, url, args.events, args.worker_seconds, tmp, args.profile
        )
        print(
            f"tecflow worker: {figure.rate:,.0f} events/s over {figure.events:,} events "
            f"in {figure.seconds:.1f} s {figure.note}; peak RSS {peak_kb / 1024:.0f} MB",
            flush=True,
        )
        if bottom.rate and top.rate:
            print(
                f"worker / floor {figure.rate / bottom.rate:.2f}x, "
                f"worker / ceiling {100 * figure.rate / top.rate:.1f}%"
            )
        for name, figure_ in (("naive", bottom), ("worker", figure)):
            if figure_.note:
                print((tmp / f"{name}.log").read_text()[-3000:])
        if args.profile and args.profile.exists():
            profile = summarise(args.profile)
            results["profile"] = profile
            print("\n".join(profile))
    results.update(
        ceiling=asdict(top),
        floor=asdict(bottom),
        worker=asdict(figure),
        worker_peak_rss_mb=peak_kb / 1024,
        store="sqlite" if not args.url else args.url.split(":")[0],
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
