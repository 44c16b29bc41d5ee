"""The MQTT bridge: zigbee2mqtt and OwnTracks messages from an MQTT broker onto the bus.

A persistent session (clean_session off, QoS 1) makes the MQTT broker keep what arrives
while the bridge is away; messages are taken one at a time so a device's stay in order."""

from __future__ import annotations

import asyncio
import logging
import ssl

import aiomqtt

from contracts.envelope import utcnow
from services.gateway import owntracks, zigbee
from services.gateway.intake import Intake, Taken
from services.gateway.register import OWNTRACKS, ZIGBEE, RegisterUnavailable
from services.gateway.sender import Undeliverable
from services.gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

ZIGBEE_ORIGIN = "gateway.zigbee2mqtt"
OWNTRACKS_ORIGIN = "gateway.owntracks"


class MqttBridge:
    def __init__(self, intake: Intake, settings: GatewaySettings, client_id: str) -> None:
        self._intake = intake
        self._settings = settings
        self._client_id = client_id
        self.zigbee_base = settings.zigbee_base_topic.rstrip("/")
        self.owntracks_base = settings.owntracks_base_topic.rstrip("/")
        self.subscribed = asyncio.Event()

    async def run(self, reconnect_s: float = 2.0) -> None:
        """Until cancelled, reconnecting whenever the MQTT broker goes away."""
        settings = self._settings
        while True:
            try:
                async with aiomqtt.Client(
                    settings.mqtt_host,
                    settings.mqtt_port,
                    identifier=self._client_id,
                    username=settings.mqtt_username,
                    password=settings.mqtt_password.get_secret_value()
                    if settings.mqtt_password else None,
                    tls_context=ssl.create_default_context() if settings.mqtt_tls else None,
                    clean_session=False,
                ) as client:
                    await client.subscribe(f"{self.zigbee_base}/#", qos=1)
                    await client.subscribe(f"{self.owntracks_base}/#", qos=1)
                    self.subscribed.set()
                    log.info("MQTT bridge subscribed on %s:%s", settings.mqtt_host,
                             settings.mqtt_port)
                    async for message in client.messages:
                        await self.handle(str(message.topic), _bytes(message.payload))
            except aiomqtt.MqttError as error:
                self.subscribed.clear()
                log.warning("MQTT broker unavailable (%s); retrying in %.0fs", error,
                            reconnect_s)
                await asyncio.sleep(reconnect_s)

    async def handle(self, topic: str, payload: bytes) -> None:
        if topic.startswith(self.zigbee_base + "/"):
            origin, take = ZIGBEE_ORIGIN, self._zigbee(topic, payload)
        elif topic.startswith(self.owntracks_base + "/"):
            origin, take = OWNTRACKS_ORIGIN, self._owntracks(topic, payload)
        else:
            return
        try:
            await take
        except (zigbee.ZigbeeRejected, owntracks.OwnTracksRejected) as rejected:
            await self._intake.reject(origin, f"{rejected} (topic {topic})", payload)
        except RegisterUnavailable as error:
            await self._intake.reject(origin, f"{error} (topic {topic})", payload)
        except Undeliverable as error:
            log.critical("%s: message on %s lost: %s", origin, topic, error)

    async def _zigbee(self, topic: str, payload: bytes) -> None:
        message = zigbee.parse(self.zigbee_base, topic, payload)
        if isinstance(message, zigbee.Ignored) or not message.readings:
            return
        received = utcnow()
        await self._intake.take(
            ZIGBEE, message.friendly_name, ZIGBEE_ORIGIN, payload,
            lambda holder: message.to_events(holder.person_id, holder.placement, received),
            (f"topic {topic}",),
        )

    async def _owntracks(self, topic: str, payload: bytes) -> None:
        fixes = owntracks.parse_mqtt(topic, payload, self.owntracks_base)
        if isinstance(fixes, owntracks.Ignored) or not fixes:
            return
        await take_fixes(self._intake, fixes, payload, f"topic {topic}")


async def take_fixes(
    intake: Intake, fixes: list[owntracks.Fix], raw: bytes, where: str
) -> Taken:
    """One tracker's fixes (MQTT or HTTP) onto the bus."""
    received = utcnow()
    return await intake.take(
        OWNTRACKS, fixes[0].tracker_id, OWNTRACKS_ORIGIN, raw,
        lambda holder: [f.to_event(holder.person_id, received, OWNTRACKS_ORIGIN) for f in fixes],
        (where,),
    )


def _bytes(payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()
