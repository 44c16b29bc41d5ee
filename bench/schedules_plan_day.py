"""Benchmark: plan a day of calls for N people (default 100,000) with one daily campaign.

Measures, on a fresh database: the first planning round (read the cohort's facts, apply
the rules, claim every slot in the ledger), the publish of those calls to a real broker
(embedded Tansu) with --publish, and a second round, which finds every slot claimed (the
cost the scheduler pays every few minutes all day).

    .venv/bin/python bench/schedules_plan_day.py [--people 100000] [--url URL] [--publish]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import resource
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, text

from schedules.campaigns import add_campaign
from schedules.planner import Planner
from schedules.settings import SchedulerSettings
from services.broker.publisher import Record
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade
from services.store.models import Campaign, HospitalStay, Person, PlannedCallRecord, SchedulerLease

NOW = datetime(2026, 11, 25, 7, tzinfo=UTC)


class Discard:
    def publish_records(self, records: Iterable[Record]) -> None:
        for _ in records:
            pass


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def seed(url: str, people: int) -> None:
    rng = random.Random(7)
    engine = make_engine(url)
    with engine.begin() as connection:
        for table in (PlannedCallRecord, HospitalStay, Person, Campaign, SchedulerLease):
            connection.execute(delete(table))
        rows = [
            {
                "id": f"B{n:07d}",
                "display_name": "Bench Person",
                "postcode": "DD4 7AB",
                "timezone": "Europe/London",
                "language": "en-GB",
                "lives_alone": True,
                "has_care_package": False,
                "do_not_call": rng.random() < 0.02,
                "opted_out": rng.random() < 0.03,
                "created_at": NOW,
                "updated_at": NOW,
            }
            for n in range(people)
        ]
        connection.execute(insert(Person), rows)
        stays = [
            {
                "person_id": f"B{n:07d}",
                "admitted_at": NOW - timedelta(days=3),
                "discharged_at": None if n % 2 else NOW - timedelta(days=1),
            }
            for n in rng.sample(range(people), people // 20)
        ]
        connection.execute(insert(HospitalStay), stays)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--url", default=None, help="default: a fresh SQLite file")
    parser.add_argument("--publish", action="store_true", help="publish to embedded Tansu")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    upgrade(url)
    # Seeding in a child process keeps its memory out of the planner's peak RSS.
    seeder = multiprocessing.Process(target=seed, args=(url, args.people))
    seeder.start()
    seeder.join()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        add_campaign(
            session,
            campaign_id="bench",
            name="bench",
            script="welfare_check",
            cohort="living_alone_without_care",
            cohort_params={},
            frequency={"every": "day"},
            window=(datetime.min.time().replace(hour=10), datetime.min.time().replace(hour=16)),
        )
    print(f"{args.people} people on {engine.dialect.name}")

    broker = None
    if args.publish:
        from services.broker.admin import create_topics
        from services.broker.embedded import EmbeddedBroker
        from services.broker.publisher import EventPublisher

        broker = EmbeddedBroker().start()
        create_topics(broker.bootstrap_servers, partitions=3)
        publisher: object = EventPublisher(broker.bootstrap_servers)
    else:
        publisher = Discard()
    planner = Planner(factory, publisher, SchedulerSettings(holder="bench"))  # type: ignore[arg-type]
    try:
        started = time.perf_counter()
        claimed = planner.plan_campaign("bench", NOW)
        first = time.perf_counter() - started
        started = time.perf_counter()
        again = planner.plan_campaign("bench", NOW + timedelta(minutes=5))
        second = time.perf_counter() - started
    finally:
        if broker is not None:
            publisher.close()  # type: ignore[attr-defined]
            broker.stop()
    with engine.connect() as connection:
        published = connection.execute(
            text("SELECT count(*) FROM outbox WHERE published_at IS NOT NULL")
        ).scalar()
    sink = "published to Tansu" if args.publish else "publish discarded"
    print(
        f"first round: {claimed} calls claimed and {published} {sink} in {first:.2f} s "
        f"({claimed / first:,.0f} calls/s)"
    )
    print(f"second round: {again} new, {second:.2f} s")
    print(f"peak RSS of the planning process {peak_rss_mb():.0f} MB")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "people": args.people,
                    "planned": claimed,
                    "published": published,
                    "store": engine.dialect.name,
                    "publish": args.publish,
                    "first_round_s": first,
                    "second_round_s": second,
                    "peak_rss_mb": peak_rss_mb(),
                }
            )
        )


if __name__ == "__main__":
    main()
