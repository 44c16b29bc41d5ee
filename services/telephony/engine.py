"""The script engine, pure: where a call stands and what the person said -> what to say
next and the answer to record. No I/O; the IVR webhooks are a thin adapter around it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from contracts.calls import Answer
from services.telephony.script import END, TRANSFER, TRANSFER_DIGIT, Choice, Script, Step

MAX_TRIES = 2  # a question is asked at most this many times before the call ends politely


@dataclass(frozen=True)
class Heard:
    """What came back from a <Gather>: keys pressed, or speech and its confidence."""

    digits: str | None = None
    speech: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Turn:
    """What the call does next. With `ask` it gathers an answer to that step; else it
    transfers to a handler (`transfer`) or hangs up after saying `say`."""

    say: tuple[str, ...]
    ask: Step | None = None
    tries: int = 1
    transfer: bool = False
    answer: Answer | None = None
    completed: bool = False


Given = Mapping[str, str]  # question id -> answer value recorded so far on this call


def open_call(script: Script, language: str) -> Turn:
    common = script.common
    greeting = (script.opening[language], common.press_zero[language])
    return _continue_from(script, language, 0, {}, greeting)


def respond(
    script: Script,
    language: str,
    step_id: str,
    given: Given,
    heard: Heard,
    tries: int,
    now: datetime,
) -> Turn:
    """The next turn after the person answered (or did not answer) step `step_id`."""
    step = script.step(step_id)
    if _wants_someone(script, language, heard):
        return Turn(say=(script.common.transfer[language],), transfer=True)
    understood = _understand(script.choices(step), language, heard)
    if understood is None:
        if tries >= MAX_TRIES:
            return Turn(say=(script.common.gave_up[language],))
        return Turn(say=(script.common.sorry[language],), ask=step, tries=tries + 1)
    choice, via = understood
    answer = Answer(
        question_id=step.ask.value,
        value=choice.value.value,
        heard=heard.digits if via == "dtmf" else heard.speech,
        via=via,
        confidence=heard.confidence if via == "speech" else None,
        answered_at=now,
    )
    given = {**given, step.ask.value: choice.value.value}
    target = step.go_to.get(choice.value)
    if target == TRANSFER:
        return Turn(say=(script.common.transfer[language],), transfer=True, answer=answer)
    start = len(script.steps) if target == END else (
        script.index(target) if target else script.index(step_id) + 1
    )
    turn = _continue_from(script, language, start, given, ())
    return Turn(
        say=turn.say, ask=turn.ask, tries=turn.tries, answer=answer, completed=turn.completed
    )


def _continue_from(
    script: Script, language: str, start: int, given: Given, say: tuple[str, ...]
) -> Turn:
    for step in script.steps[start:]:
        if _applies(step, given):
            return Turn(say=say, ask=step)
    return Turn(say=(*say, script.closing[language]), completed=True)


def _applies(step: Step, given: Given) -> bool:
    if not step.ask_if:
        return True
    return any(
        given.get(question.value) in {value.value for value in values}
        for question, values in step.ask_if.items()
    )


def _words(text: str) -> str:
    return " " + " ".join(re.findall(r"[\w']+", text.casefold())) + " "


def _wants_someone(script: Script, language: str, heard: Heard) -> bool:
    if heard.digits:
        return heard.digits.strip() == TRANSFER_DIGIT
    spoken = _words(heard.speech or "")
    return any(f" {phrase} " in spoken for phrase in script.common.transfer_words[language])


def _understand(
    choices: tuple[Choice, ...], language: str, heard: Heard
) -> tuple[Choice, str] | None:
    """The choice meant, and how it was given. Keys win over speech. In speech, a keyword
    heard inside a longer one counts only as the longer ("not fine" is not "fine"); what
    is left must all point to one choice ("yes and no" is not understood)."""
    if heard.digits:
        digits = heard.digits.strip()
        return next(((c, "dtmf") for c in choices if c.digits == digits), None)
    spoken = _words(heard.speech or "")
    spans = [
        (match.start(), match.start() + len(needle), choice)
        for choice in choices
        for phrase in choice.words[language]
        for needle in [_words(phrase)]
        for match in re.finditer(f"(?={re.escape(needle)})", spoken)
    ]
    meant = {
        choice.value: choice
        for start, end, choice in spans
        if not any(s <= start and end <= e and (s, e) != (start, end) for s, e, _ in spans)
    }
    if len(meant) != 1:
        return None
    return next(iter(meant.values())), "speech"
