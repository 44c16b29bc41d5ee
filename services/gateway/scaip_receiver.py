"""The SCAIP alarm receiver: answers each SIP MESSAGE with 200 OK, takes the `<mrq>` onto
the bus, then tells the device the outcome in a new MESSAGE carrying `<mrs>`, sent back to
where the request came from.

What it defends against (issue 18): a retransmitted SIP request gets the same answer and
no second event; a device resending the same (cid, ref, mty) is answered again without
publishing again; a cancel or reset is taken only from the source that raised the hub's
alarms; known and unknown hubs get the same answer, so nobody can list the hub ids."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from contracts.codes import (
    ALARM_STATUSES,
    TECHNICAL_STATUSES,
    ScaipMessageType,
    ScaipSnu,
    ScaipStatus,
)
from contracts.envelope import utcnow
from services.gateway.intake import Intake, Taken
from services.gateway.register import SCAIP_HUB, RegisterUnavailable
from services.gateway.scaip import ScaipRejected, ScaipRequest, parse_mrq, render_mrs
from services.gateway.sender import Undeliverable
from services.gateway.sip import SipMessage, SipUri, message_request, response
from services.gateway.sip_auth import HubAuthenticator
from services.gateway.sip_transport import SipChannel

log = logging.getLogger(__name__)

ORIGIN = "gateway.scaip"
CONTENT_TYPE = "application/scaip+xml"
# RFC 3261 Timer J/F: a UDP request may be retransmitted for 64 * T1 = 32 s.
TRANSACTION_S = 32.0
K = TypeVar("K")
V = TypeVar("V")


class Expiring(Generic[K, V]):
    """A bounded map whose entries expire: memory stays flat under any flood."""

    def __init__(
        self, ttl_s: float, size: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._clock = clock
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None or item[0] < self._clock():
            return None
        return item[1]

    def put(self, key: K, value: V) -> None:
        self._items.pop(key, None)
        self._items[key] = (self._clock() + self._ttl_s, value)
        while len(self._items) > self._size or (
            self._items and next(iter(self._items.values()))[0] < self._clock()
        ):
            self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        self._items.pop(key, None)


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
        raise ScaipRejected(ScaipSnu.WRONG_DATA, "SIP From user is not the <cid>", mrq.reference)


def withdraws(mrq: ScaipRequest) -> bool:
    """A reset or a cancel: it closes the person's open alarm."""
    return (
        mrq.message_type is ScaipMessageType.RESET
        or mrq.fields.get("status_code") == ScaipStatus.CANCEL
    )


def raises_alarm(mrq: ScaipRequest) -> bool:
    status = mrq.fields.get("status_code")
    return (
        mrq.message_type is ScaipMessageType.ALARM
        and not withdraws(mrq)
        and (status in ALARM_STATUSES or status not in TECHNICAL_STATUSES)
    )


class AlarmSources:
    """Which source addresses raised each hub's alarms lately. A cancel or reset is taken
    only when every recent alarm of that hub came from the same source as the cancel (and,
    for a reset, the alarm with its ref did), so a forged one cannot close a real alarm.
    Forgotten on restart: a genuine cancel is then refused and a call handler still calls,
    the safe side."""

    def __init__(self, ttl_s: float = 24 * 3600.0) -> None:
        self._hosts: Expiring[str, frozenset[str]] = Expiring(ttl_s)
        self._refs: Expiring[tuple[str, str], str] = Expiring(ttl_s)

    def raised(self, cid: str, ref: str, host: str) -> None:
        self._hosts.put(cid, (self._hosts.get(cid) or frozenset()) | {host})
        self._refs.put((cid, ref), host)

    def may_withdraw(self, mrq: ScaipRequest, host: str) -> bool:
        cid = mrq.controller_id
        if self._hosts.get(cid) != frozenset({host}):
            return False
        if mrq.message_type is ScaipMessageType.RESET:
            return self._refs.get((cid, mrq.reference)) == host
        return True


class ScaipReceiver:
    def __init__(
        self,
        intake: Intake,
        advertised_host: str,
        authenticator: HubAuthenticator | None = None,
        resend_window_s: float = 600.0,
    ) -> None:
        self._intake = intake
        self._host = advertised_host
        self._auth = authenticator
        self._transactions: Expiring[tuple[str, ...], bytes] = Expiring(TRANSACTION_S)
        # (source, cid, ref, mty) -> the outcome, shared by resends arriving meanwhile.
        self._recent: Expiring[tuple[str, str, str, str], asyncio.Future[Outcome]] = Expiring(
            resend_window_s
        )
        self._sources = AlarmSources()

    async def __call__(self, request: SipMessage, raw: bytes, channel: SipChannel) -> None:
        if request.method == "OPTIONS":
            channel.reply(response(request, 200, "OK"))
            return
        if request.method != "MESSAGE":
            channel.reply(response(request, 405, "Method Not Allowed"))
            return
        key = (channel.peer[0], *request.transaction_key)
        if (answered := self._transactions.get(key)) is not None:
            channel.reply(answered)  # a retransmission: the same answer, nothing more
            return
        refusal = self._refusal(request, channel)
        if refusal is not None:
            self._transactions.put(key, refusal)
            channel.reply(refusal)
            return
        # A hub proven by its certificate or its digest may cancel whatever its address;
        # an allow-list alone proves no hub.
        authenticated = channel.identity is not None or (
            self._auth is not None and self._auth.authenticates_hubs
        )
        answer = response(request, 200, "OK")
        self._transactions.put(key, answer)
        channel.reply(answer)
        outcome = await self.take(request, raw, channel.peer[0], authenticated)
        mrs = render_mrs(outcome.snu, outcome.ref, outcome.reason)
        sender = request.from_uri
        target = SipUri(sender.user if sender else None, channel.peer[0], channel.peer[1])
        channel.reply(
            message_request(
                target, self._host, channel.local_port, channel.transport, CONTENT_TYPE, mrs
            )
        )

    def _refusal(self, request: SipMessage, channel: SipChannel) -> bytes | None:
        """The answer that refuses the request, or None when it may be taken."""
        if channel.identity is not None:
            # SIP over TLS: the client certificate names the hub; it must be the sender.
            sender = request.from_uri
            if sender is None or (sender.user or "").removeprefix("+") != channel.identity:
                return response(request, 403, "Forbidden")
            return None
        return self._auth.check(request, channel.peer[0]) if self._auth is not None else None

    async def unreadable(self, raw: bytes, reason: str, channel: SipChannel) -> None:
        await self._intake.reject(ORIGIN, f"unreadable SIP over {channel.transport}: {reason}", raw)

    async def take(
        self, request: SipMessage, raw: bytes, source: str, authenticated: bool = False
    ) -> Outcome:
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        try:
            if content_type != CONTENT_TYPE:
                raise ScaipRejected(ScaipSnu.INVALID_FORMAT, f"Content-Type is not {CONTENT_TYPE}")
            mrq = parse_mrq(request.body)
            check_sender(request, mrq)
            if withdraws(mrq) and not authenticated and not self._sources.may_withdraw(mrq, source):
                raise ScaipRejected(
                    ScaipSnu.WRONG_DATA,
                    "cancel or reset from a source that did not raise this hub's alarms",
                    mrq.reference,
                )
        except ScaipRejected as rejected:
            return await self._refuse(rejected, raw)
        key = (source, mrq.controller_id, mrq.reference, str(mrq.message_type))
        if (earlier := self._recent.get(key)) is not None:
            log.info(
                "SCAIP %s from hub %s resent: answered again, not published again",
                mrq.reference,
                mrq.controller_id,
            )
            return await asyncio.shield(earlier)
        outcome: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._recent.put(key, outcome)
        try:
            result = await self._hand_on(mrq, raw, source)
        except BaseException as error:
            self._recent.pop(key)
            outcome.set_exception(error)
            with contextlib.suppress(BaseException):
                outcome.exception()  # retrieved: no "never retrieved" warning
            raise
        if result.snu is not ScaipSnu.OK:
            self._recent.pop(key)  # busy: the resend must be tried again
        outcome.set_result(result)
        return result

    async def _hand_on(self, mrq: ScaipRequest, raw: bytes, source: str) -> Outcome:
        try:
            taken = await self._intake.take(
                SCAIP_HUB,
                mrq.controller_id,
                ORIGIN,
                raw,
                lambda holder: [mrq.to_event(holder.person_id, utcnow())],
                (f"SCAIP ref {mrq.reference}", f"mty {mrq.message_type}", f"dty {mrq.device_type}"),
            )
        except (Undeliverable, RegisterUnavailable) as error:
            log.error(
                "SCAIP %s from hub %s answered busy: %s", mrq.reference, mrq.controller_id, error
            )
            return Outcome(ScaipSnu.BUSY, mrq.reference, "busy, retry")
        if raises_alarm(mrq):
            self._sources.raised(mrq.controller_id, mrq.reference, source)
        # An unregistered hub hears what a registered one hears (its message is kept as
        # a dead letter and alerted): a different answer would tell which ids exist.
        log.info(
            "SCAIP %s %s from hub %s %s",
            mrq.message_type,
            mrq.reference,
            mrq.controller_id,
            "taken" if taken is Taken.ACCEPTED else "dead-lettered",
        )
        return Outcome(ScaipSnu.OK, mrq.reference)

    async def _refuse(self, rejected: ScaipRejected, raw: bytes) -> Outcome:
        await self._intake.reject(ORIGIN, f"snu {int(rejected.snu)}: {rejected.reason}", raw)
        return Outcome(rejected.snu, rejected.ref, rejected.reason)
