"""A simulated community, sized from the service's own figures (a Dundee-sized SCRS):
a few thousand community-alarm users, each with a household, devices on loan and a
daily routine of their own, and 277 people per 2,000 on the unmet-need list waiting for
some 3,000 hours of care a week (domain.md). Reproducible from a seed.

Everyone has an alarm hub and a pendant; the other kit follows what a Technology
Assistant would loan (rates below are the simulation's assumptions, not published
figures): falls pendants for people at risk of falls, a sensor kit (front door, bed,
chair, PIR in hall, bedroom, kitchen and bathroom) for people living alone with
memory problems or a history of falls, Alexa for some, a GPS tracker for people with
dementia who go out."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from services.sim.cohort import FIRST_NAMES, LAST_NAMES, POSTCODE_AREAS, SimDevice, SimPerson

# Per person: the share with each thing, and incident rates per day.
LIVES_ALONE = 0.62
CARE_PACKAGE = 0.25
DEMENTIA = 0.14
FALLS_RISK = 0.35
SENSOR_KIT = 0.18  # of those living alone with dementia or a falls risk: far more
ALEXA = 0.10
WAITING_PER_2000 = 277  # Dundee's unmet-need list
HOURS_A_WEEK_WAITED = 3_000 / 277

RATES = {  # incidents per person per day
    "fall": 0.9 / 365,  # telecare users fall more often than the third of over-65s a year
    "false_press": 1 / 60,  # an accidental press about every two months
    "night_wandering": 1 / 14,  # people with dementia (sensor homes)
    "missed_morning": 1 / 200,  # stays in bed (sensor homes)
    "hospital": 0.35 / 365,  # an admission, then a stay of 2 to 12 days
    "device_flat": 1 / 400,  # a sensor battery runs low (per sensor home)
    "device_offline": 1 / 600,  # a sensor drops off the network (per sensor home)
}
SENSOR_PLACEMENTS = ("front_door", "bed", "chair", "hall", "bedroom", "kitchen", "bathroom")
SENSOR_MODELS = {
    "front_door": "Aqara MCCGQ11LM",
    "bed": "Tuya bed presence",
    "chair": "Tuya chair mat",
    "hall": "Aqara RTCGQ11LM",
    "bedroom": "Aqara RTCGQ11LM",
    "kitchen": "Aqara RTCGQ11LM",
    "bathroom": "Aqara RTCGQ11LM",
}


# Ofcom's ranges for drama, 1,000 numbers each (mobile, then Edinburgh, Glasgow, Leeds,
# Sheffield, Nottingham, Leicester, Bristol, Reading, Birmingham, Liverpool, Manchester,
# London, Tyneside): nobody's real number, and one per resident up to 14,000.
DRAMA_RANGES = (
    "+447700900",
    "+441314960",
    "+441414960",
    "+441134960",
    "+441144960",
    "+441154960",
    "+441164960",
    "+441174960",
    "+441184960",
    "+441214960",
    "+441514960",
    "+441614960",
    "+442079460",
    "+441914980",
)


def drama_number(index: int) -> str:
    return f"{DRAMA_RANGES[index // 1000 % len(DRAMA_RANGES)]}{index % 1000:03d}"


@dataclass(frozen=True)
class Profile:
    """How this person lives: minutes after local midnight, with their own spread."""

    wake_min: int
    bed_min: int
    spread_min: int
    night_visits: float  # bathroom visits a night, on average
    goes_out: float  # chance of going out on a given day
    dementia: bool
    falls_risk: bool
    home: tuple[float, float]  # lat, lon
    waiting_hours: float | None  # on the unmet-need list, hours a week awaited
    in_hospital_waiting: bool = False


@dataclass(frozen=True)
class Resident:
    person: SimPerson
    profile: Profile
    kit: frozenset[str] = field(default=frozenset())  # sensors, falls, alexa, gps

    @property
    def has_sensors(self) -> bool:
        return "sensors" in self.kit


def _devices(person_id: str, index: int, kit: set[str]) -> tuple[SimDevice, ...]:
    slug = person_id.lower()
    devices = [SimDevice("scaip_hub", f"{10_000_000 + index}", "SCAIP alarm hub")]
    if "sensors" in kit:
        devices += [
            SimDevice(
                "zigbee",
                f"{slug} {placement.replace('_', ' ')}",
                SENSOR_MODELS[placement],
                placement,
            )
            for placement in SENSOR_PLACEMENTS
        ]
    if "gps" in kit:
        devices.append(SimDevice("owntracks", f"{slug}/tracker", "OwnTracks"))
    if "alexa" in kit:
        devices.append(SimDevice("alexa", f"amzn1.ask.device.{slug}", "Echo Show 8"))
    return tuple(devices)


def resident(index: int, rng: random.Random, waiting: bool) -> Resident:
    person_id = f"P{index:06d}"
    alone = rng.random() < LIVES_ALONE
    dementia = rng.random() < DEMENTIA
    falls_risk = rng.random() < FALLS_RISK
    kit: set[str] = set()
    if falls_risk:
        kit.add("falls")
    if alone and (dementia or falls_risk) and rng.random() < SENSOR_KIT * 2.5:
        kit.add("sensors")
    if dementia and rng.random() < 0.4:
        kit.add("gps")
    if rng.random() < ALEXA:
        kit.add("alexa")
    wake = rng.randint(6 * 60, 9 * 60 + 30)
    person = SimPerson(
        person_id=person_id,
        display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        phone=drama_number(index),
        postcode=f"{rng.choice(POSTCODE_AREAS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
        f"{rng.choice('LNPQRSTUW')}",
        date_of_birth=date(rng.randint(1928, 1958), rng.randint(1, 12), rng.randint(1, 28)),
        lives_alone=alone,
        has_care_package=not waiting and rng.random() < CARE_PACKAGE,
        devices=_devices(person_id, index, kit),
    )
    profile = Profile(
        wake_min=wake,
        bed_min=rng.randint(21 * 60, 23 * 60 + 30),
        spread_min=rng.randint(10, 35),
        night_visits=rng.choice((0.3, 0.8, 1.0, 1.5, 2.2)),
        goes_out=rng.uniform(0.1, 0.7),
        dementia=dementia,
        falls_risk=falls_risk,
        home=(56.46 + rng.uniform(-0.04, 0.04), -2.97 + rng.uniform(-0.08, 0.08)),
        waiting_hours=rng.choice((3.5, 7.0, 10.5, 14.0, 17.5)) if waiting else None,
        in_hospital_waiting=waiting and rng.random() < 0.08,
    )
    return Resident(person, profile, frozenset(kit))


def community(size: int, seed: int = 2026) -> list[Resident]:
    """`size` residents; about 277 in 2,000 of them on the unmet-need list."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    waiting = set(rng.sample(range(1, size + 1), max(1, round(size * WAITING_PER_2000 / 2000))))
    return [resident(index, rng, index in waiting) for index in range(1, size + 1)]
