"""Synthetic service users and their loaned equipment, reproducible from a seed.

Names are drawn from short invented lists and phone numbers from Ofcom's drama range
(+44 7700 900xxx), so nothing here is anyone's real data."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

FIRST_NAMES = (
    "Agnes",
    "Bill",
    "Cathy",
    "Donald",
    "Elsie",
    "Frank",
    "Gwen",
    "Harold",
    "Irene",
    "Jack",
    "Kathleen",
    "Len",
    "Mabel",
    "Norman",
    "Olive",
    "Percy",
)
LAST_NAMES = (
    "Ashby",
    "Brodie",
    "Cairns",
    "Dunlop",
    "Ewing",
    "Forbes",
    "Gillies",
    "Hendry",
    "Innes",
    "Jardine",
    "Kerr",
    "Lindsay",
    "Munro",
    "Nairn",
)
POSTCODE_AREAS = ("DD1", "DD2", "DD3", "DD4", "DD5", "LU1", "LU2", "LU3", "LU4")


@dataclass(frozen=True)
class SimDevice:
    kind: str  # scaip_hub | zigbee | owntracks | alexa
    identifier: str
    model: str
    placement: str | None = None


@dataclass(frozen=True)
class SimPerson:
    person_id: str
    display_name: str
    phone: str
    postcode: str
    date_of_birth: date
    lives_alone: bool
    has_care_package: bool
    devices: tuple[SimDevice, ...] = field(default=())

    def device(self, kind: str, placement: str | None = None) -> SimDevice:
        return next(
            d
            for d in self.devices
            if d.kind == kind and (placement is None or d.placement == placement)
        )


def synthetic_person(index: int, rng: random.Random) -> SimPerson:
    person_id = f"P{index:06d}"
    slug = person_id.lower()
    devices = (
        SimDevice("scaip_hub", f"{10_000_000 + index}", "SCAIP alarm hub"),
        SimDevice("zigbee", f"{slug} front door", "Aqara MCCGQ11LM", "front_door"),
        SimDevice("zigbee", f"{slug} hall motion", "Aqara RTCGQ11LM", "hall"),
        SimDevice("zigbee", f"{slug} bedroom motion", "Aqara RTCGQ11LM", "bedroom"),
        SimDevice("zigbee", f"{slug} bed", "Tuya bed presence", "bed"),
        SimDevice("zigbee", f"{slug} sos", "Tuya TS0215A_sos", None),
        SimDevice("owntracks", f"{slug}/phone", "OwnTracks"),
        SimDevice("alexa", f"amzn1.ask.device.{slug}", "Echo Show 8"),
    )
    return SimPerson(
        person_id=person_id,
        display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        phone=f"+447700900{index % 1000:03d}",
        postcode=f"{rng.choice(POSTCODE_AREAS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}"
        f"{rng.choice('LNPQRSTUW')}",
        date_of_birth=date(rng.randint(1930, 1955), rng.randint(1, 12), rng.randint(1, 28)),
        lives_alone=rng.random() < 0.6,
        has_care_package=rng.random() < 0.3,
        devices=devices,
    )


def synthetic_cohort(size: int, seed: int = 2022) -> list[SimPerson]:
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    return [synthetic_person(index, rng) for index in range(1, size + 1)]
