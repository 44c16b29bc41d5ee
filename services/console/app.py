"""The console's app factory: settings and the store come in, nothing is read at import."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from care import CareRecordError
from care.errors import NotFound
from services.console import record_changes
from services.console.deps import Forbidden, NotSignedIn
from services.console.labels import CALL_OUTCOMES
from services.console.live import QueueWatch
from services.console.needlist import NeedWatch
from services.console.oidc import OidcClient
from services.console.routers import (
    alerts,
    audit,
    auth,
    flags,
    needs,
    pages,
    people,
    queue,
    users,
)
from services.console.settings import ConsoleSettings

HERE = Path(__file__).parent
PAGE_ROUTERS = (
    auth.router,
    pages.router,
    queue.router,
    alerts.router,
    people.router,
    record_changes.router,
    needs.router,
    flags.router,
    audit.router,
    users.router,
)
# under /api
API_ROUTERS = (
    auth.api,
    alerts.api,
    people.api,
    record_changes.api,
    needs.api,
    flags.api,
    audit.api,
    users.api,
)
OIDC_STATE_COOKIE = "tecflow_oidc"
# Pages hold personal data: no caching anywhere, no framing, scripts only from here.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(settings: ConsoleSettings, factory: sessionmaker[Session]) -> FastAPI:
    watch = QueueWatch(factory, settings.queue_poll_s)
    need_watch = NeedWatch(factory, settings.queue_poll_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(watch.run()), asyncio.create_task(need_watch.run())]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()

    app = FastAPI(
        title="tecflow console",
        summary="The SCRS console's JSON API: alert queue, person records, audit, accounts.",
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; councils run this on closed networks
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.factory = factory
    app.state.watch = watch
    app.state.need_watch = need_watch
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters["local"] = local_time(ZoneInfo(settings.timezone))
    templates.env.globals["call_outcomes"] = CALL_OUTCOMES
    app.state.templates = templates
    app.state.oidc = OidcClient(settings) if settings.oidc_enabled else None
    if settings.oidc_enabled:
        # Holds only the sign-in round trip's state and nonce, for ten minutes.
        app.add_middleware(
            SessionMiddleware,
            secret_key=secrets.token_urlsafe(32),
            session_cookie=OIDC_STATE_COOKIE,
            max_age=600,
            same_site="lax",
            https_only=settings.secure_cookies,
        )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response: Response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    for router in API_ROUTERS:
        app.include_router(router, prefix="/api")

    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if wants_json(request):
            return JSONResponse({"error": "sign in first"}, status_code=401)
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={target}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return problem(request, 403, "Not allowed", str(exc))

    @app.exception_handler(CareRecordError)
    async def care_refused(request: Request, exc: CareRecordError) -> Response:
        """The care record's rules said no (or found nothing): say why, in its words."""
        if isinstance(exc, NotFound):
            return problem(request, 404, "Not found", str(exc))
        return problem(request, 409, "Cannot do that", str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        """422 with where and why, never the values sent: they may be personal data, and
        FastAPI's own answer fails (a 500) on values JSON cannot hold, such as Infinity."""
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return JSONResponse({"error": "invalid request", "detail": detail}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
        heading = "Not found" if exc.status_code == 404 else "Cannot do that"
        return problem(request, exc.status_code, heading, str(exc.detail))

    def problem(request: Request, status: int, heading: str, reason: str) -> Response:
        """The API answers {"error": ...}; a page says it in words."""
        if wants_json(request):
            return JSONResponse({"error": reason}, status_code=status)
        templates: Jinja2Templates = app.state.templates
        return templates.TemplateResponse(
            request,
            "problem.html",
            {"heading": heading, "reason": reason, "staff": None},
            status_code=status,
        )

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def local_time(zone: ZoneInfo) -> Callable[[date | time, str], str]:
    """The pages' `local` filter: a UTC datetime shown in the service's time zone (dates
    and times of day are shown as they are)."""

    def local(value: date | time, pattern: str) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(zone)
        return value.strftime(pattern)

    return local


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.startswith("/events/")
