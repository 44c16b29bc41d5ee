"""Does the dialer hold its configured rate? The real dialer, IVR and Twilio simulator
processes on the embedded broker and a SQLite store: enough call requests for the whole
run are published at once, and the simulator records when each Calls.json request came
in. The achieved rate is measured over the first `rate * seconds` intervals.

    .venv/bin/python bench/telephony_dialer_rate.py --rate 5 --seconds 120
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from contracts.calls import CallRequested
from contracts.codes import ScriptName
from contracts.topics import Topic
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.broker.publisher import EventPublisher
from services.processes import free_port
from services.sim.telephony import local_telephony_env
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade
from services.store.models import Person
from services.supervisor import Supervisor


def seed(url: str, count: int) -> list[str]:
    factory = make_session_factory(make_engine(url))
    people = [f"B{n:06d}" for n in range(count)]
    with transaction(factory) as session:
        session.add_all(
            Person(id=who, display_name="Bench Person", phone=f"+447700{n:06d}")
            for n, who in enumerate(people)
        )
    return people


def requests(people: list[str]) -> list[CallRequested]:
    now = datetime.now(UTC)
    return [
        CallRequested(
            person_id=who,
            occurred_at=now,
            source="bench",
            script=ScriptName.WELFARE_CHECK,
            reason="rate benchmark",
            due_at=now,
            window_end=now + timedelta(hours=1),
            max_attempts=1,
        )
        for who in people
    ]


def wait_until(condition: Callable[[], bool], timeout_s: float, poll_s: float = 0.5) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not done in {timeout_s}s")
        time.sleep(poll_s)


def answers(url: str) -> bool:
    try:
        return httpx.get(url).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=5.0, help="calls per second")
    parser.add_argument("--seconds", type=int, default=120)
    parser.add_argument("--max-concurrent", type=int, default=100)
    args = parser.parse_args()
    intervals = round(args.rate * args.seconds)
    work = Path(tempfile.mkdtemp(prefix="bench-dialer-"))
    database_url = f"sqlite:///{work / 'tecflow.db'}"
    upgrade(database_url)
    people = seed(database_url, intervals + round(args.rate * 10))

    with ExitStack() as stack:
        broker = stack.enter_context(EmbeddedBroker(log_path=work / "broker.log"))
        create_topics(broker.bootstrap_servers, partitions=3)
        sim_port, ivr_port = free_port(), free_port()
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "TECFLOW_DATABASE_URL": database_url,
            "TECFLOW_APP_ID": f"bench-{uuid.uuid4().hex[:6]}",
            "TECFLOW_GROUP_TIMEOUT_S": "6",
            "TECFLOW_LOG_LEVEL": "WARNING",
        } | local_telephony_env(
            sim_port,
            ivr_port,
            TECFLOW_TELEPHONY_CALLS_PER_SECOND=str(args.rate),
            TECFLOW_TELEPHONY_MAX_CONCURRENT=str(args.max_concurrent),
            TECFLOW_TELEPHONY_SIM_RING_S="2",
        )
        supervisor = Supervisor(env=env, log_dir=work)
        stack.callback(supervisor.stop_all)
        for name in ("twilio-sim", "ivr", "dialer"):
            supervisor.start(name, name)
        sim = f"http://127.0.0.1:{sim_port}/sim/calls"
        wait_until(lambda: answers(sim), timeout_s=60)
        with EventPublisher(broker.bootstrap_servers) as publisher:
            for request in requests(people):
                publisher.publish(Topic.CALLS_REQUESTED, request)
        print(f"published {len(people)} call requests; dialling at {args.rate}/s ...")
        started = time.monotonic()
        wait_until(
            lambda: len(httpx.get(sim).json()) > intervals,
            timeout_s=args.seconds * 2 + 120,
            poll_s=5,
        )
        supervisor.check()
        wall = time.monotonic() - started
        created = sorted(call["created_at"] for call in httpx.get(sim).json())

    window = created[: intervals + 1]
    achieved = intervals / (window[-1] - window[0])
    gaps = [b - a for a, b in itertools.pairwise(window)]
    per_second = [sum(1 for t in window if s <= t - window[0] < s + 1) for s in range(args.seconds)]
    error = (achieved - args.rate) / args.rate * 100
    print(f"""
| figure | value |
|---|---|
| configured rate | {args.rate:g} calls/s, max {args.max_concurrent} concurrent |
| calls measured | {intervals + 1} (first {intervals} intervals, {window[-1] - window[0]:.2f} s) |
| achieved rate | {achieved:.3f} calls/s ({error:+.2f}% of configured) |
| gap between calls | median {statistics.median(gaps) * 1000:.1f} ms, min {min(gaps) * 1000:.1f} ms, max {max(gaps) * 1000:.1f} ms |
| calls per 1-s bucket | min {min(per_second)}, max {max(per_second)} |
| wall time to dial them | {wall:.1f} s |
| within 2% | {"yes" if abs(error) <= 2 else "NO"} |
""")  # noqa: E501


if __name__ == "__main__":
    main()
