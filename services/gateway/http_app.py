"""The gateways' web endpoints: OwnTracks HTTP mode and the Alexa skill endpoint.

Every refusal is a 4xx with a JSON `error`, and the body is kept as a dead letter."""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from contracts.envelope import utcnow
from services.gateway import alexa, owntracks
from services.gateway.alexa_signature import AlexaVerifier, SignatureInvalid
from services.gateway.intake import Intake, Taken
from services.gateway.mqtt_bridge import OWNTRACKS_ORIGIN, take_fixes
from services.gateway.register import ALEXA, RegisterUnavailable
from services.gateway.sender import Undeliverable
from services.gateway.settings import GatewaySettings

ALEXA_ORIGIN = "gateway.alexa"
NOT_REGISTERED_SPEECH = (
    "This device is not registered with the care service yet. A member of the team has been told."
)

basic = HTTPBasic(auto_error=False)


def error(status: int, reason: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": reason}, status_code=status, headers=headers or None)


def create_app(intake: Intake, settings: GatewaySettings, verifier: AlexaVerifier) -> FastAPI:
    # No /docs or /openapi.json on an endpoint devices reach (the tests read app.openapi()).
    app = FastAPI(title="tecflow gateways", docs_url=None, redoc_url=None, openapi_url=None)

    def authorised(credentials: HTTPBasicCredentials | None) -> bool:
        user = settings.owntracks_http_username
        if user is None:
            return True
        password = settings.owntracks_http_password
        return credentials is not None and secrets.compare_digest(
            credentials.username.encode(), user.encode()
        ) & secrets.compare_digest(
            credentials.password.encode(),
            (password.get_secret_value() if password else "").encode(),
        )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/owntracks", response_model=None)
    async def owntracks_post(
        request: Request,
        credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)],
        u: str | None = None,
        d: str | None = None,
        x_limit_u: Annotated[str | None, Header()] = None,
        x_limit_d: Annotated[str | None, Header()] = None,
    ) -> list[Any] | JSONResponse:
        """One OwnTracks message in the app's JSON; answers a JSON array, as the app expects."""
        if not authorised(credentials):
            return error(401, "authentication required", **{"WWW-Authenticate": "Basic"})
        raw = await request.body()
        if not raw.strip():
            return []  # the app posts nothing when, for example, a friend was deleted
        try:
            message = json.loads(raw)
            if not isinstance(message, dict):
                raise owntracks.OwnTracksRejected("payload is not a JSON object")
            tracker = _tracker(
                u or x_limit_u, d or x_limit_d, message, settings.owntracks_base_topic
            )
            fixes = owntracks.parse_payload(tracker, message)
        except (ValueError, TypeError, owntracks.OwnTracksRejected) as rejected:
            reason = (
                str(rejected)
                if isinstance(rejected, owntracks.OwnTracksRejected)
                else "payload is not JSON"
            )
            await intake.reject(OWNTRACKS_ORIGIN, reason, raw)
            return error(400, reason)
        if isinstance(fixes, owntracks.Ignored) or not fixes:
            return []
        try:
            taken = await take_fixes(intake, fixes, raw, "HTTP")
        except (Undeliverable, RegisterUnavailable):
            return error(503, "temporarily unable to accept; retry")
        if taken is Taken.REFUSED:
            return error(400, "unusable tracker id or text")
        # An unknown tracker hears what a known one hears (its fix is kept as a dead
        # letter and alerted): a different answer would tell which trackers exist.
        return []

    @app.post("/alexa", response_model=None)
    async def alexa_post(
        request: Request,
        signature_cert_chain_url: Annotated[
            str | None, Header(alias="SignatureCertChainUrl")
        ] = None,
        signature_256: Annotated[str | None, Header(alias="Signature-256")] = None,
    ) -> dict[str, Any] | JSONResponse:
        """The Alexa custom-skill endpoint."""
        raw, now = await request.body(), utcnow()
        try:
            await verifier.verify(raw, signature_cert_chain_url, signature_256, now)
            if settings.alexa_application_id is None:
                raise alexa.AlexaRejected("no applicationId configured")
            parsed = alexa.parse_request(raw, settings.alexa_application_id, now)
        except (SignatureInvalid, alexa.AlexaRejected) as rejected:
            await intake.reject(ALEXA_ORIGIN, str(rejected), raw)
            return error(400, str(rejected))
        if parsed.intent is None:
            return alexa.answer(parsed)
        try:
            taken = await intake.take(
                ALEXA,
                parsed.device_id,
                ALEXA_ORIGIN,
                raw,
                lambda holder: [parsed.to_event(holder.person_id, now)],
                (f"intent {parsed.intent}",),
            )
        except (Undeliverable, RegisterUnavailable):
            return error(503, "temporarily unable to accept; retry")
        if taken is Taken.REFUSED:
            return error(400, "unusable device id or text")
        if taken is Taken.UNREGISTERED:
            return alexa.speech(NOT_REGISTERED_SPEECH)
        return alexa.answer(parsed)

    return app


def _tracker(user: str | None, device: str | None, message: dict[str, Any], base: str) -> str:
    """user/device from ?u=&d= or X-Limit-U/D, else the `topic` key iOS adds to the body."""
    if user and device:
        return f"{user}/{device}"
    topic = message.get("topic")
    if isinstance(topic, str):
        return owntracks.tracker_from_topic(topic, base)[0]
    raise owntracks.OwnTracksRejected("no user/device: give ?u=&d= or X-Limit-U/X-Limit-D")
