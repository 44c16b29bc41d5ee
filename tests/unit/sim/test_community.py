"""The simulated community: sized from the service's figures, reproducible, and its
residents' days and phone answers follow what happens to them."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from services.gateway import owntracks, zigbee
from services.sim.community import community
from services.sim.life import Alarm, Happened, LifeState, Sensor, live_day
from services.sim.phone import Story, persona
from services.sim.run import Options, record

FIXTURE = Path(__file__).parents[2] / "data" / "sim-day.jsonl.gz"


def fixture_options(tmp_path: Path) -> Options:
    """How tests/data/sim-day.jsonl.gz was made: `tecflow simulate --record
    tests/data/sim-day.jsonl.gz --people 2000 --days 1 --start 2026-03-02T00:00:00+0000`."""
    return Options(
        people=2000,
        speed=144.0,
        seed=2026,
        scale=1.0,
        start=datetime(2026, 3, 2, tzinfo=UTC),
        mqtt=("", 0),
        sip=("", 0),
        twilio_sim_url="",
        status_file=tmp_path / "status.json",
        days=1.0,
    )


def test_a_dundee_sized_community_from_the_services_figures() -> None:
    residents = community(2000)
    waiting = [r for r in residents if r.profile.waiting_hours is not None]
    assert len(waiting) == 277
    assert 2700 < sum(r.profile.waiting_hours or 0 for r in waiting) < 3300
    kit = Counter(k for r in residents for k in r.kit)
    assert kit["falls"] > kit["sensors"] > kit["gps"] > 0 and kit["alexa"] > 0
    assert len({r.person.phone for r in residents}) == 2000  # one number each
    assert community(50) == community(50)[:50]  # the seed decides


def test_a_day_is_reproducible_and_in_time_order() -> None:
    resident = next(r for r in community(300) if r.has_sensors)
    day = live_day(resident, date(2026, 3, 2), LifeState(), seed=1)
    assert day == live_day(resident, date(2026, 3, 2), LifeState(), seed=1)
    assert [at for at, _ in day] == sorted(at for at, _ in day)
    assert Sensor("bed", "occupancy", False) in [act for _, act in day]  # got up


def test_someone_who_fell_says_so_on_the_next_call() -> None:
    resident = next(r for r in community(300) if r.profile.falls_risk)
    fell = live_day(resident, date(2026, 3, 2), LifeState(), seed=3, scale=500)
    assert Happened("fall", date(2026, 3, 2)) in [a for _, a in fell] or Happened(
        "fall_injured", date(2026, 3, 2)
    ) in [a for _, a in fell]
    assert any(isinstance(a, Alarm) for _, a in fell)
    story = Story()
    story.lived(Happened("fall", date(2026, 3, 2)))
    today = date(2026, 3, 3)
    for attempt in range(20):  # a few days out, to find one they pick up the phone
        caller = persona(resident, story, today.replace(day=3 + attempt))
        if caller["behaviour"] == "answer":
            break
    answers = caller["answers"]
    assert isinstance(answers, dict)
    assert answers["fall_in_last_days"] == answers["any_falls"] == "1"
    in_hospital = Story(in_hospital=True)
    assert persona(resident, in_hospital, today) == {"behaviour": "no-answer"}


def test_the_recorded_day_is_the_simulators_own(tmp_path: Path) -> None:
    again = tmp_path / "day.jsonl.gz"
    record(fixture_options(tmp_path), again)
    assert gzip.decompress(again.read_bytes()) == gzip.decompress(FIXTURE.read_bytes())


def test_every_recorded_device_message_is_one_event_at_the_devices_time() -> None:
    ids = set()
    lines = [json.loads(line) for line in gzip.decompress(FIXTURE.read_bytes()).splitlines()]
    mqtt = [line for line in lines if "mqtt" in line]
    assert len(mqtt) > 15_000
    for line in mqtt:
        topic, payload = line["mqtt"]["topic"], line["mqtt"]["payload"].encode()
        at = datetime.fromisoformat(line["at"])
        if topic.startswith("zigbee2mqtt/"):
            message = zigbee.parse("zigbee2mqtt", topic, payload)
            assert isinstance(message, zigbee.ZigbeeMessage)
            assert len(message.readings) == 1
            if message.seen_at is not None:
                assert message.seen_at == at
            ids.add(message.event_id(message.readings[0]))
        else:
            fixes = owntracks.parse_mqtt(topic, payload)
            assert isinstance(fixes, list) and len(fixes) == 1
            assert fixes[0].at == at.replace(microsecond=0)
            ids.add(fixes[0].event_id)
    assert len(ids) == len(mqtt)  # no two messages are the same event
