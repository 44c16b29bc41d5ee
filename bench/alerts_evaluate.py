"""Alert quality on real homes: `tecflow evaluate` over every home of a data folder
(made by bench/alert_homes.py), once as recorded and once per incident kind and seed,
printed as the markdown tables of bench/RESULTS.md.

    python bench/alerts_evaluate.py DATA_DIR [--seeds 10] [--per-run 3]
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import timedelta
from pathlib import Path

from services.evaluate.inject import KINDS
from services.evaluate.logs import load_home
from services.evaluate.report import median_delay, minutes
from services.evaluate.run import evaluate

WATCHED = (
    "no_morning_activity",
    "bed_not_left",
    "daytime_inactivity",
    "chair_not_left",
    "door_at_night",
    "night_wandering",
    "night_bathroom",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", type=Path)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--per-run", type=int, default=3)
    args = parser.parse_args()
    homes = sorted(p.name.removesuffix(".home.json") for p in args.data.glob("*.home.json"))
    false_rows, detect_rows = [], []
    total_false: Counter[str] = Counter()
    total_months = 0.0
    pooled: dict[str, tuple[int, int, list[timedelta]]] = {}
    for name in homes:
        home = load_home(args.data / f"{name}.home.json")
        log = args.data / f"{name}.casas.txt"
        clean = evaluate(log, "casas", home).report
        total_false.update(clean.false_alerts)
        total_months += clean.person_months
        false_rows.append(
            f"| {name} | {(clean.end - clean.start) / timedelta(days=1):.1f} | "
            f"{clean.person_months:.2f} | "
            + " | ".join(f"{clean.false_alerts[k]}" for k in WATCHED)
            + f" | {sum(clean.false_alerts.values()) / (clean.person_months or 1):.1f} |"
        )
        cells = []
        for kind in KINDS:
            injected = detected = 0
            delays: list[timedelta] = []
            for seed in range(1, args.seeds + 1):
                found = evaluate(log, "casas", home, {kind: args.per_run}, seed).report
                if kind in found.detections:
                    injected += found.detections[kind].injected
                    detected += found.detections[kind].detected
                    delays += found.detections[kind].delays
            got = pooled.get(kind, (0, 0, []))
            pooled[kind] = (got[0] + injected, got[1] + detected, got[2] + delays)
            cells.append(
                f"{detected}/{injected}, {minutes(median_delay(delays))}" if injected else "n/a"
            )
        detect_rows.append(f"| {name} | " + " | ".join(cells) + " |")
    print(
        "| home | days | person-months after warm-up | "
        + " | ".join(WATCHED)
        + " | all per person-month |"
    )
    print("|---" * (len(WATCHED) + 4) + "|")
    print("\n".join(false_rows))
    print(
        f"| all | | {total_months:.2f} | "
        + " | ".join(f"{total_false[k] / total_months:.1f}/pm" for k in WATCHED)
        + f" | {sum(total_false.values()) / total_months:.1f} |"
    )
    print()
    print("| home | " + " | ".join(KINDS) + " |")
    print("|---" * (len(KINDS) + 1) + "|")
    print("\n".join(detect_rows))
    print(
        "| all | "
        + " | ".join(
            f"{d}/{n} ({100 * d / n:.0f}%), {minutes(median_delay(ds))}" if n else "n/a"
            for n, d, ds in (pooled[k] for k in KINDS)
        )
        + " |"
    )


if __name__ == "__main__":
    main()
