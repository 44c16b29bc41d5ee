"""The dialer (`tecflow dialer`): a Faust app that queues call requests in the store
once each (by event_id), dials the due ones through Twilio at a steady rate with a cap on
calls in progress, and publishes the outbox of outcomes and retries.

Phone numbers are read from the store at dialling time and never logged."""

from __future__ import annotations

import asyncio
import logging
import math
import uuid
from datetime import timedelta
from functools import partial

import faust
from sqlalchemy.orm import Session, sessionmaker
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from contracts.calls import OPTED_OUT, CallRequested
from contracts.codes import CallStatus
from contracts.envelope import utcnow
from contracts.topics import Topic
from services.settings import Settings
from services.store import outbox
from services.store.db import make_engine, make_session_factory
from services.store.outbox import Relay
from services.telephony import calls_store
from services.telephony.calls_store import DialJob
from services.telephony.ivr import webhook_urls
from services.telephony.pacing import TokenBucket
from services.telephony.settings import TelephonySettings
from streams.app import Bus, create_app, run_worker
from streams.consuming import parse_or_dead_letter, write_with_retry

log = logging.getLogger(__name__)

POLL_S = 0.1
READY_S = 2.0  # seconds of calls taken from the store ahead of their dialling slot
STATUS_EVENTS = ["initiated", "ringing", "answered", "completed"]
UNREACHABLE_RETRY = timedelta(seconds=30)
RECOVER_EVERY_S = 60.0
API_TIMEOUT_S = 15.0


class TwilioCalls:
    """The Twilio REST adapter: the official client, pointed at the simulator locally."""

    def __init__(self, settings: TelephonySettings) -> None:
        self.settings = settings
        self.client = Client(
            settings.account_sid,
            settings.auth_token.get_secret_value(),
            # No timeout by default: a hung request would hold a dialling slot forever.
            http_client=TwilioHttpClient(timeout=API_TIMEOUT_S),
        )
        if settings.api_base_url:
            self.client.api.base_url = settings.api_base_url.rstrip("/")

    def place(self, phone: str, call_id: uuid.UUID) -> tuple[str, str]:
        """Start one call; returns Twilio's CallSid and status."""
        voice_url, status_url = webhook_urls(self.settings.base_url, call_id)
        call = self.client.calls.create(
            to=phone,
            from_=self.settings.from_number,
            url=voice_url,
            method="POST",
            status_callback=status_url,
            status_callback_method="POST",
            status_callback_event=STATUS_EVENTS,
            timeout=self.settings.ring_timeout_s,
            machine_detection="Enable",
        )
        return str(call.sid), str(call.status)


async def store_requests(
    stream: faust.StreamT[bytes], *, dead_letters: faust.TopicT, factory: sessionmaker[Session]
) -> None:
    async for event in stream.events():
        request = await parse_or_dead_letter(event, Topic.CALLS_REQUESTED, dead_letters)
        if not isinstance(request, CallRequested):
            continue
        if await write_with_retry(factory, calls_store.accept_request, request):
            log.info("queued call %s (attempt %s)", request.event_id, request.attempt)
        else:
            log.info("call %s was requested before; not queued again", request.event_id)


class Dialer:
    """Takes due calls from the store and places them, paced and capped. A feeder keeps
    a couple of seconds' worth of calls ready, so a slow store read never makes the
    pacer miss a slot."""

    def __init__(
        self, factory: sessionmaker[Session], calls: TwilioCalls, settings: TelephonySettings
    ) -> None:
        self.factory = factory
        self.calls = calls
        self.max_concurrent = settings.max_concurrent
        self.bucket = TokenBucket(settings.calls_per_second)
        self.ready: asyncio.Queue[DialJob] = asyncio.Queue(
            maxsize=max(1, math.ceil(settings.calls_per_second * READY_S))
        )
        self._dialling: set[asyncio.Task[None]] = set()

    async def feed(self) -> None:
        while True:
            active = await write_with_retry(self.factory, calls_store.active_calls)
            # Calls waiting in `ready` are already counted as active (state dialling).
            room = min(self.max_concurrent - active, self.ready.maxsize - self.ready.qsize())
            jobs = []
            if room > 0:
                jobs = await write_with_retry(self.factory, calls_store.take_due, utcnow(), room)
            for job in jobs:
                await self.ready.put(job)
            if not jobs:
                await asyncio.sleep(POLL_S)

    async def pace(self) -> None:
        while True:
            job = await self.ready.get()
            if job.phone and not job.opted_out and utcnow() < job.request.window_end:
                await self.bucket.take()  # only calls that will really be placed take a slot
            task = asyncio.create_task(self.dial(job))
            self._dialling.add(task)
            task.add_done_callback(self._dialling.discard)

    async def dial(self, job: DialJob) -> None:
        if utcnow() >= job.request.window_end:
            await self.end(job, CallStatus.CANCELED, "call window ended before dialling")
            return
        if job.opted_out:  # consent withdrawn after the call was planned (hazard H11)
            await self.end(job, CallStatus.CANCELED, OPTED_OUT)
            return
        if not job.phone:
            await self.end(job, CallStatus.FAILED, "no phone number on record")
            return
        try:
            sid, status = await asyncio.to_thread(self.calls.place, job.phone, job.call_id)
        except TwilioRestException as error:
            log.warning("Twilio refused call %s: %s %s", job.call_id, error.status, error.code)
            await self.end(job, CallStatus.FAILED, f"Twilio error {error.code}")
            return
        except OSError as error:  # Twilio unreachable: try again shortly, nothing lost
            log.error("Twilio unreachable for call %s: %s", job.call_id, type(error).__name__)
            await write_with_retry(
                self.factory, calls_store.release, job.call_id, utcnow() + UNREACHABLE_RETRY
            )
            return
        await write_with_retry(
            self.factory, calls_store.mark_placed, job.call_id, sid, status, utcnow()
        )
        log.info("placed call %s as %s", job.call_id, sid)

    async def end(self, job: DialJob, status: CallStatus, reason: str) -> None:
        """End a call that never rang: its outcome (and any retry) go out like any other."""
        log.info("call %s not placed (%s): %s", job.call_id, status, reason)
        end_call = partial(calls_store.end_call, end_reason=reason)
        await write_with_retry(self.factory, end_call, job.call_id, status, utcnow())


async def relay_outbox(bus: Bus, factory: sessionmaker[Session]) -> None:
    """Publish outcomes and retries written by call endings, oldest first, each once."""
    while True:
        pending = await write_with_retry(factory, outbox.unpublished, Relay.DIALER)
        for event in pending:
            sent = await bus[event.topic].send(key=event.key, value=event.value)
            await sent
        if pending:
            published = [event.event_id for event in pending]
            await write_with_retry(factory, outbox.mark_published, published, utcnow())
        else:
            await asyncio.sleep(POLL_S)


async def recover_stale(factory: sessionmaker[Session]) -> None:
    while True:
        released, ended = await write_with_retry(factory, calls_store.recover_stale, utcnow())
        if released or ended:
            log.warning("stale calls: %s put back in the queue, %s ended", released, ended)
        await asyncio.sleep(RECOVER_EVERY_S)


def build(settings: Settings, telephony: TelephonySettings) -> Bus:
    bus = create_app(settings.model_copy(update={"app_id": f"{settings.app_id}-dialer"}))
    # The dialer has no tables to serve; no web port to clash with a worker's.
    bus.app.conf.web_enabled = False
    factory = make_session_factory(make_engine(settings.sqlalchemy_url))
    dialer = Dialer(factory, TwilioCalls(telephony), telephony)
    bus.app.agent(bus[Topic.CALLS_REQUESTED], name="dialer-requests")(
        partial(store_requests, dead_letters=bus[Topic.DEADLETTER], factory=factory)
    )

    async def feed() -> None:
        await dialer.feed()

    async def pace() -> None:
        await dialer.pace()

    async def relay() -> None:
        await relay_outbox(bus, factory)

    async def recover() -> None:
        await recover_stale(factory)

    for task in (feed, pace, relay, recover):
        bus.app.task(task)
    return bus


def run(settings: Settings, telephony: TelephonySettings) -> None:
    bus = build(settings, telephony)
    run_worker(bus.app, settings.log_level)
