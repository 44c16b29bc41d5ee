"""The simulator's HTTP face (`tecflow twilio-sim`): Twilio's Calls.json endpoint with
basic auth, and a small admin API to script callers and read what happened."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from services.telephony.settings import TelephonySettings
from services.telephony.simulator.callers import Caller, CallerBook, load_callers
from services.telephony.simulator.player import Player, SimCall

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
basic = HTTPBasic(auto_error=False)


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    """An error body shaped like Twilio's, which the client turns into TwilioRestException."""
    body = {
        "code": code,
        "message": message,
        "status": status,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
    }
    return JSONResponse(body, status_code=status)


def create_sim_app(settings: TelephonySettings) -> FastAPI:
    book = CallerBook(load_callers(settings.sim_callers_file), settings.sim_seed)
    calls: dict[str, SimCall] = {}
    playing: set[asyncio.Task[None]] = set()
    token = settings.auth_token.get_secret_value()
    state: dict[str, Player] = {}

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=15) as http:
            state["player"] = Player(token, http, settings.sim_ring_s, book.line)
            yield
            for task in list(playing):
                task.cancel()

    app = FastAPI(title="tecflow Twilio simulator", lifespan=lifespan)

    def authorised(sid: str, credentials: HTTPBasicCredentials | None) -> bool:
        return (
            credentials is not None
            and secrets.compare_digest(credentials.username, settings.account_sid)
            and secrets.compare_digest(credentials.password, token)
            and sid == settings.account_sid
        )

    @app.post("/2010-04-01/Accounts/{sid}/Calls.json")
    async def create_call(
        sid: str,
        request: Request,
        credentials: Annotated[HTTPBasicCredentials | None, Depends(basic)],
    ) -> JSONResponse:
        if not authorised(sid, credentials):
            return twilio_error(401, 20003, "Authenticate")
        form = await request.form()
        to, url = str(form.get("To", "")), str(form.get("Url", ""))
        if not url:
            return twilio_error(400, 21205, "Url parameter is required.")
        if not E164.match(to):
            return twilio_error(400, 21211, "Invalid 'To' Phone Number")
        callback = form.get("StatusCallback")
        call = SimCall(
            sid="CA" + secrets.token_hex(16),
            account_sid=sid,
            to=to,
            from_=str(form.get("From", "")),
            url=url,
            status_callback=str(callback) if callback else None,
            events=frozenset(str(e) for e in form.getlist("StatusCallbackEvent")),
            machine_detection=form.get("MachineDetection") in ("Enable", "DetectMessageEnd"),
        )
        calls[call.sid] = call
        task = asyncio.create_task(state["player"].play(call, book.next_for(to)))
        playing.add(task)
        task.add_done_callback(playing.discard)
        return JSONResponse(call.resource(), status_code=201)

    @app.put("/sim/callers/{number}")
    def set_callers(number: str, callers: list[Caller]) -> dict[str, int]:
        book.set(number, callers)
        return {"callers": len(callers)}

    @app.get("/sim/calls")
    def list_calls() -> list[dict[str, Any]]:
        return [
            {
                "sid": call.sid,
                "to": call.to,
                "created_at": call.created_at,
                "status": call.status,
                "answered_by": call.answered_by,
                "callbacks": call.callbacks,
                "transcript": call.transcript,
            }
            for call in calls.values()
        ]

    return app
