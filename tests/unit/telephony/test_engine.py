"""The script engine: answers, branching, transfers, read-backs and misunderstandings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.codes import ScriptName
from contracts.questions import AnswerValue
from services.telephony.distress import TransferReason
from services.telephony.engine import MAX_TRIES, Heard, Turn, open_call, respond
from services.telephony.script import Script, library

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def script(name: ScriptName) -> Script:
    return library()[name]


def run(
    name: ScriptName, replies: list[Heard], language: str = "en-GB"
) -> tuple[dict[str, str], Turn]:
    """Answer each question (or read-back) in turn; the answers recorded and the last turn."""
    s = script(name)
    turn = open_call(s, language)
    given: dict[str, str] = {}
    for heard in replies:
        assert turn.ask is not None, "the call ended before every reply was used"
        turn = respond(s, language, turn.ask.id, given, heard, turn.tries, NOW, turn.confirming)
        if turn.answer:
            given[turn.answer.question_id] = turn.answer.value
    return given, turn


def keys(*digits: str) -> list[Heard]:
    return [Heard(digits=d) for d in digits]


def said(text: str, confidence: float = 0.9) -> Heard:
    return Heard(speech=text, confidence=confidence)


def test_the_call_opens_with_the_greeting_and_the_press_0_offer() -> None:
    turn = open_call(script(ScriptName.WELFARE_CHECK), "pl-PL")
    assert turn.say[0].startswith("Dzień dobry")
    assert "nacisnąć 0" in turn.say[1]
    assert turn.ask is not None and turn.ask.id == "feeling_ok"


def test_a_welfare_call_with_a_concern_closes_with_the_call_back_it_raised() -> None:
    given, turn = run(ScriptName.WELFARE_CHECK, keys("2", "1", "1"))
    assert given == {"feeling_ok": "no", "needs_anything": "yes", "wants_callback": "yes"}
    assert turn.completed and turn.ask is None and turn.transfer is None
    assert turn.say[-1].startswith("Thank you. A member of the team will call you back")


def test_a_welfare_call_with_nothing_to_follow_up_promises_nothing() -> None:
    _, turn = run(ScriptName.WELFARE_CHECK, keys("1", "2", "2"))
    assert turn.completed
    assert turn.say[-1] == "Thank you for talking to us. Take care. Goodbye."


def test_all_no_to_the_falls_questions_does_not_promise_contact() -> None:
    given, turn = run(ScriptName.FALLS_PREVENTION, keys("2", "2", "2"))
    assert list(given) == ["fallen_past_year", "unsteady", "worried_about_falling"]
    assert turn.completed
    assert "in touch" not in turn.say[-1] and "contact you" not in turn.say[-1]


def test_unsteady_without_a_fall_skips_the_fall_questions_but_asks_frat() -> None:
    given, turn = run(
        ScriptName.FALLS_PREVENTION, keys("2", "1", "2", "2", "2", "2", "1", "1", "1")
    )
    assert list(given)[3:] == [
        "four_or_more_medications",
        "stroke_or_parkinsons",
        "balance_problems",
        "cannot_rise_from_chair",
        "frailty",
        "offer_falls_classes",
    ]
    assert given["frailty"] == "yes"
    assert given["offer_falls_classes"] == "accepted"
    assert turn.completed and "contact you" in turn.say[-1]


def test_unable_to_get_up_is_recorded_then_transferred() -> None:
    given, turn = run(ScriptName.FALLS_PREVENTION, keys("1", "1", "1", "2", "1"))
    assert given["unable_to_get_up"] == "yes"
    assert turn.transfer is TransferReason.URGENT_ANSWER and turn.answer is not None
    assert turn.answer.question_id == "unable_to_get_up"
    assert turn.say == ("Putting you through to the team now. Please hold.",)


def test_pressing_3_in_crisis_transfers_at_once_and_keeps_the_answer() -> None:
    given, turn = run(ScriptName.UNMET_NEED_CHECKIN, keys("3"))
    assert given == {"coping": "in_crisis"}
    assert turn.transfer is TransferReason.URGENT_ANSWER and turn.ask is None


def test_a_status_answer_is_read_back_and_kept_only_when_confirmed() -> None:
    s = script(ScriptName.UNMET_NEED_CHECKIN)
    heard = respond(s, "en-GB", "coping", {}, said("I'm managing"), 1, NOW)
    assert heard.answer is None and heard.confirming is AnswerValue.MANAGING_OK
    assert heard.say == (
        "I heard that you are managing OK. Is that right? Say yes or press 1. Say no or press 2.",
    )
    kept = respond(s, "en-GB", "coping", {}, Heard(digits="1"), 1, NOW, heard.confirming)
    assert kept.answer is not None and kept.answer.value == "managing_ok"
    assert kept.ask is not None and kept.ask.id == "eating_and_drinking"
    denied = respond(s, "en-GB", "coping", {}, said("no"), 1, NOW, heard.confirming)
    assert denied.answer is None and denied.confirming is None
    assert denied.ask is not None and denied.ask.id == "coping" and denied.tries == 2
    again = respond(s, "en-GB", "coping", {}, said("no"), MAX_TRIES, NOW, heard.confirming)
    assert again.transfer is TransferReason.UNCLEAR


def test_meals_are_offered_only_to_someone_not_eating_well() -> None:
    eating, _ = run(ScriptName.UNMET_NEED_CHECKIN, keys("1", "1", "1", "1", "1", "1", "2"))
    assert "offer_community_meals" not in eating
    not_eating, turn = run(
        ScriptName.UNMET_NEED_CHECKIN, keys("2", "1", "2", "1", "1", "3", "2", "2")
    )
    assert not_eating["coping"] == "struggling"
    assert not_eating["carer_coping"] == "no_carer"
    assert not_eating["offer_community_meals"] == "declined"
    assert turn.completed and "noted what you told us" in turn.say[-1]


def test_press_0_or_asking_for_someone_transfers_without_an_answer() -> None:
    s = script(ScriptName.WELFARE_CHECK)
    for heard in (Heard(digits="0"), said("Can I speak to someone please")):
        turn = respond(s, "en-GB", "needs_anything", {}, heard, 1, NOW)
        assert turn.transfer is TransferReason.ASKED and turn.answer is None


@pytest.mark.parametrize(
    ("speech", "language", "value"),
    [
        ("I'm not fine at all", "en-GB", "no"),
        ("I am not okay", "en-GB", "no"),
        ("not fine", "en-GB", "no"),
        ("No I'm not", "en-GB", "no"),
        ("Yes I am thanks", "en-GB", "yes"),
        ("Tak", "pl-PL", "yes"),
        ("Nie jest dobrze", "pl-PL", "no"),
    ],
)
def test_speech_is_understood_with_its_negations(speech: str, language: str, value: str) -> None:
    s = script(ScriptName.WELFARE_CHECK)
    turn = respond(s, language, "feeling_ok", {}, said(speech, 0.8), 1, NOW)
    assert turn.answer is not None, speech
    assert (turn.answer.value, turn.answer.via, turn.answer.heard) == (value, "speech", speech)
    assert turn.answer.confidence == 0.8


@pytest.mark.parametrize(
    ("speech", "language"),
    [("I am not okay", "en-GB"), ("not fine really", "en-GB"), ("nie jest dobrze", "pl-PL")],
)
def test_not_okay_is_never_heard_as_managing(speech: str, language: str) -> None:
    s = script(ScriptName.UNMET_NEED_CHECKIN)
    turn = respond(s, language, "coping", {}, said(speech), 1, NOW)
    assert turn.confirming is AnswerValue.STRUGGLING


def test_i_have_is_not_yes() -> None:
    s = script(ScriptName.FALLS_PREVENTION)
    turn = respond(s, "en-GB", "unsteady", {}, said("I have"), 1, NOW)
    assert turn.answer is None and turn.tries == 2


@pytest.mark.parametrize(
    "heard",
    [said("yes", confidence=0.3), said("I don't know"), said("yes and no"), said("purple")],
)
def test_an_unclear_answer_to_a_safety_question_is_asked_again_then_goes_to_a_handler(
    heard: Heard,
) -> None:
    s = script(ScriptName.WELFARE_CHECK)
    first = respond(s, "en-GB", "feeling_ok", {}, heard, 1, NOW)
    assert first.ask is not None and first.ask.id == "feeling_ok" and first.answer is None
    assert first.tries == 2 and first.say[0] == "Sorry, I didn't catch that."
    last = respond(s, "en-GB", "feeling_ok", {}, heard, MAX_TRIES, NOW)
    assert last.transfer is TransferReason.UNCLEAR and last.answer is None


def test_an_unclear_answer_to_an_offer_moves_on_without_recording_it() -> None:
    s = script(ScriptName.UNMET_NEED_CHECKIN)
    turn = respond(
        s,
        "en-GB",
        "offer_community_meals",
        {"coping": "struggling"},
        said("purple"),
        MAX_TRIES,
        NOW,
    )
    assert turn.completed and turn.answer is None and turn.transfer is None


def test_silence_after_answering_goes_to_a_handler_at_once() -> None:
    s = script(ScriptName.WELFARE_CHECK)
    turn = respond(s, "en-GB", "feeling_ok", {}, Heard(), 1, NOW)
    assert turn.transfer is TransferReason.SILENCE


def test_distress_at_a_step_keeps_a_concerning_answer_but_never_a_reassuring_one() -> None:
    s = script(ScriptName.UNMET_NEED_CHECKIN)
    crisis = respond(s, "en-GB", "coping", {}, said("I'm in crisis, help"), 1, NOW)
    assert crisis.transfer is TransferReason.DISTRESS
    assert crisis.answer is not None and crisis.answer.value == "in_crisis"
    welfare = script(ScriptName.WELFARE_CHECK)
    fell = respond(
        welfare, "en-GB", "feeling_ok", {}, said("I have fallen and I cannot get up"), 1, NOW
    )
    assert fell.transfer is TransferReason.DISTRESS and fell.answer is None


def test_a_language_the_scripts_do_not_speak_falls_back_to_english() -> None:
    s = script(ScriptName.WELFARE_CHECK)
    assert s.language("cy-GB") == "en-GB"
    assert s.language("pl-PL") == "pl-PL"


@pytest.mark.parametrize(
    ("speech", "language"), [("please stop calling me", "en-GB"), ("proszę nie dzwonić", "pl-PL")]
)
def test_stop_calling_me_is_read_back_and_honoured_only_on_a_clear_yes(
    speech: str, language: str
) -> None:
    """H11: the request is understood at any step, confirmed, then recorded."""
    s = script(ScriptName.WELFARE_CHECK)
    asked = respond(s, language, "needs_anything", {}, said(speech), 1, NOW)
    assert asked.stopping and asked.answer is None and asked.ask is not None
    yes = respond(s, language, "needs_anything", {}, Heard(digits="1"), 1, NOW, stopping=True)
    assert yes.opted_out and yes.ask is None and yes.transfer is None
    assert yes.answer is not None and (yes.answer.question_id, yes.answer.value) == (
        "opt_out",
        "yes",
    )
    no = respond(s, language, "needs_anything", {}, said("nope"), 1, NOW, stopping=True)
    assert not no.opted_out and no.ask is not None and no.ask.id == "needs_anything"
    help_me = respond(s, language, "needs_anything", {}, said("help"), 1, NOW, stopping=True)
    assert help_me.transfer is TransferReason.DISTRESS and not help_me.opted_out
