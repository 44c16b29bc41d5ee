"""Voice scripts as data: pydantic models for the YAML files in scripts/, checked when
loaded against the shared question vocabulary (contracts.questions), so a script can
only record answers the outcome processor understands."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts.codes import ScriptName
from contracts.questions import (
    ALLOWED_ANSWERS,
    STATUS_QUESTIONS,
    URGENT_ANSWERS,
    AnswerValue,
    QuestionId,
)
from services.telephony.distress import Vocabulary

SCRIPTS_DIR = Path(__file__).parent / "scripts"
DEFAULT_LANGUAGE = "en-GB"
YES_NO = "yes_no"  # the choices a read-back is answered with

Language = Annotated[str, Field(pattern=r"^[a-z]{2}-[A-Z]{2}$")]
Texts = dict[Language, str]
# Where a step leads: another step's id, a warm transfer to a handler, or the ending.
TRANSFER: Literal["transfer"] = "transfer"
END: Literal["end"] = "end"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(Frozen):
    """One answer a question accepts: a key to press and words that mean it."""

    value: AnswerValue
    digits: str = Field(pattern=r"^[1-9]$")
    words: dict[Language, tuple[str, ...]]
    means: Texts | None = None  # how a read-back says it: "you are managing OK"


class Common(Frozen):
    """Phrases and answer sets every script shares (scripts/common.yaml)."""

    languages: tuple[Language, ...]
    choices: dict[str, tuple[Choice, ...]]
    press_zero: Texts
    sorry: Texts
    read_back: Texts
    transfer: Texts
    transfer_retry: Texts
    transfer_failed: Texts
    closing: Texts
    transfer_words: dict[Language, tuple[str, ...]]
    distress_words: dict[Language, tuple[str, ...]]
    reported_words: dict[Language, tuple[str, ...]]
    unsure_words: dict[Language, tuple[str, ...]]
    stop_words: dict[Language, tuple[str, ...]]
    stop_read_back: Texts
    carry_on: Texts
    stopped: Texts

    @property
    def vocabulary(self) -> Vocabulary:
        """Distress and asking for a person are heard in every language at once."""

        def every(words: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(w for language in self.languages for w in words[language]))

        return Vocabulary(
            distress=every(self.distress_words),
            reported=every(self.reported_words),
            someone=every(self.transfer_words),
        )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if YES_NO not in self.choices:
            raise ValueError(f"choices: {YES_NO} is needed for read-backs")
        for name, choices in self.choices.items():
            digits = [choice.digits for choice in choices]
            if len(set(digits)) != len(digits):
                raise ValueError(f"choices {name}: a key is used twice")
            for choice in choices:
                _require_languages(self.languages, choice.words, f"choices {name}")
                if choice.means is not None:
                    _require_languages(self.languages, choice.means, f"choices {name}")
        for field in (
            "press_zero",
            "sorry",
            "read_back",
            "transfer",
            "transfer_retry",
            "transfer_failed",
            "closing",
            "transfer_words",
            "distress_words",
            "reported_words",
            "unsure_words",
            "stop_words",
            "stop_read_back",
            "carry_on",
            "stopped",
        ):
            _require_languages(self.languages, getattr(self, field), field)
        return self


class Step(Frozen):
    """One question. `ask_if` skips it unless an earlier answer is among those listed
    (any one of them is enough); `go_to` sends an answer somewhere other than the next step."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    ask: QuestionId
    choices: str
    prompt: Texts
    ask_if: dict[QuestionId, tuple[AnswerValue, ...]] = {}
    go_to: dict[AnswerValue, str] = {}


class ScriptFile(Frozen):
    """A script as written: either whole, or `base` (another script) with its own opening."""

    name: ScriptName
    base: ScriptName | None = None
    opening: Texts
    closing: Texts | None = None
    closing_follow_up: Texts | None = None
    steps: tuple[Step, ...] = ()


class Script(Frozen):
    """A script ready to run, with the shared phrases resolved."""

    name: ScriptName
    opening: Texts
    closing: Texts
    # Said instead of `closing` when an answer will raise an alert, a referral or a change
    # on the person's record: the words promise only what the outcome really does.
    closing_follow_up: Texts
    steps: tuple[Step, ...]
    common: Common

    def step(self, step_id: str) -> Step:
        return next(step for step in self.steps if step.id == step_id)

    def index(self, step_id: str) -> int:
        return next(n for n, step in enumerate(self.steps) if step.id == step_id)

    def choices(self, step: Step) -> tuple[Choice, ...]:
        return self.common.choices[step.choices]

    def language(self, wanted: str) -> str:
        """The person's language when the script speaks it, else English."""
        return wanted if wanted in self.common.languages else DEFAULT_LANGUAGE

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        languages = self.common.languages
        _require_languages(languages, self.opening, "opening")
        _require_languages(languages, self.closing, "closing")
        _require_languages(languages, self.closing_follow_up, "closing_follow_up")
        ids = [step.id for step in self.steps]
        if not ids or len(set(ids)) != len(ids):
            raise ValueError("a script needs steps with distinct ids")
        asked: set[QuestionId] = set()
        for step in self.steps:
            where = f"step {step.id}"
            _require_languages(languages, step.prompt, where)
            if step.choices not in self.common.choices:
                raise ValueError(f"{where}: unknown choices {step.choices!r}")
            values = {choice.value for choice in self.common.choices[step.choices]}
            if not values <= set(ALLOWED_ANSWERS[step.ask]):
                raise ValueError(f"{where}: {step.ask} cannot be answered {sorted(values)}")
            if not set(step.go_to) <= values:
                raise ValueError(f"{where}: go_to names an answer the step does not take")
            urgent = URGENT_ANSWERS.get(step.ask)
            if urgent is not None and step.go_to.get(urgent) != TRANSFER:
                raise ValueError(f"{where}: the answer {urgent} must go_to transfer")
            if step.ask in STATUS_QUESTIONS and any(
                choice.means is None for choice in self.common.choices[step.choices]
            ):
                raise ValueError(f"{where}: a status answer is read back; choices need means")
            for target in step.go_to.values():
                if target not in (TRANSFER, END) and ids.index(target) <= ids.index(step.id):
                    raise ValueError(f"{where}: go_to {target!r} must be a later step")
            if not set(step.ask_if) <= asked:
                raise ValueError(f"{where}: ask_if names a question not asked before it")
            if step.ask in asked:
                raise ValueError(f"{where}: {step.ask} is asked twice")
            asked.add(step.ask)
        return self


def _require_languages(languages: tuple[str, ...], texts: Mapping[str, object], where: str) -> None:
    if missing := set(languages) - set(texts):
        raise ValueError(f"{where}: no text for {', '.join(sorted(missing))}")


def _read(path: Path) -> dict[str, object]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, dict):
        raise ValueError(f"{path.name}: a script file holds a mapping")
    return loaded


def load_library(directory: Path = SCRIPTS_DIR) -> dict[ScriptName, Script]:
    """Every script in `directory`, validated; raises ValueError naming what is wrong."""
    common = Common.model_validate(_read(directory / "common.yaml"))
    files = {
        parsed.name: parsed
        for parsed in (
            ScriptFile.model_validate(_read(path))
            for path in sorted(directory.glob("*.yaml"))
            if path.name != "common.yaml"
        )
    }
    library: dict[ScriptName, Script] = {}
    for name, written in files.items():
        base = files[written.base] if written.base else written
        library[name] = Script(
            name=name,
            opening=written.opening,
            closing=written.closing or base.closing or common.closing,
            closing_follow_up=(
                written.closing_follow_up
                or base.closing_follow_up
                or written.closing
                or base.closing
                or common.closing
            ),
            steps=base.steps,
            common=common,
        )
    return library


@lru_cache(maxsize=1)
def library() -> dict[ScriptName, Script]:
    return load_library()
