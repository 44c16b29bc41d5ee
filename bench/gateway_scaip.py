"""SCAIP receiver benchmark: messages per second from SIP MESSAGE to broker
acknowledgement (the `<mrs>` snu 0 is sent only after the broker has the event), and
alarm round-trip latency while a flood of heartbeats shares the receiver.

Run: .venv/bin/python bench/gateway_scaip.py [--messages 2000] [--hubs 50]
Real parts: the embedded broker (Tansu), a SQLite store, the receiver over UDP."""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.gateway.intake import Intake
from services.gateway.register import EquipmentRegister
from services.gateway.scaip_receiver import ScaipReceiver
from services.gateway.sender import Sender
from services.gateway.sip import SipUri, message_request, parse_message, response
from services.gateway.sip_transport import SipLimits, SipServer
from services.processes import free_port
from services.sim.cohort import synthetic_cohort
from services.sim.seeding import seed_cohort
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade

SNU = re.compile(rb"<ref>(\w+)</ref><snu>(\d+)</snu>")


class Hub(asyncio.DatagramProtocol):
    """Many simulated hubs on one socket: sends <mrq>s, answers and records <mrs>s."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future[int]] = {}
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        message = parse_message(data)
        if not message.is_request:
            return
        assert self.transport is not None
        self.transport.sendto(response(message, 200, "OK"), addr)
        if match := SNU.search(message.body):
            future = self.waiting.pop(match.group(1).decode(), None)
            if future and not future.done():
                future.set_result(int(match.group(2)))

    async def send(self, port: int, cid: str, ref: str, mty: str, dty: int) -> float:
        assert self.transport is not None
        body = f"<mrq><mty>{mty}</mty><ref>{ref}</ref><cid>{cid}</cid><dty>{dty}</dty></mrq>"
        local = self.transport.get_extra_info("sockname")[1]
        future = asyncio.get_running_loop().create_future()
        self.waiting[ref] = future
        start = time.perf_counter()
        self.transport.sendto(
            message_request(
                SipUri("receiver", "127.0.0.1", port),
                "127.0.0.1",
                local,
                "UDP",
                "application/scaip+xml",
                body.encode(),
                from_user=cid,
            ),
            ("127.0.0.1", port),
        )
        snu = await asyncio.wait_for(future, 30)
        assert snu == 0, snu
        return time.perf_counter() - start


async def run(messages: int, hubs: int, concurrency: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="bench-scaip-"))
    url = f"sqlite:///{work / 'store.db'}"
    upgrade(url)
    factory = make_session_factory(make_engine(url))
    cohort = synthetic_cohort(hubs)
    with transaction(factory) as session:
        seed_cohort(session, cohort)
    cids = [p.device("scaip_hub").identifier for p in cohort]
    with EmbeddedBroker() as broker:
        create_topics(broker.bootstrap_servers, partitions=6)
        sender = Sender(broker.bootstrap_servers, work / "spool.db")
        # Every simulated hub shares one source address: no per-source rate limit here.
        server = SipServer(
            ScaipReceiver(Intake(EquipmentRegister(factory), sender), "127.0.0.1"),
            "127.0.0.1",
            free_port(),
            SipLimits(rate_per_s=1e6, burst=1e6),
        )
        await server.start()
        loop = asyncio.get_running_loop()
        _, hub = await loop.create_datagram_endpoint(Hub, local_addr=("127.0.0.1", 0))
        counter = iter(range(10**9))

        async def stream(count: int, mty: str, dty: int, pause_s: float = 0) -> list[float]:
            times = []
            for _ in range(count):
                n = next(counter)
                times.append(await hub.send(server.port, random.choice(cids), f"B{n}", mty, dty))
                await asyncio.sleep(pause_s)
            return times

        await stream(50, "PI", 2)  # warm up: producers connected, register cached
        per_worker = messages // concurrency
        start = time.perf_counter()
        await asyncio.gather(*(stream(per_worker, "PI", 2) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
        print(
            f"throughput: {per_worker * concurrency} heartbeats in {elapsed:.1f}s = "
            f"{per_worker * concurrency / elapsed:.0f} msg/s ({concurrency} in flight)"
        )

        quiet = await stream(100, "ME", 3, pause_s=0.01)
        flood = [loop.create_task(stream(per_worker, "PI", 2)) for _ in range(concurrency)]
        loaded = await stream(100, "ME", 3, pause_s=0.01)
        await asyncio.gather(*flood)
        for name, sample in (("quiet", quiet), ("under heartbeat flood", loaded)):
            ms = sorted(t * 1000 for t in sample)
            print(
                f"alarm round trip {name}: p50 {statistics.median(ms):.1f} ms, "
                f"p95 {ms[int(len(ms) * 0.95) - 1]:.1f} ms, max {ms[-1]:.1f} ms"
            )
        await server.stop()
        await sender.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--hubs", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(run(args.messages, args.hubs, args.concurrency))


if __name__ == "__main__":
    main()
