"""The MQTT bridge: zigbee2mqtt and OwnTracks messages from an MQTT broker onto the bus.

A persistent session (clean_session off, QoS 1) makes the MQTT broker keep what arrives
while the bridge is away; messages are taken one at a time so a device's stay in order,
and each is acknowledged to the MQTT broker only once it is safe (on the bus, in the
spool, or dead-lettered): one the gateway could not keep is delivered again."""

from __future__ import annotations

import asyncio
import logging
import ssl

import aiomqtt

from contracts.envelope import utcnow
from contracts.errors import TecflowError
from services.gateway import owntracks, zigbee
from services.gateway.intake import Intake, Taken
from services.gateway.register import OWNTRACKS, ZIGBEE, RegisterUnavailable
from services.gateway.sender import Undeliverable
from services.gateway.settings import GatewaySettings

log = logging.getLogger(__name__)

ZIGBEE_ORIGIN = "gateway.zigbee2mqtt"
OWNTRACKS_ORIGIN = "gateway.owntracks"


class NotKept(TecflowError, RuntimeError):
    """Neither the bus, the spool nor the dead letters took the message."""


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
                    if settings.mqtt_password
                    else None,
                    tls_context=ssl.create_default_context() if settings.mqtt_tls else None,
                    clean_session=False,
                ) as client:
                    # aiomqtt has no public switch for it: paho's manual acknowledgement.
                    paho = client._client
                    paho.manual_ack_set(True)
                    await client.subscribe(f"{self.zigbee_base}/#", qos=1)
                    await client.subscribe(f"{self.owntracks_base}/#", qos=1)
                    self.subscribed.set()
                    log.info(
                        "MQTT bridge subscribed on %s:%s", settings.mqtt_host, settings.mqtt_port
                    )
                    async for message in client.messages:
                        await self._until_kept(
                            str(message.topic), _bytes(message.payload), reconnect_s
                        )
                        if message.qos > 0:
                            paho.ack(message.mid, message.qos)
            except aiomqtt.MqttError as error:
                self.subscribed.clear()
                log.warning("MQTT broker unavailable (%s); retrying in %.0fs", error, reconnect_s)
                await asyncio.sleep(reconnect_s)

    async def _until_kept(self, topic: str, payload: bytes, first_s: float) -> None:
        """Handle the message until it is kept, waiting longer each time (the ones behind
        it wait too, so a device's messages stay in order). Unacknowledged meanwhile: if
        the gateway stops, the MQTT broker delivers it again."""
        delay = first_s
        while True:
            try:
                await self.handle(topic, payload)
                return
            except NotKept:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)

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
            await self._keep(origin, f"{rejected} (topic {topic})", payload)
        except RegisterUnavailable as error:
            await self._keep(origin, f"{error} (topic {topic})", payload)
        except Undeliverable as error:
            log.critical(
                "%s: message on %s not kept, left to the MQTT broker: %s", origin, topic, error
            )
            raise NotKept(str(error)) from error
        except Exception as error:
            # Whatever a message holds, it must not stop the bridge (a `last_seen` of 1e20
            # once made the whole gateway exit): it becomes a dead letter with the reason.
            log.exception("%s: message on %s could not be read", origin, topic)
            await self._keep(origin, f"unreadable: {type(error).__name__} (topic {topic})", payload)

    async def _keep(self, origin: str, reason: str, payload: bytes) -> None:
        if not await self._intake.reject(origin, reason, payload):
            raise NotKept(reason)

    async def _zigbee(self, topic: str, payload: bytes) -> None:
        message = zigbee.parse(self.zigbee_base, topic, payload)
        if isinstance(message, zigbee.Ignored) or not message.readings:
            return
        received = utcnow()
        await self._intake.take(
            ZIGBEE,
            message.friendly_name,
            ZIGBEE_ORIGIN,
            payload,
            lambda holder: message.to_events(holder.person_id, holder.placement, received),
            (f"topic {topic}",),
        )

    async def _owntracks(self, topic: str, payload: bytes) -> None:
        fixes = owntracks.parse_mqtt(topic, payload, self.owntracks_base)
        if isinstance(fixes, owntracks.Ignored) or not fixes:
            return
        await take_fixes(self._intake, fixes, payload, f"topic {topic}")


async def take_fixes(intake: Intake, fixes: list[owntracks.Fix], raw: bytes, where: str) -> Taken:
    """One tracker's fixes (MQTT or HTTP) onto the bus."""
    received = utcnow()
    return await intake.take(
        OWNTRACKS,
        fixes[0].tracker_id,
        OWNTRACKS_ORIGIN,
        raw,
        lambda holder: [f.to_event(holder.person_id, received, OWNTRACKS_ORIGIN) for f in fixes],
        (where,),
    )


def _bytes(payload: object) -> bytes:
    if isinstance(payload, bytes | bytearray):
        return bytes(payload)
    return b"" if payload is None else str(payload).encode()
