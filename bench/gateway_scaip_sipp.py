"""SCAIP receiver under SIPp load: alarms at a fixed rate (default 1,000 messages/s for
10 s) over UDP from SIPp, the standard SIP test tool. Reports how many were answered, the
time from each `<mrq>` leaving SIPp to its `<mrs>` arriving back (the `<mrs>` is sent
only after the broker acknowledged the event), and whether any event was published
twice (every ref is read back from the `device.alarms` topic).

Run: .venv/bin/python bench/gateway_scaip_sipp.py [--rate 1000] [--seconds 10]
Real parts: the embedded broker (Tansu), a SQLite store of hubs, the receiver (one
process, one event loop, as `tecflow gateway` runs it), sipp (Debian `sip-tester`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.gateway.intake import Intake
from services.gateway.register import EquipmentRegister
from services.gateway.runner import tune_for_latency
from services.gateway.scaip_receiver import ScaipReceiver
from services.gateway.sender import Sender
from services.gateway.sip_transport import SipLimits, SipServer
from services.processes import free_port
from services.sim.cohort import synthetic_cohort
from services.sim.seeding import seed_cohort
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade

SCENARIOS = Path(__file__).parent / "sipp"


def published_refs(bootstrap: str, wanted: set[str]) -> Counter[str]:
    """How many times each of our refs is on device.alarms (up to the topic's end)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [
            TopicPartition("device.alarms", p)
            for p in consumer.partitions_for_topic("device.alarms")
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        seen: Counter[str] = Counter()
        while any(consumer.position(p) < ends[p] for p in partitions):
            for records in consumer.poll(timeout_ms=1000).values():
                for record in records:
                    ref = json.loads(record.value).get("reference")
                    if ref in wanted:
                        seen[ref] += 1
        return seen
    finally:
        consumer.close()


async def run(rate: int, seconds: int, hubs: int) -> None:
    tune_for_latency()  # as `tecflow gateway` does
    work = Path(tempfile.mkdtemp(prefix="bench-scaip-sipp-"))
    url = f"sqlite:///{work / 'store.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    cohort = synthetic_cohort(hubs)
    with transaction(factory) as session:
        seed_cohort(session, cohort)
    cids = [p.device("scaip_hub").identifier for p in cohort]
    total = rate * seconds
    refs = [uuid.uuid4().hex[:16] for _ in range(total)]
    (work / "calls.csv").write_text(
        "SEQUENTIAL\n" + "".join(f"{cids[n % hubs]};{ref}\n" for n, ref in enumerate(refs))
    )
    with EmbeddedBroker() as broker:
        create_topics(broker.bootstrap_servers, partitions=6)
        sender = Sender(broker.bootstrap_servers, work / "spool.db")
        # One SIPp socket is every hub's source address: no per-source rate limit here.
        register = EquipmentRegister(factory, ttl_s=300)
        server = SipServer(
            ScaipReceiver(Intake(register, sender), "127.0.0.1"),
            "127.0.0.1",
            free_port(),
            SipLimits(rate_per_s=1e6, burst=1e6),
        )
        await server.start()
        for cid in cids:  # warm the register cache, as a running receiver has it
            await register.holder_of("scaip_hub", cid)
        log = work / "sipp.log"
        started = time.perf_counter()
        cpu_started = time.process_time()
        process = await asyncio.create_subprocess_exec(
            "sipp",
            f"127.0.0.1:{server.port}",
            "-sf",
            str(SCENARIOS / "scaip_load_send.xml"),
            "-oocsf",
            str(SCENARIOS / "scaip_load_mrs.xml"),
            "-inf",
            str(work / "calls.csv"),
            "-r",
            str(rate),
            "-m",
            str(total),
            "-l",
            str(rate * 3),
            "-i",
            "127.0.0.1",
            "-p",
            str(free_port()),
            "-t",
            "u1",
            "-trace_logs",
            "-log_file",
            str(log),
            "-timeout",
            f"{seconds + 60}s",
            "-nostdin",
            cwd=work,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        code = await process.wait()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started  # the receiver's process: loop + threads
        await server.stop()
        await sender.close()
        sent: dict[str, int] = {}
        answers: dict[str, tuple[int, int]] = {}
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "sent":
                sent[parts[1]] = int(parts[2])
            elif len(parts) == 4 and parts[0] == "mrs":
                answers.setdefault(parts[1], (int(parts[2]), int(parts[3])))
        published = await asyncio.to_thread(published_refs, broker.bootstrap_servers, set(refs))
    latencies = sorted(answers[r][1] - sent[r] for r in refs if r in answers and r in sent)
    ok = sum(1 for r in refs if answers.get(r, (None,))[0] == 0)
    twice = sum(1 for n in published.values() if n > 1)
    print(
        f"sipp exit {code}; {total} alarms offered at {rate}/s over {elapsed:.1f} s; "
        f"receiver CPU {cpu:.1f} s = {cpu / total * 1000:.2f} ms a message; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"answered snu 0: {ok} of {total}; published: {len(published)} refs, {twice} more than once"
    )
    if latencies:

        def p(q: float) -> float:
            return latencies[min(len(latencies) - 1, int(len(latencies) * q))]

        print(
            f"<mrs> after <mrq>: p50 {statistics.median(latencies):.0f} ms, "
            f"p95 {p(0.95)} ms, p99 {p(0.99)} ms, max {latencies[-1]} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--hubs", type=int, default=500)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(run(args.rate, args.seconds, args.hubs))


if __name__ == "__main__":
    main()
