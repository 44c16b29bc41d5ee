"""`tecflow gateway`: every gateway in one process and one event loop, sharing the
equipment register and the spooling sender, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import uvicorn

from services.gateway.alexa_signature import AlexaVerifier, CertFetcher, load_roots
from services.gateway.http_app import create_app
from services.gateway.intake import Intake
from services.gateway.mqtt_bridge import MqttBridge
from services.gateway.register import EquipmentRegister
from services.gateway.scaip_receiver import ScaipReceiver
from services.gateway.sender import Sender
from services.gateway.settings import GatewaySettings
from services.gateway.sip_transport import SipServer
from services.settings import Settings
from services.store.db import make_engine, make_session_factory

log = logging.getLogger(__name__)


class _HttpServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the gateway handles SIGINT/SIGTERM itself and stops every part together


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
    sip = SipServer(ScaipReceiver(intake, gateway.sip_advertised_host), gateway.sip_host,
                    gateway.sip_port)
    app = create_app(intake, gateway, AlexaVerifier(load_roots(gateway.alexa_trust_roots),
                                                    _local_chain(gateway.alexa_cert_chain)))
    http = _HttpServer(uvicorn.Config(app, host=gateway.http_host, port=gateway.http_port,
                                      log_level="warning", lifespan="off"))
    try:
        await sip.start()
        parts = [loop.create_task(http.serve())]
        if gateway.mqtt_enabled:
            bridge = MqttBridge(intake, gateway, client_id=f"{settings.app_id}-gateway")
            parts.append(loop.create_task(bridge.run()))
        log.info("gateway ready: SCAIP on %s:%s (UDP, TCP), HTTP on %s:%s, MQTT %s",
                 gateway.sip_host, sip.port, gateway.http_host, gateway.http_port,
                 f"{gateway.mqtt_host}:{gateway.mqtt_port}" if gateway.mqtt_enabled else "off")
        # Until a signal, or until a part stops on its own (then the process ends too).
        stopping = loop.create_task(stop.wait())
        await asyncio.wait([stopping, *parts], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        http.should_exit = True
        for part in parts[1:]:
            part.cancel()
        for part in parts:
            with contextlib.suppress(asyncio.CancelledError):
                await part
    finally:
        await sip.stop()
        await sender.close()
        log.info("gateway stopped")


def _local_chain(path: Path | None) -> CertFetcher | None:
    if path is None:
        return None
    chain = path.read_bytes()

    async def fetch(_url: str) -> bytes:
        return chain

    return fetch
