"""The distress matcher on its own: every phrase the issue lists, in English and Polish,
and the negations that cancel a reported event but never distress."""

from __future__ import annotations

import pytest

from services.telephony.distress import TransferReason, check
from services.telephony.script import library

WORDS = next(iter(library().values())).common.vocabulary

DISTRESS = [
    "I have fallen and I cannot get up",
    "I've fallen",
    "help",
    "help me",
    "Help!",
    "ambulance",
    "call an ambulance",
    "I'm in a lot of pain",
    "I can't breathe",
    "I'm in crisis",
    "I'm not coping",
    "I can't manage",
    "I can\u2019t manage any more",
    "I fell this morning",
    "no, help me",
    "I'm on the floor",
    "I can't get up",
    "upadłem i nie mogę wstać",
    "upadłam",
    "pomocy",
    "proszę o pomoc",
    "wezwijcie karetkę",
    "bardzo boli",
    "nie mogę oddychać",
    "nie radzę sobie",
    "przewróciłam się",
]
NOT_DISTRESS = [
    "yes",
    "no",
    "I'm fine thanks",
    "no I haven't fallen",
    "I never fell",
    "no pain",
    "nie upadłem",
    "tak",
    "nie",
    "not really",
    "I worry about falling",
]


@pytest.mark.parametrize("speech", DISTRESS)
def test_distress_is_heard(speech: str) -> None:
    assert check(None, speech, WORDS) is TransferReason.DISTRESS, speech


@pytest.mark.parametrize("speech", NOT_DISTRESS)
def test_an_ordinary_or_denied_answer_is_not_distress(speech: str) -> None:
    assert check(None, speech, WORDS) is None, speech


def test_keys_silence_and_asking_for_someone() -> None:
    assert check("0", None, WORDS) is TransferReason.ASKED
    assert check("1", None, WORDS) is None
    assert check(None, None, WORDS) is TransferReason.SILENCE
    assert check(None, " , . ", WORDS) is TransferReason.SILENCE
    assert check(None, "can I talk to someone", WORDS) is TransferReason.ASKED
