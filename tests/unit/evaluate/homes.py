"""A small home for evaluator tests, written by hand (no third-party data): a front
door, motion in the hall, kitchen, living room, bathroom and bedroom, a bed mat and a
toilet flush; a person who lives the same day every day."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

SENSORS = {
    "D001": ("front_door", "contact"),
    "M001": ("hall", "motion"),
    "M002": ("kitchen", "motion"),
    "M003": ("living_room", "motion"),
    "M004": ("bathroom", "motion"),
    "M005": ("bedroom", "motion"),
    "B001": ("bed", "pressure"),
    "F001": ("bathroom", "state"),
}
FIRST = date(2026, 3, 2)


def routine(day: date) -> list[tuple[datetime, str, str]]:
    """One ordinary day, as CASAS lines (naive local time): up at 07:00, out 10:00 to
    11:00, about the house until 22:30, one toilet visit at 03:00."""

    def at(h: int, m: int, s: int = 0) -> datetime:
        return datetime.combine(day, time(h, m, s))

    lines = [
        (at(3, 0), "B001", "OFF"),
        (at(3, 1), "M004", "ON"),
        (at(3, 2), "F001", "ON"),
        (at(3, 2, 5), "F001", "OFF"),
        (at(3, 3), "M004", "OFF"),
        (at(3, 5), "B001", "ON"),
        (at(7, 0), "B001", "OFF"),
        (at(7, 1), "M005", "ON"),
        (at(7, 2), "M005", "OFF"),
        (at(7, 3), "M004", "ON"),
        (at(7, 5), "F001", "ON"),
        (at(7, 5, 5), "F001", "OFF"),
        (at(7, 8), "M004", "OFF"),
    ]
    lines += [(at(7, m), "M002", w) for m in range(10, 45, 5) for w in ("ON",)]
    lines += [
        (at(10, 0), "M001", "ON"),
        (at(10, 1), "D001", "OPEN"),
        (at(10, 1, 5), "D001", "CLOSE"),
        (at(11, 0), "D001", "OPEN"),
        (at(11, 0, 5), "D001", "CLOSE"),
        (at(11, 1), "M001", "ON"),
    ]
    lines += [(at(h, m), "M003", "ON") for h in range(11, 22) for m in (10, 30, 50)]
    lines += [(at(h, 5), "M002", "ON") for h in (12, 18)]
    lines += [(at(22, 25), "M005", "ON"), (at(22, 30), "B001", "ON")]
    return sorted(lines)


def write_home(folder: Path, days: int = 14) -> tuple[Path, Path]:
    log, home = folder / "home.casas.txt", folder / "home.json"
    lines = [line for n in range(days) for line in routine(FIRST + timedelta(days=n))]
    log.write_text("".join(f"{at.isoformat(sep=' ')}.000000\t{s}\t{w}\n" for at, s, w in lines))
    home.write_text(
        json.dumps(
            {
                "timezone": "Europe/London",
                "sensors": {name: {"placement": p, "kind": k} for name, (p, k) in SENSORS.items()},
            }
        )
    )
    return log, home
