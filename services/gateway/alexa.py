"""Alexa custom-skill requests to care intents, and the speech that answers them: pure.

The skill's interaction model names these intents; the daily check-in is answered with
"I'm OK" or "I need help", and a reminder acknowledgement carries a `reminder` slot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from contracts.devices import VoiceEvent, VoiceIntent
from contracts.envelope import deterministic_id
from contracts.errors import TecflowError

MAX_AGE = timedelta(seconds=150)
INTENTS = {
    "CheckInOkIntent": VoiceIntent.CHECKIN_OK,
    "CheckInNeedHelpIntent": VoiceIntent.CHECKIN_NEED_HELP,
    "SosIntent": VoiceIntent.SOS,
    "CallMyContactIntent": VoiceIntent.CALL_MY_CONTACT,
    "ReminderAcknowledgedIntent": VoiceIntent.REMINDER_ACKNOWLEDGED,
}
REQUEST_TYPES = {
    "LaunchRequest": VoiceIntent.LAUNCH,
    "SessionEndedRequest": VoiceIntent.SESSION_ENDED,
}
# Said once the request is taken (published or spooled), which is all the gateway knows:
# never that someone is on the way (hazard H8 in docs/safety/hazard-log.md).
SPEECH = {
    VoiceIntent.CHECKIN_OK: "Thank you. I have noted that you are OK today.",
    VoiceIntent.CHECKIN_NEED_HELP: "I have sent your request for help to the care team. "
    "If it is an emergency, press your alarm button or call 999.",
    VoiceIntent.SOS: "I have sent an emergency alert to the care team. "
    "If you need an ambulance, call 999 now.",
    VoiceIntent.CALL_MY_CONTACT: "I have asked the care team to call your contact.",
    VoiceIntent.REMINDER_ACKNOWLEDGED: "Thank you, I have noted that.",
    VoiceIntent.LAUNCH: "Hello. You can say I'm OK, I need help, or call my contact.",
    VoiceIntent.SESSION_ENDED: "",
}
UNKNOWN_SPEECH = "Sorry, I did not understand. You can say I'm OK, or I need help."
Reminder = Literal["medication", "fluids", "other"]


class AlexaRejected(TecflowError, ValueError):
    """Not a request this skill accepts."""


@dataclass(frozen=True)
class AlexaRequest:
    request_id: str
    device_id: str
    timestamp: datetime
    intent: VoiceIntent | None  # None: an intent this skill does not handle
    reminder: Reminder | None
    locale: str | None

    def to_event(self, person_id: str, received_at: datetime) -> VoiceEvent:
        assert self.intent is not None
        return VoiceEvent(
            # Alexa retries with the same requestId: the retry is the same event.
            event_id=deterministic_id("alexa", self.request_id),
            person_id=person_id,
            occurred_at=self.timestamp,
            received_at=received_at,
            source="gateway.alexa",
            device_id=self.device_id,
            request_id=self.request_id,
            intent=self.intent,
            reminder=self.reminder,
            locale=self.locale,
        )


def parse_request(body: bytes, application_id: str, now: datetime) -> AlexaRequest:
    """The request, or AlexaRejected: whatever the (signed) body holds, never another error
    (77 of 300 malformed bodies once gave 500)."""
    try:
        return _parse(body, application_id, now)
    except AlexaRejected:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as error:
        raise AlexaRejected("not an Alexa request envelope") from error


def _parse(body: bytes, application_id: str, now: datetime) -> AlexaRequest:
    try:
        envelope = json.loads(body)
        request = envelope["request"]
        system = envelope["context"]["System"]
        app = (envelope.get("session") or {}).get("application") or system["application"]
        timestamp = datetime.fromisoformat(str(request["timestamp"]).replace("Z", "+00:00"))
        request_id, device_id = str(request["requestId"]), str(system["device"]["deviceId"])
        kind = str(request["type"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise AlexaRejected("not an Alexa request envelope") from error
    if app.get("applicationId") != application_id:
        raise AlexaRejected("applicationId is not this skill's")
    if timestamp.tzinfo is None or abs(now - timestamp) > MAX_AGE:
        raise AlexaRejected("request timestamp is more than 150 s from now")
    intent, reminder = _intent(kind, request)
    locale = request.get("locale")
    parsed = AlexaRequest(
        request_id,
        device_id,
        timestamp,
        intent,
        reminder,
        locale if isinstance(locale, str) else None,
    )
    if parsed.intent is not None:
        parsed.to_event("-", now)  # the contract's checks now, not a 500 later
    return parsed


def _intent(kind: str, request: dict[str, Any]) -> tuple[VoiceIntent | None, Reminder | None]:
    if kind in REQUEST_TYPES:
        return REQUEST_TYPES[kind], None
    if kind != "IntentRequest":
        return None, None
    name = (request.get("intent") or {}).get("name")
    intent = INTENTS.get(str(name))
    if intent is not VoiceIntent.REMINDER_ACKNOWLEDGED:
        return intent, None
    slots = request["intent"].get("slots") or {}
    spoken = str((slots.get("reminder") or {}).get("value") or "").lower()
    reminder: Reminder = (
        "medication"
        if spoken.startswith(("medic", "tablet", "pill"))
        else "fluids"
        if spoken in ("fluids", "drink", "water")
        else "other"
    )
    return intent, reminder


def speech(text: str, end_session: bool = True) -> dict[str, Any]:
    """The skill's answer (Alexa response format 1.0)."""
    response: dict[str, Any] = {"shouldEndSession": end_session}
    if text:
        response["outputSpeech"] = {"type": "PlainText", "text": text}
    return {"version": "1.0", "response": response}


def answer(request: AlexaRequest) -> dict[str, Any]:
    if request.intent is None:
        return speech(UNKNOWN_SPEECH, end_session=False)
    return speech(SPEECH[request.intent], end_session=request.intent is not VoiceIntent.LAUNCH)
