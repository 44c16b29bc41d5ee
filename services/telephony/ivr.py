"""The IVR webhooks Twilio calls: the voice URL, each <Gather> action and the status
callbacks. Every request must carry a valid X-Twilio-Signature for the public URL it
was sent to; anything else is refused with 403 before it can change anything."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from contracts.codes import AnsweredBy, CallStatus
from contracts.envelope import utcnow
from services.store.db import transaction
from services.telephony import calls_store
from services.telephony.endings import ENDED, is_machine
from services.telephony.engine import Heard, Turn, open_call, respond
from services.telephony.script import library
from services.telephony.settings import TelephonySettings
from services.telephony.twiml import hang_up, render

log = logging.getLogger(__name__)

TWIML = "application/xml"
Form = dict[str, str]


def webhook_urls(base_url: str, call_id: uuid.UUID) -> tuple[str, str]:
    """The voice URL and status callback the dialer gives Twilio for one call."""
    query = urlencode({"call": str(call_id)})
    return f"{base_url}/ivr/voice?{query}", f"{base_url}/ivr/status?{query}"


def gather_url(base_url: str, call_id: uuid.UUID, step_id: str, tries: int) -> str:
    query = urlencode({"call": str(call_id), "step": step_id, "tries": tries})
    return f"{base_url}/ivr/gather?{query}"


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

    def speak(call_id: uuid.UUID, turn: Turn, language: str) -> Response:
        url = gather_url(base_url, call_id, turn.ask.id, turn.tries) if turn.ask else ""
        return Response(render(turn, language, url, settings.scrs_number), media_type=TWIML)

    @app.post("/ivr/voice")
    def voice(call: uuid.UUID, form: Signed) -> Response:
        answered_by = _answered_by(form)
        with transaction(factory) as session:
            context = calls_store.call_context(session, call)
            if context is None:
                raise HTTPException(status_code=404, detail="unknown call")
            calls_store.record_progress(session, call, CallStatus.IN_PROGRESS.value, answered_by)
        if is_machine(answered_by) or context.ended:
            return Response(hang_up(), media_type=TWIML)
        script = library()[context.script]
        language = script.language(context.language)
        return speak(call, open_call(script, language), language)

    @app.post("/ivr/gather")
    def gather(call: uuid.UUID, step: str, form: Signed, tries: int = 1) -> Response:
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
            turn = respond(script, language, step, context.given, heard, tries, utcnow())
            calls_store.record_turn(session, call, turn.answer, turn.completed, turn.transfer)
        return speak(call, turn, language)

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
                    session, call, call_status, utcnow(),
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
    """Twilio's speech confidence, 0 to 1; anything else is no confidence at all (a
    non-numeric one once gave 500)."""
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and 0.0 <= value <= 1.0 else None
