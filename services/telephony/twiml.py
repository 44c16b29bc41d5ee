"""Turns rendered as TwiML with twilio's VoiceResponse."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from services.telephony.engine import Turn

GATHER_TIMEOUT_S = 6


def render(turn: Turn, language: str, gather_url: str, transfer_number: str) -> str:
    """`gather_url` is where the answer to `turn.ask` is posted; Twilio also falls through
    to it (a <Redirect>) when nothing was heard, so silence is answered too."""
    response = VoiceResponse()
    if turn.ask is not None:
        gather = response.gather(
            input="dtmf speech",
            num_digits=1,
            timeout=GATHER_TIMEOUT_S,
            speech_timeout="auto",
            action=gather_url,
            method="POST",
            language=language,
        )
        # Everything is said inside the Gather, so the person can answer without waiting.
        for text in (*turn.say, turn.ask.prompt[language]):
            gather.say(text, language=language)
        response.redirect(gather_url, method="POST")
        return str(response)
    for text in turn.say:
        response.say(text, language=language)
    if turn.transfer:
        response.dial(transfer_number)
    else:
        response.hangup()
    return str(response)


def hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
