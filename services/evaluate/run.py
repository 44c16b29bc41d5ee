"""One evaluation: read, optionally inject, replay, report."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from services.evaluate.inject import KINDS, Incident, inject
from services.evaluate.logs import Home, Message, read_log, write_z2m_jsonl
from services.evaluate.replay import replay, sensor_events
from services.evaluate.report import Report, report
from streams.processors.outputs import Output


@dataclass
class Evaluation:
    messages: list[Message]
    incidents: list[Incident]
    outputs: list[Output]
    report: Report


def parse_injections(specs: tuple[str, ...]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for spec in specs:
        kind, _, n = spec.partition("=")
        if kind not in KINDS or not n.isdigit():
            raise ValueError(f"--inject {spec}: expected KIND=N, KIND one of {', '.join(KINDS)}")
        counts[kind] = int(n)
    return counts


def evaluate(
    log: Path,
    format: str,
    home: Home,
    counts: dict[str, int] | None = None,
    seed: int = 1,
    out: Path | None = None,
) -> Evaluation:
    messages = read_log(log, format, home)
    incidents: list[Incident] = []
    if counts:
        messages, incidents = inject(messages, home, counts, seed)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            stem = f"{log.stem}.seed{seed}"
            write_z2m_jsonl(out / f"{stem}.jsonl", messages)
            (out / f"{stem}.truth.json").write_text(
                json.dumps([i.as_json() for i in incidents], indent=1)
            )
    events = sensor_events(messages, home)
    outputs = replay(events, home, messages[-1].at)
    return Evaluation(
        messages, incidents, outputs, report(outputs, messages[0].at, messages[-1].at, incidents)
    )
