"""`tecflow simulate`: the community lives on an accelerated clock and its devices
talk to the running gateway on the real protocols; residents answer the service's
calls on the Twilio simulator as their day has gone.

A status file (JSON, rewritten every two seconds) tells `tecflow up` and the tests the
simulated time and what was sent: `events` counts the device events the gateway
should store, one per zigbee2mqtt or OwnTracks message and SCAIP alarm taken."""

from __future__ import annotations

import asyncio
import gzip
import heapq
import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from services.sim.alexa import DemoSkill, ask
from services.sim.alexa_keys import Signer
from services.sim.community import Resident, community
from services.sim.life import (
    TZ,
    Alarm,
    Availability,
    Happened,
    LifeState,
    Position,
    Sensor,
    Timed,
    Voice,
    live_day,
)
from services.sim.phone import Story, persona
from services.sim.wire import Mqtt, Scaip, owntracks_payload, z2m_payload, z2m_topic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimClock:
    """Simulated time: `start` at the monotonic instant `origin`, `speed` times as fast
    as the wall clock."""

    start: datetime
    speed: float
    origin: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.origin) * self.speed)

    def wall_seconds_until(self, at: datetime) -> float:
        return (at - self.now()).total_seconds() / self.speed


@dataclass(frozen=True)
class Options:
    people: int
    speed: float
    start: datetime
    seed: int
    scale: float
    mqtt: tuple[str, int]
    sip: tuple[str, int]
    twilio_sim_url: str
    status_file: Path
    days: float | None = None  # stop sending after this many simulated days
    alexa: tuple[str, Path] | None = None  # the skill endpoint's URL, the demo key's folder


@dataclass
class Simulation:
    options: Options
    residents: dict[str, Resident]
    clock: SimClock
    lives: dict[str, LifeState] = field(default_factory=dict)
    stories: dict[str, Story] = field(default_factory=dict)
    sent: Counter[str] = field(default_factory=Counter)
    happened: Counter[str] = field(default_factory=Counter)
    queue: list[Timed] = field(default_factory=list)
    seq: int = 0
    next_day: date | None = None
    pending: set[asyncio.Task[None]] = field(default_factory=set)
    finished: bool = False
    signer: Signer | None = None
    hubs: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # last message each

    def plan_day(self, day: date, after: datetime) -> None:
        for person_id, resident in self.residents.items():
            state = self.lives.setdefault(person_id, LifeState())
            for at, act in live_day(resident, day, state, self.options.seed, self.options.scale):
                if at >= after:
                    self.seq += 1
                    heapq.heappush(self.queue, Timed(at, self.seq, person_id, act))

    def status(self) -> dict[str, object]:
        return {
            "sim_time": self.clock.now().isoformat(),
            "speed": self.options.speed,
            "people": len(self.residents),
            "events": self.sent["events"],
            "sent": dict(self.sent),
            "happened": dict(self.happened),
            "in_flight": len(self.pending),
            "finished": self.finished,
        }


async def run(options: Options) -> None:
    residents = {r.person.person_id: r for r in community(options.people, options.seed)}
    sim = Simulation(options, residents, SimClock(options.start, options.speed))
    if options.alexa is not None:
        sim.signer = DemoSkill(options.alexa[1]).signer()
    async with Mqtt(*options.mqtt) as mqtt, httpx.AsyncClient(timeout=30) as http:
        scaip = Scaip(*options.sip)
        await scaip.open()
        today = sim.clock.now().astimezone(TZ).date()
        started = time.monotonic()
        # A few at a time: the simulator is one process, and busy on a loaded machine.
        gate = asyncio.Semaphore(8)

        async def introduce(resident: Resident) -> None:
            async with gate:
                await _set_persona(http, options, resident, Story(), today)

        await asyncio.gather(*(introduce(r) for r in residents.values()))
        log.info(
            "%d callers set on the Twilio simulator in %.1f s",
            len(residents),
            time.monotonic() - started,
        )
        log.info(
            "simulating %d people from %s at %gx", len(residents), options.start, options.speed
        )
        writer = asyncio.create_task(_write_status(sim))
        try:
            await _live(sim, mqtt, scaip, http)
            await asyncio.gather(*sim.pending)
            sim.finished = True
            log.info("simulated %g day(s); sent %s", options.days, dict(sim.sent))
            _dump(sim)
            await asyncio.Event().wait()  # the community has stopped; the parts run on
        finally:
            writer.cancel()
            scaip.close()
            _dump(sim)


async def _live(sim: Simulation, mqtt: Mqtt, scaip: Scaip, http: httpx.AsyncClient) -> None:
    day = sim.clock.now().astimezone(TZ).date()
    sim.plan_day(day, sim.clock.now())
    sim.next_day = day + timedelta(days=1)
    end = (
        sim.options.start + timedelta(days=sim.options.days)
        if sim.options.days is not None
        else None
    )
    while True:
        # Plan tomorrow half a day ahead, so its early hours are queued in time.
        midnight = datetime.combine(sim.next_day, datetime.min.time(), TZ)
        if not sim.queue or sim.queue[0].at >= midnight - timedelta(hours=12):
            sim.plan_day(sim.next_day, midnight)
            sim.next_day += timedelta(days=1)
            continue
        item = heapq.heappop(sim.queue)
        if end is not None and item.at >= end:
            return
        wait = sim.clock.wall_seconds_until(item.at)
        if wait > 0:
            await asyncio.sleep(wait)
        await _emit(sim, item, mqtt, scaip, http)


@dataclass(frozen=True)
class MqttMessage:
    topic: str
    payload: bytes


@dataclass(frozen=True)
class ScaipMessage:
    what: str
    cid: str


@dataclass(frozen=True)
class AlexaMessage:
    device_id: str
    intent: str


def render(resident: Resident, item: Timed) -> MqttMessage | ScaipMessage | AlexaMessage | None:
    """The message a resident's device sends for an act (None: it is not a device's)."""
    person, act = resident.person, item.act
    if isinstance(act, Sensor):
        name = person.device("zigbee", act.placement).identifier
        return MqttMessage(z2m_topic(name), z2m_payload(act.key, act.value, item.at))
    if isinstance(act, Availability):
        name = person.device("zigbee", act.placement).identifier
        state = "online" if act.online else "offline"
        return MqttMessage(
            z2m_topic(name, availability=True), json.dumps({"state": state}).encode()
        )
    if isinstance(act, Position):
        user, device = person.device("owntracks").identifier.split("/")
        return MqttMessage(
            f"owntracks/{user}/{device}", owntracks_payload(act.lat, act.lon, item.at, 80)
        )
    if isinstance(act, Alarm):
        return ScaipMessage(act.what, person.device("scaip_hub").identifier)
    if isinstance(act, Voice):
        return AlexaMessage(person.device("alexa").identifier, act.intent)
    return None


async def _emit(
    sim: Simulation, item: Timed, mqtt: Mqtt, scaip: Scaip, http: httpx.AsyncClient
) -> None:
    resident = sim.residents[item.person_id]
    message = render(resident, item)
    if isinstance(message, MqttMessage):
        await mqtt.publish(message.topic, message.payload)
        sim.sent[message.topic.split("/")[0]] += 1
        sim.sent["events"] += 1
    elif isinstance(message, ScaipMessage):
        # A hub sends one message at a time: a cancel follows its alarm's answer (on the
        # accelerated clock they would otherwise cross on the way).
        before = sim.hubs.get(message.cid)
        sim.hubs[message.cid] = _in_flight(
            sim, _alarm(sim, scaip, message.what, message.cid, after=before)
        )
    elif isinstance(message, AlexaMessage):
        if sim.options.alexa is not None:
            _in_flight(sim, _voice(sim, http, message))
    elif isinstance(act := item.act, Happened):
        sim.happened[act.what] += 1
        story = sim.stories.setdefault(item.person_id, Story())
        story.lived(act)
        try:
            await _set_persona(http, sim.options, resident, story, act.day)
        except httpx.HTTPError as error:  # they answer as before; the community lives on
            log.warning("caller of %s not updated: %r", item.person_id, error)
            sim.sent["callers_not_updated"] += 1


def _in_flight(sim: Simulation, work: Coroutine[None, None, None]) -> asyncio.Task[None]:
    # Alarms and Alexa requests wait for their answer: the community goes on meanwhile.
    task = asyncio.create_task(work)
    sim.pending.add(task)
    task.add_done_callback(sim.pending.discard)
    return task


async def _voice(sim: Simulation, http: httpx.AsyncClient, message: AlexaMessage) -> None:
    assert sim.options.alexa is not None and sim.signer is not None
    sim.sent["alexa"] += 1
    try:
        status = await ask(
            http, sim.options.alexa[0], sim.signer, message.device_id, message.intent
        )
    except httpx.HTTPError as error:
        log.warning("Alexa request from %s failed: %r", message.device_id, error)
        sim.sent["alexa_failed"] += 1
        return
    if status == 200:
        sim.sent["events"] += 1
    else:
        log.warning("Alexa request from %s refused: HTTP %s", message.device_id, status)
        sim.sent["alexa_refused"] += 1


async def _alarm(
    sim: Simulation, scaip: Scaip, what: str, cid: str, after: asyncio.Task[None] | None = None
) -> None:
    if after is not None:
        await asyncio.wait({after})
    ref = uuid.uuid4().hex[:12]
    sim.sent[f"scaip_{what}"] += 1
    try:
        snu = await scaip.send(what, cid, ref)
    except TimeoutError:
        log.warning("SCAIP %s from hub %s (ref %s) not answered", what, cid, ref)
        sim.sent["scaip_unanswered"] += 1
        return
    except Exception:  # a task of its own: nothing else would see the error
        log.exception("SCAIP %s from hub %s (ref %s) failed", what, cid, ref)
        sim.sent["scaip_failed"] += 1
        return
    if snu == 0:
        sim.sent["events"] += 1
    else:
        log.warning("SCAIP %s from hub %s refused: snu %s", what, cid, snu)
        sim.sent["scaip_refused"] += 1


async def _set_persona(
    http: httpx.AsyncClient, options: Options, resident: Resident, story: Story, today: date
) -> None:
    caller = persona(resident, story, today)
    answer = await http.put(
        f"{options.twilio_sim_url}/sim/callers/{resident.person.phone}", json=[caller]
    )
    answer.raise_for_status()


def _dump(sim: Simulation) -> None:
    path = sim.options.status_file
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(sim.status()))
    temporary.replace(path)


async def _write_status(sim: Simulation, every_s: float = 2.0) -> None:
    while True:
        _dump(sim)
        await asyncio.sleep(every_s)


def read_status(path: Path) -> dict[str, object] | None:
    try:
        status: dict[str, object] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return status


def record(options: Options, path: Path) -> Counter[str]:
    """The community's `options.days` days from `options.start` as JSON lines
    (gzip-compressed if the name ends in .gz), without sending anything: each line a
    device message as the simulator would send it (`mqtt` topic and payload, or a
    `scaip` alarm from a hub) or what happened to a resident, in time order."""
    residents = {r.person.person_id: r for r in community(options.people, options.seed)}
    sim = Simulation(options, residents, SimClock(options.start, options.speed))
    end = options.start + timedelta(days=options.days or 1)
    day = options.start.astimezone(TZ).date()
    while day <= end.astimezone(TZ).date():
        sim.plan_day(day, options.start)
        day += timedelta(days=1)
    counts: Counter[str] = Counter()
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8") as out:
        while sim.queue and (item := heapq.heappop(sim.queue)).at < end:
            line: dict[str, object] = {
                "at": item.at.astimezone(UTC).isoformat(),
                "person_id": item.person_id,
            }
            message = render(residents[item.person_id], item)
            if isinstance(message, MqttMessage):
                line["mqtt"] = {"topic": message.topic, "payload": message.payload.decode()}
                counts[message.topic.split("/")[0]] += 1
            elif isinstance(message, ScaipMessage):
                line["scaip"] = {"what": message.what, "cid": message.cid}
                counts["scaip"] += 1
            elif isinstance(message, AlexaMessage):
                line["alexa"] = {"device_id": message.device_id, "intent": message.intent}
                counts["alexa"] += 1
            elif isinstance(item.act, Happened):
                line["happened"] = item.act.what
                counts[item.act.what] += 1
            out.write(json.dumps(line) + "\n")
    return counts
