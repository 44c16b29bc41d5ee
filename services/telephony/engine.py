"""The script engine, pure: where a call stands and what the person said -> what to say
next and the answer to record. No I/O; the IVR webhooks are a thin adapter around it.

Every step checks for distress first (services/telephony/distress.py); an answer is
taken only when it is clear: a low speech confidence, an "I don't know" or a mix of
answers is asked again, and a safety question still unclear after that goes to a
handler, never down as fine. A status-changing answer is read back before it is kept."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.calls import Answer
from contracts.questions import REASSURING, STATUS_QUESTIONS, AnswerValue, QuestionId
from services.telephony import distress, phrases
from services.telephony.distress import TransferReason
from services.telephony.script import END, TRANSFER, YES_NO, Choice, Script, Step

MAX_TRIES = 2  # a question is asked at most this many times; then a handler takes over
MIN_CONFIDENCE = 0.5  # Twilio's speech Confidence below this is heard as not understood
_REASSURING = {question.value: value.value for question, value in REASSURING.items()}


@dataclass(frozen=True)
class Heard:
    """What came back from a <Gather>: keys pressed, or speech and its confidence."""

    digits: str | None = None
    speech: str | None = None
    confidence: float | None = None


@dataclass(frozen=True)
class Turn:
    """What the call does next. With `ask` it gathers an answer to that step (or, with
    `confirming`, a yes or no to the read-back of that answer); with `transfer` it puts
    the person through to a handler; else it hangs up after saying `say`."""

    say: tuple[str, ...]
    ask: Step | None = None
    tries: int = 1
    confirming: AnswerValue | None = None
    stopping: bool = False  # awaiting a yes to "stop these automated calls?"
    transfer: TransferReason | None = None
    answer: Answer | None = None
    completed: bool = False
    opted_out: bool = False  # the person confirmed they want no more automated calls


Given = Mapping[str, str]  # question id -> answer value recorded so far on this call


def open_call(script: Script, language: str) -> Turn:
    greeting = (script.opening[language], script.common.press_zero[language])
    return _continue_from(script, language, 0, {}, greeting)


def respond(
    script: Script,
    language: str,
    step_id: str,
    given: Given,
    heard: Heard,
    tries: int,
    now: datetime,
    confirming: AnswerValue | None = None,
    stopping: bool = False,
) -> Turn:
    """The next turn after the person answered (or did not answer) step `step_id`, the
    read-back of `confirming` as that step's answer, or the read-back of a request to
    stop the calls (`stopping`)."""
    step = script.step(step_id)
    common = script.common
    urgent = distress.check(heard.digits, heard.speech, common.vocabulary)
    if urgent is not None:
        answer = None
        if urgent is TransferReason.DISTRESS and confirming is None and not stopping:
            answer = _concerning_answer(script, language, step, heard, now)
        return _transfer(script, language, urgent, answer)
    if stopping:
        return _confirm_stop(script, language, step, heard, tries, now)
    if confirming is not None:
        return _confirm(script, language, step, given, heard, tries, now, confirming)
    if heard.speech and phrases.first(phrases.words(heard.speech), common.stop_words[language]):
        return Turn(say=(common.stop_read_back[language],), ask=step, tries=tries, stopping=True)
    understood = _understand(script, script.choices(step), language, heard, step)
    if understood is None:
        return _unclear(script, language, step, given, tries)
    choice, via = understood
    if step.ask in STATUS_QUESTIONS and step.go_to.get(choice.value) != TRANSFER:
        return _read_back(script, language, step, choice, tries, ())
    return _answered(script, language, step, given, _answer(step, choice.value, heard, via, now))


def _answer(step: Step, value: str, heard: Heard, via: str, now: datetime) -> Answer:
    return Answer(
        question_id=step.ask.value,
        value=value,
        heard=heard.digits if via == "dtmf" else heard.speech,
        via="dtmf" if via == "dtmf" else "speech",
        confidence=heard.confidence if via == "speech" else None,
        answered_at=now,
    )


def _answered(script: Script, language: str, step: Step, given: Given, answer: Answer) -> Turn:
    given = {**given, answer.question_id: answer.value}
    target = step.go_to.get(AnswerValue(answer.value))
    if target == TRANSFER:
        return _transfer(script, language, TransferReason.URGENT_ANSWER, answer)
    start = (
        len(script.steps)
        if target == END
        else (script.index(target) if target else script.index(step.id) + 1)
    )
    return replace(_continue_from(script, language, start, given, ()), answer=answer)


def _transfer(script: Script, language: str, reason: TransferReason, answer: Answer | None) -> Turn:
    return Turn(say=(script.common.transfer[language],), transfer=reason, answer=answer)


def _concerning_answer(
    script: Script, language: str, step: Step, heard: Heard, now: datetime
) -> Answer | None:
    """With distress heard, an answer to the step is kept only when it is a concern
    ("I'm in crisis" at the coping step); distress is never recorded as all being well."""
    understood = _understand(script, script.choices(step), language, heard, step)
    if understood is None or understood[0].value == REASSURING.get(step.ask):
        return None
    return _answer(step, understood[0].value, heard, understood[1], now)


def _unclear(script: Script, language: str, step: Step, given: Given, tries: int) -> Turn:
    """Asked again once; then a safety question goes to a handler, an offer is skipped."""
    if tries < MAX_TRIES:
        return _ask(script, language, step, tries + 1, (script.common.sorry[language],))
    if step.ask in REASSURING:
        return _transfer(script, language, TransferReason.UNCLEAR, None)
    return _continue_from(script, language, script.index(step.id) + 1, given, ())


def _read_back(
    script: Script, language: str, step: Step, choice: Choice, tries: int, say: tuple[str, ...]
) -> Turn:
    assert choice.means is not None  # the script loader checks status choices have it
    text = script.common.read_back[language].format(answer=choice.means[language])
    return Turn(say=(*say, text), ask=step, tries=tries, confirming=choice.value)


def _confirm(
    script: Script,
    language: str,
    step: Step,
    given: Given,
    heard: Heard,
    tries: int,
    now: datetime,
    confirming: AnswerValue,
) -> Turn:
    understood = _understand(script, script.common.choices[YES_NO], language, heard, None)
    if understood is not None and understood[0].value == AnswerValue.YES:
        return _answered(
            script, language, step, given, _answer(step, confirming, heard, understood[1], now)
        )
    if tries >= MAX_TRIES:
        return _transfer(script, language, TransferReason.UNCLEAR, None)
    sorry = (script.common.sorry[language],)
    if understood is None:  # not a clear yes or no: read it back again
        choice = next(c for c in script.choices(step) if c.value == confirming)
        return _read_back(script, language, step, choice, tries + 1, sorry)
    return _ask(script, language, step, tries + 1, sorry)  # "no": ask the question again


def _confirm_stop(
    script: Script, language: str, step: Step, heard: Heard, tries: int, now: datetime
) -> Turn:
    """Only a clear yes stops the calls; anything else carries on with the question."""
    understood = _understand(script, script.common.choices[YES_NO], language, heard, None)
    if understood is None or understood[0].value != AnswerValue.YES:
        return _ask(script, language, step, tries, (script.common.carry_on[language],))
    answer = Answer(
        question_id=QuestionId.OPT_OUT.value,
        value=AnswerValue.YES.value,
        heard=heard.digits or heard.speech,
        via=understood[1],
        confidence=heard.confidence if understood[1] == "speech" else None,
        answered_at=now,
    )
    return Turn(say=(script.common.stopped[language],), answer=answer, opted_out=True)


def _ask(script: Script, language: str, step: Step, tries: int, say: tuple[str, ...]) -> Turn:
    return Turn(say=(*say, step.prompt[language]), ask=step, tries=tries)


def _continue_from(
    script: Script, language: str, start: int, given: Given, say: tuple[str, ...]
) -> Turn:
    for step in script.steps[start:]:
        if _applies(step, given):
            return _ask(script, language, step, 1, say)
    closing = script.closing_follow_up if _follow_up(given) else script.closing
    return Turn(say=(*say, closing[language]), completed=True)


def _follow_up(given: Given) -> bool:
    """Whether an answer will raise something (an alert, a referral, a change on the
    record), so the closing may say so: any answer other than the reassuring one."""
    return any(
        value != _REASSURING[question] if question in _REASSURING else value == AnswerValue.ACCEPTED
        for question, value in given.items()
    )


def _applies(step: Step, given: Given) -> bool:
    if not step.ask_if:
        return True
    return any(
        given.get(question.value) in {value.value for value in values}
        for question, values in step.ask_if.items()
    )


def _understand(
    script: Script, choices: tuple[Choice, ...], language: str, heard: Heard, step: Step | None
) -> tuple[Choice, str] | None:
    """The choice meant, and how it was given, when it is clear. Keys win over speech.
    In speech: a keyword inside a longer one counts only as the longer ("not fine" is not
    "fine"); a reassuring keyword after a negation does not count ("nie jest dobrze");
    speech heard with a low confidence, or saying "I don't know", is not an answer; what
    is left must all point to one choice ("yes and no" is not understood)."""
    if heard.digits:
        digits = heard.digits.strip()
        return next(((c, "dtmf") for c in choices if c.digits == digits), None)
    if heard.confidence is not None and heard.confidence < MIN_CONFIDENCE:
        return None
    spoken = phrases.words(heard.speech or "")
    if phrases.first(spoken, script.common.unsure_words[language]) is not None:
        return None
    reassuring = REASSURING.get(step.ask) if step is not None else AnswerValue.YES
    spans = [
        (span, choice)
        for choice in choices
        for phrase in choice.words[language]
        for span in phrases.find(spoken, phrase)
    ]
    meant = {
        choice.value: choice
        for (start, end), choice in spans
        if not any(s <= start and end <= e and (s, e) != (start, end) for (s, e), _ in spans)
        and not (choice.value == reassuring and phrases.negated(spoken, (start, end)))
    }
    if len(meant) != 1:
        return None
    return next(iter(meant.values())), "speech"
