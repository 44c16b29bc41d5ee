"""`tecflow gateway`: every gateway in one process and one event loop, sharing the
equipment register and the spooling sender, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Iterator

import uvicorn

from services.gateway.alexa_signature import AlexaVerifier, load_roots
from services.gateway.http_app import create_app
from services.gateway.intake import Intake
from services.gateway.mqtt_bridge import MqttBridge
from services.gateway.register import EquipmentRegister
from services.gateway.scaip_receiver import ScaipReceiver
from services.gateway.sender import Sender
from services.gateway.settings import GatewaySettings
from services.gateway.sip_auth import HubAuthenticator, load_hubs, networks
from services.gateway.sip_transport import SipLimits, SipServer
from services.settings import Settings
from services.store.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


class _HttpServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the gateway handles SIGINT/SIGTERM itself and stops every part together


def authenticator(gateway: GatewaySettings) -> HubAuthenticator | None:
    """Digest auth when hubs are provisioned, an allow-list when sources are given."""
    allowed = networks([s for s in gateway.sip_allowed_sources.split(",") if s.strip()])
    hubs = load_hubs(gateway.scaip_hubs_file) if gateway.scaip_hubs_file else None
    if hubs is None and not allowed:
        log.warning("SCAIP receiver takes messages from any source without authentication")
        return None
    return HubAuthenticator(hubs, allowed, gateway.sip_realm)


async def run_gateways(settings: Settings, gateway: GatewaySettings) -> None:
    if not settings.kafka_bootstrap_servers:
        raise RuntimeError("KAFKA_BOOTSTRAP_SERVERS is not set")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)

    register = EquipmentRegister(make_session_factory(make_engine(settings.sqlalchemy_url)),
                                 ttl_s=gateway.register_cache_s)
    sender = Sender(settings.kafka_bootstrap_servers, settings.data_dir / "gateway-spool.db",
                    gateway.publish_timeout_s)
    await sender.resume()  # whatever a previous run could not send goes first
    intake = Intake(register, sender)
    sip = SipServer(ScaipReceiver(intake, gateway.sip_advertised_host, authenticator(gateway)),
                    gateway.sip_host, gateway.sip_port, SipLimits(
                        rate_per_s=gateway.sip_rate_per_s, burst=gateway.sip_burst,
                        tcp_idle_s=gateway.sip_tcp_idle_s,
                        tcp_max_connections=gateway.sip_tcp_max_connections))
    app = create_app(intake, gateway, AlexaVerifier(load_roots(gateway.alexa_trust_roots)))
    # Each part runs on its own and is restarted with back-off when it fails, so one
    # failing part (a socket closed under it, a broker gone) never stops the others.
    servers: list[_HttpServer] = []

    async def serve_http() -> None:
        server = _HttpServer(uvicorn.Config(app, host=gateway.http_host, port=gateway.http_port,
                                            log_level="warning", lifespan="off"))
        servers[:] = [server]
        await server.serve()

    parts = [loop.create_task(restarting("SCAIP receiver", sip.serve))]
    if (refusal := gateway.http_refusal()) is None:
        parts.append(loop.create_task(restarting("HTTP", serve_http)))
    else:
        log.error(refusal)  # the other parts still run: alarms must not wait on this
    if gateway.mqtt_enabled:
        bridge = MqttBridge(intake, gateway, client_id=f"{settings.app_id}-gateway")
        parts.append(loop.create_task(restarting("MQTT bridge", bridge.run)))
    log.info("gateway starting: SCAIP on %s:%s (UDP, TCP), HTTP on %s:%s, MQTT %s",
             gateway.sip_host, gateway.sip_port, gateway.http_host, gateway.http_port,
             f"{gateway.mqtt_host}:{gateway.mqtt_port}" if gateway.mqtt_enabled else "off")
    try:
        await stop.wait()
    finally:
        for server in servers:
            server.should_exit = True
        for part in parts:
            part.cancel()
        await asyncio.gather(*parts, return_exceptions=True)
        await sender.close()
        log.info("gateway stopped")


async def restarting(
    name: str, run: Callable[[], Awaitable[None]], first_s: float = 1.0, max_s: float = 30.0
) -> None:
    """Run a part until cancelled, starting it again whenever it fails or ends: back-off
    doubles from `first_s` to `max_s`, and starts over once a run lasted a minute."""
    loop = asyncio.get_running_loop()
    delay = first_s
    while True:
        started = loop.time()
        try:
            await run()
            log.error("gateway part %s stopped; restarting in %.0f s", name, delay)
        except (Exception, SystemExit):  # uvicorn exits when it cannot bind
            log.exception("gateway part %s failed; restarting in %.0f s", name, delay)
        if loop.time() - started > 60:
            delay = first_s
        await asyncio.sleep(delay)
        delay = min(delay * 2, max_s)
