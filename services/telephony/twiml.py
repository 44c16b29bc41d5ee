"""Turns rendered as TwiML with twilio's VoiceResponse."""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from services.telephony.engine import Turn

GATHER_TIMEOUT_S = 6


def render(turn: Turn, language: str, gather_url: str) -> str:
    """A question or the goodbye. `gather_url` is where the answer to `turn.ask` is
    posted; Twilio also falls through to it (a <Redirect>) when nothing was heard, so
    silence is answered too. A transfer is rendered by `dial`."""
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
        for text in turn.say:
            gather.say(text, language=language)
        response.redirect(gather_url, method="POST")
        return str(response)
    for text in turn.say:
        response.say(text, language=language)
    response.hangup()
    return str(response)


def dial(say: tuple[str, ...], language: str, number: str, timeout_s: int, action_url: str) -> str:
    """Put the person through to `number`. Twilio rings it for `timeout_s` and then posts
    the result (DialCallStatus) to `action_url`, whose answer continues the call."""
    response = VoiceResponse()
    for text in say:
        response.say(text, language=language)
    response.dial(number, timeout=timeout_s, action=action_url, method="POST")
    return str(response)


def hang_up(say: tuple[str, ...] = (), language: str = "en-GB") -> str:
    response = VoiceResponse()
    for text in say:
        response.say(text, language=language)
    response.hangup()
    return str(response)
