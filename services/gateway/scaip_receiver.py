"""The SCAIP alarm receiver: answers each SIP MESSAGE with 200 OK, takes the `<mrq>` onto
the bus, then tells the device the outcome in a new MESSAGE carrying `<mrs>`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from contracts.codes import ScaipSnu
from contracts.envelope import utcnow
from services.gateway.intake import Intake, Taken
from services.gateway.register import SCAIP_HUB, RegisterUnavailable
from services.gateway.scaip import ScaipRejected, ScaipRequest, parse_mrq, render_mrs
from services.gateway.sender import Undeliverable
from services.gateway.sip import SipMessage, SipUri, message_request, response
from services.gateway.sip_transport import SipChannel

log = logging.getLogger(__name__)

ORIGIN = "gateway.scaip"
CONTENT_TYPE = "application/scaip+xml"
# application/xml is what one non-conforming proxy sends (samples/SOURCES.md).
ACCEPTED_TYPES = (CONTENT_TYPE, "application/xml", "text/xml")


@dataclass(frozen=True)
class Outcome:
    snu: ScaipSnu
    ref: str | None
    reason: str | None = None


def check_sender(request: SipMessage, mrq: ScaipRequest) -> None:
    """The SIP From user must be the hub's `<cid>`, as real receivers check."""
    sender = request.from_uri
    user = (sender.user or "").strip().removeprefix("+") if sender else ""
    if user != mrq.controller_id:
        raise ScaipRejected(ScaipSnu.WRONG_DATA, "SIP From user is not the <cid>",
                            mrq.reference)


def reply_target(request: SipMessage, channel: SipChannel) -> SipUri:
    """The device's Contact, else its From user at the address the request came from."""
    contact = request.contact_uri
    if contact is not None and contact.host:
        return contact
    sender = request.from_uri
    return SipUri(sender.user if sender else None, channel.peer[0], channel.peer[1])


class ScaipReceiver:
    def __init__(self, intake: Intake, advertised_host: str) -> None:
        self._intake = intake
        self._host = advertised_host

    async def __call__(self, request: SipMessage, raw: bytes, channel: SipChannel) -> None:
        if request.method == "OPTIONS":
            channel.reply(response(request, 200, "OK"))
            return
        if request.method != "MESSAGE":
            channel.reply(response(request, 405, "Method Not Allowed"))
            return
        channel.reply(response(request, 200, "OK"))
        outcome = await self.take(request, raw)
        mrs = render_mrs(outcome.snu, outcome.ref, outcome.reason)
        target = reply_target(request, channel)
        try:
            await channel.send_request(target, message_request(
                target, self._host, channel.local_port, channel.transport, CONTENT_TYPE, mrs))
        except OSError as error:
            # The device repeats an unanswered <mrq>; its retry is idempotent (same ref).
            log.warning("could not send <mrs> to %s: %s", target.host, error)

    async def take(self, request: SipMessage, raw: bytes) -> Outcome:
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        try:
            if content_type not in ACCEPTED_TYPES:
                raise ScaipRejected(ScaipSnu.INVALID_FORMAT, "Content-Type is not SCAIP XML")
            mrq = parse_mrq(request.body)
            check_sender(request, mrq)
        except ScaipRejected as rejected:
            return await self._refuse(rejected, raw)
        try:
            return await self._hand_on(mrq, raw)
        except (Undeliverable, RegisterUnavailable) as error:
            log.error("SCAIP %s from hub %s answered busy: %s", mrq.reference,
                      mrq.controller_id, error)
            return Outcome(ScaipSnu.BUSY, mrq.reference, "busy, retry")

    async def _hand_on(self, mrq: ScaipRequest, raw: bytes) -> Outcome:
        taken = await self._intake.take(
            SCAIP_HUB, mrq.controller_id, ORIGIN, raw,
            lambda holder: [mrq.to_event(holder.person_id, utcnow())],
            (f"SCAIP ref {mrq.reference}", f"mty {mrq.message_type}", f"dty {mrq.device_type}"),
        )
        if taken is Taken.UNREGISTERED:
            return Outcome(ScaipSnu.WRONG_DATA, mrq.reference, "cid not registered")
        log.info("SCAIP %s %s from hub %s taken", mrq.message_type, mrq.reference,
                 mrq.controller_id)
        return Outcome(ScaipSnu.OK, mrq.reference)

    async def _refuse(self, rejected: ScaipRejected, raw: bytes) -> Outcome:
        await self._intake.reject(ORIGIN, f"snu {int(rejected.snu)}: {rejected.reason}", raw)
        return Outcome(rejected.snu, rejected.ref, rejected.reason)
