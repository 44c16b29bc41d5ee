"""The script engine: answers, branching, transfers and misunderstandings."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.codes import ScriptName
from services.telephony.engine import MAX_TRIES, Heard, Turn, open_call, respond
from services.telephony.script import Script, library

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def script(name: ScriptName) -> Script:
    return library()[name]


def run(name: ScriptName, replies: list[Heard], language: str = "en-GB") -> tuple[
    dict[str, str], Turn
]:
    """Answer each question in turn; the answers recorded and the last turn."""
    s = script(name)
    turn = open_call(s, language)
    given: dict[str, str] = {}
    for heard in replies:
        assert turn.ask is not None, "the call ended before every reply was used"
        turn = respond(s, language, turn.ask.id, given, heard, turn.tries, NOW)
        if turn.answer:
            given[turn.answer.question_id] = turn.answer.value
    return given, turn


def keys(*digits: str) -> list[Heard]:
    return [Heard(digits=d) for d in digits]


def test_the_call_opens_with_the_greeting_and_the_press_0_offer() -> None:
    turn = open_call(script(ScriptName.WELFARE_CHECK), "pl-PL")
    assert turn.say[0].startswith("Dzień dobry")
    assert "nacisnąć 0" in turn.say[1]
    assert turn.ask is not None and turn.ask.id == "feeling_ok"


def test_a_welfare_call_runs_to_its_polite_end() -> None:
    given, turn = run(ScriptName.WELFARE_CHECK, keys("2", "1", "1"))
    assert given == {"feeling_ok": "no", "needs_anything": "yes", "wants_callback": "yes"}
    assert turn.completed and turn.ask is None and not turn.transfer
    assert turn.say[-1].endswith("Goodbye.")


def test_three_noes_to_the_key_falls_questions_end_the_screen() -> None:
    given, turn = run(ScriptName.FALLS_PREVENTION, keys("2", "2", "2"))
    assert list(given) == ["fallen_past_year", "unsteady", "worried_about_falling"]
    assert turn.completed


def test_unsteady_without_a_fall_skips_the_fall_questions_but_asks_frat() -> None:
    given, turn = run(ScriptName.FALLS_PREVENTION, keys("2", "1", "2", "2", "2", "2", "1", "1"))
    assert list(given)[3:] == [
        "four_or_more_medications", "stroke_or_parkinsons", "balance_problems",
        "cannot_rise_from_chair", "offer_falls_classes",
    ]
    assert given["offer_falls_classes"] == "accepted"
    assert turn.completed


def test_unable_to_get_up_is_recorded_then_transferred() -> None:
    given, turn = run(ScriptName.FALLS_PREVENTION, keys("1", "1", "1", "2", "1"))
    assert given["unable_to_get_up"] == "yes"
    assert turn.transfer and turn.answer is not None
    assert turn.answer.question_id == "unable_to_get_up"
    assert turn.say == ("Putting you through to the team now. Please hold.",)


def test_meals_are_offered_only_to_someone_not_eating_well() -> None:
    eating, _ = run(ScriptName.UNMET_NEED_CHECKIN, keys("1", "1", "1", "1", "1", "2"))
    assert "offer_community_meals" not in eating
    not_eating, turn = run(ScriptName.UNMET_NEED_CHECKIN, keys("2", "2", "1", "1", "3", "2", "2"))
    assert not_eating["carer_coping"] == "no_carer"
    assert not_eating["offer_community_meals"] == "declined"
    assert turn.completed


def test_press_0_or_asking_for_someone_transfers_without_an_answer() -> None:
    s = script(ScriptName.WELFARE_CHECK)
    for heard in (Heard(digits="0"), Heard(speech="Can I speak to someone please")):
        turn = respond(s, "en-GB", "needs_anything", {}, heard, 1, NOW)
        assert turn.transfer and turn.answer is None


def test_speech_is_understood_by_the_longest_keyword() -> None:
    s = script(ScriptName.WELFARE_CHECK)
    cases = {"I'm not fine at all": "no", "Yes I am thanks": "yes", "Tak": "yes"}
    for speech, value in cases.items():
        language = "pl-PL" if speech == "Tak" else "en-GB"
        turn = respond(s, language, "feeling_ok", {}, Heard(speech=speech, confidence=0.8), 1,
                       NOW)
        assert turn.answer is not None, speech
        assert (turn.answer.value, turn.answer.via, turn.answer.heard) == (
            value, "speech", speech
        )
        assert turn.answer.confidence == 0.8


def test_silence_or_nonsense_is_asked_again_then_the_call_ends_politely() -> None:
    s = script(ScriptName.WELFARE_CHECK)
    first = respond(s, "en-GB", "feeling_ok", {}, Heard(), 1, NOW)
    assert first.ask is not None and first.ask.id == "feeling_ok"
    assert first.tries == 2 and first.say == ("Sorry, I didn't catch that.",)
    last = respond(s, "en-GB", "feeling_ok", {}, Heard(speech="yes and no"), MAX_TRIES, NOW)
    assert last.ask is None and not last.completed and last.answer is None
    assert "try another time" in last.say[0]


def test_a_language_the_scripts_do_not_speak_falls_back_to_english() -> None:
    s = script(ScriptName.WELFARE_CHECK)
    assert s.language("cy-GB") == "en-GB"
    assert s.language("pl-PL") == "pl-PL"
