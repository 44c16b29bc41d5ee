"""Distress first: the one check every step of every script makes before it looks for an
answer. Pure: what was heard and the scripts' shared vocabulary in, a reason to put the
person through to the SCRS line at once (or None) out.

Distress words are heard in every language the scripts speak, whatever the call's
language, and a negation never cancels them ("no, help me" is distress); reported events
(a fall, pain, an injury) are cancelled only by a negation right before them ("never
fell"). A needless transfer costs a handler a minute, a missed one can cost a life
(hazard H1 in docs/safety/hazard-log.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from services.telephony import phrases

SPEAK_TO_SOMEONE_KEY = "0"


class TransferReason(StrEnum):
    """Why a call was put through to the SCRS line; kept in its alerts."""

    ASKED = "asked"  # key 0 or asked for a person
    DISTRESS = "distress"  # distress words heard
    SILENCE = "silence"  # nothing heard after the person answered
    URGENT_ANSWER = "urgent_answer"  # an answer that needs a handler now (in crisis...)
    UNCLEAR = "unclear"  # no clear answer to a safety question, asked twice

    @property
    def described(self) -> str:
        return DESCRIBED[self]


DESCRIBED = {
    TransferReason.ASKED: "asked to speak to someone",
    TransferReason.DISTRESS: "distress words heard",
    TransferReason.SILENCE: "nothing heard after the person answered",
    TransferReason.URGENT_ANSWER: "gave an answer that needs a handler now",
    TransferReason.UNCLEAR: "no clear answer to a safety question after asking twice",
}


@dataclass(frozen=True)
class Vocabulary:
    """The shared words (scripts/common.yaml), all languages together."""

    distress: tuple[str, ...]
    reported: tuple[str, ...]
    someone: tuple[str, ...]


def check(digits: str | None, speech: str | None, words: Vocabulary) -> TransferReason | None:
    """Whether what was heard at any step must go to a handler now: key 0, asking for a
    person, distress words, or nothing at all (the person answered the phone and then
    said and pressed nothing: they may have collapsed)."""
    if digits and digits.strip():
        return TransferReason.ASKED if digits.strip() == SPEAK_TO_SOMEONE_KEY else None
    heard = phrases.words(speech or "")
    if phrases.said_nothing(heard):
        return TransferReason.SILENCE
    if phrases.first(heard, words.distress) is not None or _reported(heard, words.reported):
        return TransferReason.DISTRESS
    if phrases.first(heard, words.someone) is not None:
        return TransferReason.ASKED
    return None


def _reported(heard: tuple[str, ...], reported: Iterable[str]) -> bool:
    return any(
        not phrases.negated(heard, span, reach=1)
        for phrase in reported
        for span in phrases.find(heard, phrase)
    )
