"""Turns rendered as TwiML: Gather with nested Say, a transfer Dial with its timeout and
action callback, polite Hangup."""

from __future__ import annotations

from defusedxml.ElementTree import fromstring

from contracts.codes import ScriptName
from services.telephony.engine import Turn, open_call
from services.telephony.script import library
from services.telephony.twiml import dial, render

URL = "https://ivr.example.org/ivr/gather?call=c1&step=feeling_ok&tries=1"


def test_a_question_is_a_gather_for_keys_and_speech_in_the_persons_language() -> None:
    turn = open_call(library()[ScriptName.WELFARE_CHECK], "pl-PL")
    root = fromstring(render(turn, "pl-PL", URL))
    gather, redirect = list(root)
    assert gather.tag == "Gather"
    assert (
        gather.attrib.items()
        >= {
            "input": "dtmf speech",
            "action": URL,
            "method": "POST",
            "language": "pl-PL",
            "numDigits": "1",
        }.items()
    )
    says = list(gather)
    assert [say.tag for say in says] == ["Say"] * 3
    assert {say.get("language") for say in says} == {"pl-PL"}
    assert says[2].text is not None and says[2].text.startswith("Czy dobrze")
    assert (redirect.tag, redirect.text) == ("Redirect", URL)


def test_a_transfer_dials_the_scrs_number_with_a_timeout_and_an_action() -> None:
    action = "https://ivr.example.org/ivr/dialed?call=c1&reason=distress&tried="
    root = fromstring(dial(("Putting you through.",), "en-GB", "+441382000999", 20, action))
    assert [(el.tag, el.text) for el in root] == [
        ("Say", "Putting you through."),
        ("Dial", "+441382000999"),
    ]
    assert root[1].attrib == {"timeout": "20", "action": action, "method": "POST"}


def test_the_end_says_goodbye_and_hangs_up() -> None:
    root = fromstring(render(Turn(say=("Goodbye.",), completed=True), "en-GB", ""))
    assert [el.tag for el in root] == ["Say", "Hangup"]
