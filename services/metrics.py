"""Prometheus metrics of the running parts, and the endpoint that serves them with the
part's health: /metrics, /livez (the process answers) and /readyz (what it needs is
reachable: the broker and the store).

Names follow Prometheus' conventions: a tecflow_ prefix, _total on counters. Labels are
topics and short reason kinds, never anything about a person."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import Counter, make_wsgi_app
from sqlalchemy import text

from services.processes import port_open
from services.settings import Settings

log = logging.getLogger(__name__)

EVENTS_IN = Counter("tecflow_events_in", "Messages a part read from a topic", ["topic"])
EVENTS_PROCESSED = Counter(
    "tecflow_events_processed",
    "Messages read, run through the processors and stored: with the dead letters, "
    "every message read",
    ["topic"],
)
EVENTS_OUT = Counter("tecflow_events_out", "Messages a part sent to a topic", ["topic"])
DEAD_LETTERS = Counter(
    "tecflow_dead_letters",
    "Messages dead-lettered, by the topic they came from and the kind of reason",
    ["topic", "reason"],
)
DEAD_LETTERS_REPLAYED = Counter(
    "tecflow_dead_letters_replayed", "Dead letters sent back to their topic", ["topic"]
)

Check = Callable[[], bool]


def reason_kind(reason: str) -> str:
    """The reason up to its first colon ("invalid message"): a label of few values,
    where the full reason names fields and would make a series per message."""
    return reason.split(":", 1)[0][:64]


def broker_reachable(settings: Settings) -> Check:
    def check() -> bool:
        servers = (settings.kafka_bootstrap_servers or "").split(",")
        return any(
            port_open(host, int(port), timeout_s=1.0)
            for host, _, port in (server.rpartition(":") for server in servers if server)
        )

    return check


def store_reachable(settings: Settings) -> Check:
    from services.store.db import make_engine

    engine = make_engine(settings.sqlalchemy_url, pool_pre_ping=True)

    def check() -> bool:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    return check


def health_checks(settings: Settings) -> dict[str, Check]:
    """What every part needs: the store, and the broker when one is configured."""
    checks = {"store": store_reachable(settings)}
    if settings.kafka_bootstrap_servers:
        checks["broker"] = broker_reachable(settings)
    return checks


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """A scrape every few seconds is not worth a log line."""


def serve_metrics(settings: Settings, checks: dict[str, Check] | None = None) -> None:
    """Serve /metrics, /livez and /readyz on settings.metrics_port (loopback unless
    metrics_host says otherwise) in a thread of its own; nothing when no port is set.
    `checks` default to the store's and the broker's."""
    if settings.metrics_port is None:
        return
    readiness = health_checks(settings) if checks is None else checks
    metrics = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/livez":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        if path == "/readyz":
            failing = sorted(name for name, check in readiness.items() if not check())
            status = "503 Service Unavailable" if failing else "200 OK"
            start_response(status, [("Content-Type", "text/plain")])
            body = "".join(f"{name} unreachable\n" for name in failing) or "ready\n"
            return [body.encode()]
        result: Iterable[bytes] = metrics(environ, start_response)
        return result

    server = make_server(
        settings.metrics_host,
        settings.metrics_port,
        app,
        server_class=_Server,
        handler_class=_Quiet,
    )
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics and health on %s:%s", settings.metrics_host, settings.metrics_port)
