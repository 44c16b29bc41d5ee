"""Plays one simulated call the way Twilio would: status callbacks in order, the voice
URL, then each TwiML verb (Say, Gather, Redirect, Dial, Hangup), every request
form-encoded and signed with the auth token."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree.ElementTree import Element

import httpx
from defusedxml.ElementTree import fromstring
from twilio.request_validator import RequestValidator

from services.telephony.simulator.callers import Caller

log = logging.getLogger(__name__)

MACHINE = "machine_end_beep"
ENDED = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
DIAL_TIMEOUT_S = 30  # Twilio's default <Dial timeout>
# How a dialled line's behaviour ends the <Dial>, as Twilio's DialCallStatus says it.
DIAL_STATUS = {
    "answer": "completed",
    "machine": "completed",
    "busy": "busy",
    "failed": "failed",
    "no-answer": "no-answer",
}


@dataclass
class SimCall:
    sid: str
    account_sid: str
    to: str
    from_: str
    url: str
    status_callback: str | None
    events: frozenset[str]
    machine_detection: bool
    created_at: float = field(default_factory=time.time)
    status: str = "queued"
    answered_by: str | None = None
    answered_at: float | None = None
    duration_s: int = 0
    transcript: list[str] = field(default_factory=list)
    callbacks: list[str] = field(default_factory=list)

    def resource(self) -> dict[str, Any]:
        """The call as Twilio's REST API returns it."""
        created = formatdate(self.created_at, usegmt=True)
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Calls/{self.sid}.json"
        return {
            "sid": self.sid,
            "account_sid": self.account_sid,
            "to": self.to,
            "to_formatted": self.to,
            "from": self.from_,
            "from_formatted": self.from_,
            "status": self.status,
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "answered_by": self.answered_by,
            "date_created": created,
            "date_updated": created,
            "start_time": None,
            "end_time": None,
            "duration": None,
            "price": None,
            "price_unit": "USD",
            "parent_call_sid": None,
            "phone_number_sid": None,
            "caller_name": None,
            "forwarded_from": None,
            "group_sid": None,
            "queue_time": "0",
            "trunk_sid": None,
            "annotation": None,
            "uri": uri,
            "subresource_uris": {"notifications": uri.replace(".json", "/Notifications.json")},
        }


class Player:
    """`line` says who picks up a number a <Dial> rings (the SCRS line: a handler, unless
    a test scripted it busy or unanswered)."""

    def __init__(
        self,
        auth_token: str,
        http: httpx.AsyncClient,
        ring_s: float,
        line: Callable[[str], Caller],
    ) -> None:
        self.validator = RequestValidator(auth_token)
        self.http = http
        self.ring_s = ring_s
        self.line = line

    async def play(self, call: SimCall, caller: Caller) -> None:
        try:
            await self._play(call, caller)
        except (httpx.HTTPError, ValueError) as error:
            # Twilio ends a call whose webhook fails; so does the simulator.
            log.warning("call %s: webhook failed (%s); ending it", call.sid, error)
            call.transcript.append(f"error: {error}")
            if call.status not in ENDED:
                try:
                    await self._finish(call, "completed" if call.answered_at else "failed")
                except httpx.HTTPError as again:
                    log.warning("call %s: end not reported (%s)", call.sid, again)

    async def _play(self, call: SimCall, caller: Caller) -> None:
        await self._status(call, "initiated", "initiated")
        await asyncio.sleep(self.ring_s)
        await self._status(call, "ringing", "ringing")
        if caller.behaviour in ("busy", "no-answer", "failed"):
            await self._finish(call, caller.behaviour)
            return
        call.answered_at = time.monotonic()
        if call.machine_detection:
            call.answered_by = MACHINE if caller.behaviour == "machine" else "human"
        await self._status(call, "answered", "in-progress")
        replies = list(caller.says)
        given = 0
        url: str | None = call.url
        extra: dict[str, str] = {}
        while url is not None:
            current = url
            document = await self._webhook(call, current, extra)
            url, extra = None, {}
            for verb in fromstring(document):
                if verb.tag == "Say":
                    call.transcript.append(f"say: {verb.text}")
                elif verb.tag == "Gather":
                    call.transcript += [f"say: {say.text}" for say in verb if say.tag == "Say"]
                    if caller.hang_up_after is not None and given >= caller.hang_up_after:
                        call.transcript.append("caller hung up")
                        await self._finish(call, "completed")
                        return
                    action = verb.get("action") or current
                    reply = caller.answers.get(_step(action)) or (
                        replies.pop(0) if replies else None
                    )
                    if reply is None:
                        continue  # silence: Twilio moves on to the next verb
                    given += 1
                    call.transcript.append(f"caller: {reply}")
                    url, extra = action, self._reply(reply, caller)
                    break
                elif verb.tag == "Redirect":
                    url = _text(verb)
                    break
                elif verb.tag == "Dial":
                    result = await self._dial(call, verb)
                    if verb.get("action"):  # Twilio posts the result there and goes on
                        url, extra = verb.get("action"), result
                        break
                    # without an action Twilio goes on with the next verb
                elif verb.tag == "Hangup":
                    break
        await self._finish(call, "completed")

    async def _dial(self, call: SimCall, verb: Element) -> dict[str, str]:
        """Ring the number for up to the <Dial timeout> and report as Twilio's action
        callback does: DialCallStatus, DialCallSid and (when connected) DialCallDuration.
        Simulated time: an unanswered line gives up after `ring_s`, not the full timeout."""
        number = _text(verb)
        timeout = int(verb.get("timeout") or DIAL_TIMEOUT_S)
        call.transcript.append(f"dial: {number} (timeout {timeout} s)")
        await asyncio.sleep(self.ring_s)
        status = DIAL_STATUS[self.line(number).behaviour]
        call.transcript.append(f"dial {number}: {status}")
        result = {"DialCallStatus": status, "DialCallSid": "CA" + secrets.token_hex(16)}
        if status == "completed":
            result["DialCallDuration"] = "1"
        return result

    @staticmethod
    def _reply(reply: str, caller: Caller) -> dict[str, str]:
        if reply.isdigit():
            return {"Digits": reply}
        return {"SpeechResult": reply, "Confidence": str(caller.speech_confidence)}

    def _params(self, call: SimCall) -> dict[str, str]:
        params = {
            "AccountSid": call.account_sid,
            "ApiVersion": "2010-04-01",
            "CallSid": call.sid,
            "CallStatus": call.status,
            "Direction": "outbound-api",
            "From": call.from_,
            "To": call.to,
            "Called": call.to,
            "Caller": call.from_,
        }
        if call.answered_by:
            params["AnsweredBy"] = call.answered_by
        return params

    async def _post(self, url: str, params: dict[str, str]) -> httpx.Response:
        signature = self.validator.compute_signature(url, params)
        response = await self.http.post(url, data=params, headers={"X-Twilio-Signature": signature})
        response.raise_for_status()
        return response

    async def _webhook(self, call: SimCall, url: str, extra: dict[str, str]) -> str:
        response = await self._post(url, {**self._params(call), **extra})
        return response.text

    async def _status(self, call: SimCall, event: str, status: str) -> None:
        call.status = status
        if call.status_callback is None or event not in call.events:
            return
        params = {
            **self._params(call),
            "CallbackSource": "call-progress-events",
            "SequenceNumber": str(len(call.callbacks)),
            "Timestamp": formatdate(usegmt=True),
        }
        if event == "completed":
            params["CallDuration"] = params["Duration"] = str(call.duration_s)
        call.callbacks.append(status)
        await self._post(call.status_callback, params)

    async def _finish(self, call: SimCall, status: str) -> None:
        if call.answered_at is not None:
            call.duration_s = max(1, round(time.monotonic() - call.answered_at))
        # Twilio always reports the end of a call when a status callback is set.
        call.events = call.events | {"completed"}
        await self._status(call, "completed", status)


def _text(verb: Element) -> str:
    return (verb.text or "").strip()


def _step(url: str) -> str:
    """The step a <Gather> asks, from its action URL; `confirm` for the read-back of an
    answer or of a request to stop the calls."""
    query = parse_qs(urlsplit(url).query)
    if "confirm" in query or "stop" in query:
        return "confirm"
    return query.get("step", [""])[0]
