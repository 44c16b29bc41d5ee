"""The shipped scripts load, speak every language, and ask only the shared vocabulary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contracts.codes import ScriptName
from contracts.questions import (
    ALLOWED_ANSWERS,
    FRAT_QUESTIONS,
    HIGH_FALLS_RISK_QUESTIONS,
    KEY_FALLS_QUESTIONS,
    AnswerValue,
    QuestionId,
)
from services.telephony.script import SCRIPTS_DIR, TRANSFER, library, load_library


def asked(name: ScriptName) -> list[QuestionId]:
    return [step.ask for step in library()[name].steps]


def test_every_script_name_has_a_script_in_english_and_polish() -> None:
    assert set(library()) == set(ScriptName)
    for script in library().values():
        assert {"en-GB", "pl-PL"} <= set(script.common.languages)
        assert all({"en-GB", "pl-PL"} <= set(step.prompt) for step in script.steps)


def test_answers_are_the_shared_vocabulary() -> None:
    for script in library().values():
        for step in script.steps:
            values = {choice.value for choice in script.choices(step)}
            assert values <= set(ALLOWED_ANSWERS[step.ask]), step.id


def test_the_scripts_ask_what_the_outcome_processor_acts_on() -> None:
    assert asked(ScriptName.WELFARE_CHECK) == [
        QuestionId.FEELING_OK,
        QuestionId.NEEDS_ANYTHING,
        QuestionId.WANTS_CALLBACK,
    ]
    assert asked(ScriptName.POST_DISCHARGE) == asked(ScriptName.WELFARE_CHECK)
    assert (
        library()[ScriptName.POST_DISCHARGE].opening != library()[ScriptName.WELFARE_CHECK].opening
    )
    assert asked(ScriptName.UNMET_NEED_CHECKIN)[0] is QuestionId.COPING
    falls = asked(ScriptName.FALLS_PREVENTION)
    assert falls[:3] == list(KEY_FALLS_QUESTIONS)
    assert set(HIGH_FALLS_RISK_QUESTIONS) | set(FRAT_QUESTIONS) <= set(falls)
    assert QuestionId.OFFER_FALLS_CLASSES in falls
    assert asked(ScriptName.FALLS_FOLLOW_UP) == falls


def test_a_recent_fall_or_being_unable_to_get_up_transfers_at_once() -> None:
    script = library()[ScriptName.FALLS_PREVENTION]
    for question in (QuestionId.FALL_IN_LAST_DAYS, QuestionId.UNABLE_TO_GET_UP):
        step = next(s for s in script.steps if s.ask is question)
        assert step.go_to == {AnswerValue.YES: TRANSFER}


def broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    directory = tmp_path / "scripts"
    shutil.copytree(SCRIPTS_DIR, directory)
    path = directory / "welfare_check.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return directory


@pytest.mark.parametrize(
    ("old", "new", "complaint"),
    [
        ("choices: yes_no", "choices: coping", "cannot be answered"),
        ("ask: needs_anything", "ask: feeling_ok", "asked twice"),
        ("ask: feeling_ok", "ask: how_are_you", "ask"),
        ('      pl-PL: "Czy dobrze', '      xx-YY: "Czy dobrze', "no text for pl-PL"),
        ("choices: yes_no\n", 'choices: yes_no\n    go_to: {"no": feeling_ok}\n', "later step"),
    ],
)
def test_a_broken_script_is_refused_when_loaded(
    tmp_path: Path, old: str, new: str, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        load_library(broken_copy(tmp_path, old, new))


def test_a_script_that_lets_an_urgent_answer_carry_on_is_refused(tmp_path: Path) -> None:
    """H6: "in crisis" must go to a handler at once; a script that forgets is not loaded."""
    directory = tmp_path / "scripts"
    shutil.copytree(SCRIPTS_DIR, directory)
    path = directory / "unmet_need_checkin.yaml"
    path.write_text(path.read_text().replace("    go_to: {in_crisis: transfer}\n", "", 1))
    with pytest.raises(ValueError, match="in_crisis must go_to transfer"):
        load_library(directory)


def test_every_language_has_distress_words() -> None:
    common = library()[ScriptName.WELFARE_CHECK].common
    for language in common.languages:
        assert common.distress_words[language] and common.reported_words[language]
