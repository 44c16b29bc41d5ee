"""The IVR webhooks Twilio calls: the voice URL, each <Gather> action and the status
callbacks. Every request must carry a valid X-Twilio-Signature for the public URL it
was sent to; anything else is refused with 403 before it can change anything."""

from __future__ import annotations

import logging
import math
import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from contracts.codes import AnsweredBy, CallStatus
from contracts.envelope import utcnow
from contracts.questions import AnswerValue
from services.store.db import transaction
from services.telephony import calls_store, transfers
from services.telephony.distress import TransferReason
from services.telephony.endings import ENDED, is_machine
from services.telephony.engine import Heard, Turn, open_call, respond
from services.telephony.script import library
from services.telephony.settings import TelephonySettings
from services.telephony.transfers import Attempt
from services.telephony.twiml import dial, hang_up, render

log = logging.getLogger(__name__)

TWIML = "application/xml"
Form = dict[str, str]


def webhook_urls(base_url: str, call_id: uuid.UUID) -> tuple[str, str]:
    """The voice URL and status callback the dialer gives Twilio for one call."""
    query = urlencode({"call": str(call_id)})
    return f"{base_url}/ivr/voice?{query}", f"{base_url}/ivr/status?{query}"


def gather_url(
    base_url: str,
    call_id: uuid.UUID,
    step_id: str,
    tries: int,
    confirming: AnswerValue | None = None,
    stopping: bool = False,
) -> str:
    """Where the answer to a step (or to the read-back of `confirming`, or of a request
    to stop the calls) is posted. The state rides in the URL, which Twilio signs, so it
    cannot be forged."""
    fields: dict[str, str | int] = {"call": str(call_id), "step": step_id, "tries": tries}
    if confirming is not None:
        fields["confirm"] = confirming.value
    if stopping:
        fields["stop"] = 1
    return f"{base_url}/ivr/gather?{urlencode(fields)}"


def dialed_url(
    base_url: str, call_id: uuid.UUID, reason: TransferReason, tried: tuple[str, ...]
) -> str:
    """Twilio's <Dial action>: where the result of ringing a line is posted. `tried` are
    the DialCallStatus of the lines rung before this one."""
    query = urlencode({"call": str(call_id), "reason": reason.value, "tried": ",".join(tried)})
    return f"{base_url}/ivr/dialed?{query}"


async def signed_form(request: Request) -> Form:
    """The form Twilio posted, once its signature is proven for our public URL."""
    form = {key: str(value) for key, value in (await request.form()).items()}
    query = f"?{request.url.query}" if request.url.query else ""
    url = request.app.state.base_url + request.url.path + query
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not request.app.state.validator.validate(url, form, signature):
        log.warning("refused %s: missing or wrong X-Twilio-Signature", request.url.path)
        raise HTTPException(status_code=403, detail="invalid X-Twilio-Signature")
    if any("\x00" in key or "\x00" in value for key, value in form.items()):
        raise HTTPException(status_code=400, detail="NUL in the form")  # never to the store
    return form


Signed = Annotated[Form, Depends(signed_form)]


def create_ivr_app(settings: TelephonySettings, factory: sessionmaker[Session]) -> FastAPI:
    app = FastAPI(title="tecflow IVR", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.validator = RequestValidator(settings.auth_token.get_secret_value())
    app.state.base_url = base_url = settings.base_url

    lines = tuple(n for n in (settings.scrs_number, settings.scrs_fallback_number) if n)

    def twiml(document: str) -> Response:
        return Response(document, media_type=TWIML)

    def speak(call_id: uuid.UUID, turn: Turn, language: str) -> Response:
        if turn.transfer is not None:
            action = dialed_url(base_url, call_id, turn.transfer, ())
            return twiml(dial(turn.say, language, lines[0], settings.transfer_timeout_s, action))
        url = (
            gather_url(base_url, call_id, turn.ask.id, turn.tries, turn.confirming, turn.stopping)
            if turn.ask
            else ""
        )
        return twiml(render(turn, language, url))

    @app.post("/ivr/voice")
    def voice(call: uuid.UUID, form: Signed) -> Response:
        answered_by = _answered_by(form)
        with transaction(factory) as session:
            context = calls_store.call_context(session, call)
            if context is None:
                raise HTTPException(status_code=404, detail="unknown call")
            calls_store.record_progress(session, call, CallStatus.IN_PROGRESS.value, answered_by)
        if is_machine(answered_by) or context.ended:
            return twiml(hang_up())
        script = library()[context.script]
        language = script.language(context.language)
        return speak(call, open_call(script, language), language)

    @app.post("/ivr/gather")
    def gather(
        call: uuid.UUID,
        step: str,
        form: Signed,
        tries: int = 1,
        confirm: AnswerValue | None = None,
        stop: bool = False,
    ) -> Response:
        heard = Heard(
            digits=form.get("Digits") or None,
            speech=form.get("SpeechResult") or None,
            confidence=_confidence(form.get("Confidence")),
        )
        with transaction(factory) as session:
            context = calls_store.call_context(session, call)
            if context is None:
                raise HTTPException(status_code=404, detail="unknown call")
            script = library()[context.script]
            language = script.language(context.language)
            if step not in {s.id for s in script.steps}:
                raise HTTPException(status_code=404, detail="unknown step")
            now = utcnow()
            turn = respond(script, language, step, context.given, heard, tries, now, confirm, stop)
            calls_store.record_turn(session, call, turn.answer, turn.completed)
            if turn.opted_out:
                calls_store.record_opt_out(session, call, context, now)
        if turn.transfer is not None:
            log.info("call %s: transfer to a handler (%s)", call, turn.transfer.value)
        return speak(call, turn, language)

    @app.post("/ivr/dialed")
    def dialed(call: uuid.UUID, reason: TransferReason, form: Signed, tried: str = "") -> Response:
        """Twilio's <Dial> action: the line answered, or try the next, or raise the alarm."""
        status = form.get("DialCallStatus", "failed")
        # The parent call's status: still in progress unless the person hung up.
        on_line = form.get("CallStatus", "in-progress") in ("in-progress", "ringing")
        attempts = tuple(
            Attempt(line, line_status)
            for line, line_status in enumerate([*filter(None, tried.split(",")), status])
        )
        now = utcnow()
        with transaction(factory) as session:
            context = calls_store.call_context(session, call)
            if context is None:
                raise HTTPException(status_code=404, detail="unknown call")
            language = library()[context.script].language(context.language)
            common = library()[context.script].common
            if transfers.connected(status):
                calls_store.record_connected(session, call)
                return twiml(hang_up())
            line = transfers.next_line(attempts, len(lines) > 1, on_line)
            if line is not None:
                log.warning("call %s: SCRS line %s; trying the second line", call, status)
                action = dialed_url(base_url, call, reason, tuple(a.status for a in attempts))
                return twiml(
                    dial(
                        (common.transfer_retry[language],),
                        language,
                        lines[line],
                        settings.transfer_timeout_s,
                        action,
                    )
                )
            alert = transfers.failed_alert(
                context.person_id, call, reason, attempts, settings.transfer_timeout_s, now, on_line
            )
            calls_store.record_transfer_failed(session, call, alert)
        log.error("call %s: no handler answered the transfer; urgent alert raised", call)
        return twiml(hang_up((common.transfer_failed[language],), language))

    @app.post("/ivr/status")
    def status(call: uuid.UUID, form: Signed) -> Response:
        try:
            call_status = CallStatus(form.get("CallStatus", ""))
        except ValueError:
            call_status = None  # initiated, or a status we only note
        answered_by = _answered_by(form)
        with transaction(factory) as session:
            if call_status in ENDED:
                duration = form.get("CallDuration")
                calls_store.end_call(
                    session,
                    call,
                    call_status,
                    utcnow(),
                    answered_by=answered_by,
                    duration_s=int(duration) if duration and duration.isdigit() else None,
                )
            else:
                calls_store.record_progress(
                    session, call, form.get("CallStatus", "unknown")[:16], answered_by
                )
        return Response(status_code=204)

    return app


def _answered_by(form: Form) -> AnsweredBy | None:
    try:
        return AnsweredBy(form["AnsweredBy"])
    except (KeyError, ValueError):
        return None


def _confidence(raw: str | None) -> float | None:
    """Twilio's speech Confidence, 0 to 1; None when none was sent (keys). Anything else
    (not a number, out of range; it once gave a 500) counts as the lowest confidence, so
    the answer is asked again rather than taken as heard (hazard H3)."""
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and 0.0 <= value <= 1.0 else 0.0
