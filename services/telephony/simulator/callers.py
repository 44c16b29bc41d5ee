"""Who picks up: per-number scripted callers (set by file or the admin endpoint) and,
for any other number, a randomised caller from a seeded generator."""

from __future__ import annotations

import json
import random
from collections import deque
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter

Behaviour = Literal["answer", "no-answer", "busy", "failed", "machine"]


class Caller(BaseModel):
    """One call's worth of behaviour. `says` answers each <Gather> in turn: all digits
    are key presses, anything else is speech; when it runs out the caller stays silent.
    `hang_up_after` hangs up once that many replies were given."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    behaviour: Behaviour = "answer"
    says: tuple[str, ...] = ()
    hang_up_after: int | None = None
    speech_confidence: float = 0.92


CallerList = TypeAdapter(dict[str, list[Caller]])


def load_callers(path: Path | None) -> dict[str, list[Caller]]:
    """A YAML or JSON mapping of phone number -> a caller or a list of them."""
    if path is None:
        return {}
    text = path.read_text(encoding="utf-8")
    raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    normalised = {
        str(number): spec if isinstance(spec, list) else [spec] for number, spec in raw.items()
    }
    return CallerList.validate_python(normalised)


def random_caller(rng: random.Random) -> Caller:
    """A plausible mix: most answer, some do not, a few hang up half way."""
    roll = rng.random()
    if roll < 0.12:
        return Caller(behaviour="no-answer")
    if roll < 0.20:
        return Caller(behaviour="busy")
    if roll < 0.28:
        return Caller(behaviour="machine")
    says = tuple(rng.choice("12") for _ in range(16))
    if roll < 0.36:
        return Caller(says=says, hang_up_after=rng.randint(1, 3))
    return Caller(says=says)


class CallerBook:
    """Scripted callers are used in order per number; the last one repeats."""

    def __init__(self, scripted: dict[str, list[Caller]], seed: int) -> None:
        self._scripted = {number: deque(callers) for number, callers in scripted.items()}
        self._rng = random.Random(seed)  # noqa: S311 - simulation, not security

    def set(self, number: str, callers: list[Caller]) -> None:
        self._scripted[number] = deque(callers)

    def line(self, number: str) -> Caller:
        """Who answers a number the IVR dials (<Dial>): as scripted, else a person picks
        up (the SCRS line is staffed)."""
        queue = self._scripted.get(number)
        return queue[0] if queue else Caller(behaviour="answer")

    def next_for(self, number: str) -> Caller:
        queue = self._scripted.get(number)
        if not queue:
            return random_caller(self._rng)
        return queue.popleft() if len(queue) > 1 else queue[0]
