"""The hazard log (docs/safety/hazard-log.md) is kept honest by the test suite:

- every rating follows the DCB0129 matrix the log states;
- every closed hazard names the tests that verify its controls, and they exist;
- every voice script, and the logic that hears the answers, matches the SHA-256 its
  last review recorded: a change fails here, naming the hazards to review (H13)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
# Files whose change can reopen a hazard: the scripts and what hears and acts on them.
CONTROLLED = sorted(
    [*(ROOT / "services" / "telephony" / "scripts").glob("*.yaml")]
    + [
        ROOT / "services" / "telephony" / name
        for name in ("distress.py", "phrases.py", "engine.py")
    ]
    + [ROOT / "contracts" / "questions.py"]
)
SEVERITY = ("Minor", "Significant", "Considerable", "Major", "Catastrophic")
LIKELIHOOD = ("Very low", "Low", "Medium", "High", "Very high")
RATING = re.compile(rf"^({'|'.join(SEVERITY)}) x ({'|'.join(LIKELIHOOD)}) = ([1-5])\b")


@dataclass(frozen=True)
class Hazard:
    id: str
    fields: dict[str, str]


def hazards() -> list[Hazard]:
    found = []
    for section in re.split(r"^## ", LOG.read_text(encoding="utf-8"), flags=re.M)[1:]:
        heading, _, body = section.partition("\n")
        if not re.match(r"H\d+ ", heading):
            continue
        rows = re.findall(r"^\| ([A-Z][\w ]+) \|(.*)\|$", body, flags=re.M)
        found.append(Hazard(heading.split()[0], {k: v.strip() for k, v in rows}))
    return found


def matrix() -> dict[tuple[str, str], int]:
    rows = re.findall(
        r"^\| (Very high|High|Medium|Low|Very low) \| (.*) \|$",
        LOG.read_text(encoding="utf-8"),
        flags=re.M,
    )
    return {
        (severity, likelihood): int(cell.strip())
        for likelihood, cells in rows
        for severity, cell in zip(SEVERITY, cells.split("|"), strict=True)
    }


def change_control() -> dict[str, tuple[str, tuple[str, ...], str]]:
    text = LOG.read_text(encoding="utf-8").split("## Change control", 1)[1]
    rows = re.findall(
        r"^\| `?([\w/.]+)`? \| ([0-9a-f]{64}) \| ([H\d, ]+) \| (.*) \|$", text, flags=re.M
    )
    return {
        path: (digest, tuple(h.strip() for h in hazards.split(",")), reviewed)
        for path, digest, hazards, reviewed in rows
    }


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_log_has_its_hazards_in_order() -> None:
    ids = [hazard.id for hazard in hazards()]
    assert ids == [f"H{n}" for n in range(1, len(ids) + 1)]
    assert len(ids) >= 13


@pytest.mark.parametrize("hazard", hazards(), ids=lambda h: h.id)
def test_every_rating_follows_the_dcb0129_matrix(hazard: Hazard) -> None:
    table = matrix()
    for field in ("Initial risk", "Residual risk"):
        found = RATING.match(hazard.fields[field])
        assert found, f"{hazard.id} {field}: {hazard.fields[field]!r}"
        severity, likelihood, rating = found.groups()
        assert table[(severity, likelihood)] == int(rating), f"{hazard.id} {field}"


@pytest.mark.parametrize("hazard", hazards(), ids=lambda h: h.id)
def test_every_closed_hazard_is_verified_by_tests_that_exist(hazard: Hazard) -> None:
    for field in ("Hazard", "Cause", "Effect", "Controls", "Status"):
        assert hazard.fields.get(field, "").strip(), f"{hazard.id}: no {field}"
    tests = re.findall(r"`([\w/.]+\.py)::(\w+)`", hazard.fields["Verified by"])
    if hazard.fields["Status"] != "closed":
        return  # open or transferred: its status says so, and no control is claimed
    assert tests, f"{hazard.id} is closed but names no test"
    for path, name in tests:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, flags=re.M), f"{hazard.id}: {path}::{name}"


def test_every_voice_script_is_under_change_control() -> None:
    recorded = change_control()
    assert sorted(recorded) == [str(p.relative_to(ROOT)) for p in CONTROLLED]
    known = {hazard.id for hazard in hazards()}
    for path, (_, named, reviewed) in recorded.items():
        assert named and set(named) <= known, path
        assert reviewed.strip(), f"{path}: who reviewed it, and when?"


@pytest.mark.parametrize("path", CONTROLLED, ids=lambda p: p.name)
def test_every_voice_script_matches_its_reviewed_checksum(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    digest, named, _ = change_control().get(relative, ("", (), ""))
    assert sha256(path) == digest, (
        f"{relative} changed since its safety review. Run the tests of hazards "
        f"{', '.join(named) or '(none recorded)'} in docs/safety/hazard-log.md, review "
        f"those entries, then record SHA-256 {sha256(path)} with the date and reviewer."
    )
