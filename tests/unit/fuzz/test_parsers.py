"""Property-based fuzzing of every parser of outside input (issue 18): whatever arrives,
each gives a result or its own refusal (the reason a dead letter carries), never another
exception; and a result always makes valid events. Bounded (max_examples) to stay fast."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.gateway import alexa, owntracks, zigbee
from services.gateway.scaip import ScaipRejected, parse_mrq
from services.gateway.sip import SipError, frame_length, parse_message
from services.needs.csvfile import read_rows
from services.telephony.engine import Heard, respond
from services.telephony.ivr import _confidence
from services.telephony.script import library

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Numbers at every edge: huge, tiny, negative, NaN/Infinity (Python's json writes them).
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e20, 1e300, -1.0, 0.0, 1e-300, 10**400]),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=30), numbers.map(str))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def objects(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """JSON objects made mostly of the keys a parser reads, with any values."""
    return st.dictionaries(
        st.one_of(st.sampled_from(keys), st.text(max_size=8)), json_values, max_size=len(keys) + 2
    )


def dumps(value: object) -> bytes:
    try:
        return json.dumps(value).encode()
    except (ValueError, OverflowError):
        return b"{}"


MRQ_TAGS = [
    "ref",
    "cid",
    "dty",
    "mty",
    "stc",
    "pri",
    "lco",
    "ico",
    "did",
    "dte",
    "crd",
    "stt",
    "lte",
    "ite",
    "lva",
]


@st.composite
def mrqs(draw: st.DrawFn) -> bytes:
    parts = []
    for tag in draw(st.lists(st.sampled_from(MRQ_TAGS), max_size=8)):
        text = draw(
            st.one_of(st.text(alphabet="0123456789 +-abcXYZ", max_size=20), st.text(max_size=20))
        )
        parts.append(f"<{tag}>{escape(text)}</{tag}>")
    if draw(st.booleans()):
        geo = draw(st.text(alphabet="0123456789.,- eE", max_size=24))
        tim = draw(st.text(max_size=30))
        parts.append(f"<lge><geo>{escape(geo)}</geo><tim>{escape(tim)}</tim></lge>")
    root = draw(st.sampled_from(["mrq", "mrq", "mrq", "scaip", "mrs"]))
    return f"<{root}>{''.join(parts)}</{root}>".encode()


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@FUZZ
@given(st.one_of(mrqs(), st.binary(max_size=300)))
def test_scaip_gives_a_request_or_its_snu(body: bytes) -> None:
    try:
        request = parse_mrq(body)
    except ScaipRejected as rejected:
        assert rejected.reason
        return
    event = request.to_event("P1", NOW)  # a parsed <mrq> always makes a valid event
    assert event.controller_id == request.controller_id


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([b"", b"\r\n\r\n", b"Content-Length: 5\r\n"]))
def test_sip_gives_a_message_or_a_sip_error(data: bytes, tail: bytes) -> None:
    raw = b"MESSAGE sip:r@h SIP/2.0\r\n" + data + tail
    for candidate in (data, raw):
        try:
            parse_message(candidate)
            frame_length(candidate)
        except SipError as error:
            assert error.status in (400, 513)


ZIGBEE_KEYS = [
    "contact",
    "occupancy",
    "water_leak",
    "smoke",
    "sos",
    "action",
    "battery",
    "last_seen",
    "tamper",
    "battery_low",
    "vibration",
    "state",
]


@FUZZ
@given(
    st.sampled_from(
        ["z/front door", "z/bed/availability", "z/bridge/state", "z/x/set", "z/", "other/x"]
    ),
    st.one_of(
        objects(ZIGBEE_KEYS).map(dumps),
        st.binary(max_size=60),
        st.sampled_from([b"online", b"offline", b""]),
    ),
)
def test_zigbee2mqtt_gives_readings_or_a_reason(topic: str, payload: bytes) -> None:
    try:
        message = zigbee.parse("z", topic, payload)
    except zigbee.ZigbeeRejected as rejected:
        assert str(rejected)
        return
    if isinstance(message, zigbee.ZigbeeMessage):
        message.to_events("P1", "front_door", NOW)


OWNTRACKS_KEYS = [
    "_type",
    "lat",
    "lon",
    "tst",
    "acc",
    "vel",
    "batt",
    "inregions",
    "t",
    "event",
    "desc",
    "wtst",
    "rad",
    "waypoints",
    "topic",
    "tid",
]


@st.composite
def owntracks_payloads(draw: st.DrawFn) -> bytes:
    message = draw(objects(OWNTRACKS_KEYS))
    if draw(st.booleans()):
        message["_type"] = draw(
            st.sampled_from(["location", "transition", "waypoint", "waypoints", "lwt", "encrypted"])
        )
    return dumps(message)


@FUZZ
@given(
    st.sampled_from(
        [
            "owntracks/ann/phone",
            "owntracks/ann/phone/event",
            "owntracks/ann/phone/waypoints",
            "owntracks/ann",
            "owntracks/",
        ]
    ),
    st.one_of(owntracks_payloads(), st.binary(max_size=60)),
)
def test_owntracks_gives_fixes_or_a_reason(topic: str, payload: bytes) -> None:
    try:
        fixes = owntracks.parse_mqtt(topic, payload)
    except owntracks.OwnTracksRejected as rejected:
        assert str(rejected)
        return
    if not isinstance(fixes, owntracks.Ignored):
        for fix in fixes:
            fix.to_event("P1", NOW, "gateway.owntracks")


@st.composite
def alexa_bodies(draw: st.DrawFn) -> bytes:
    """Envelopes built from the real shape with any part replaced by anything."""
    envelope: dict[str, Any] = {
        "version": "1.0",
        "session": {"application": {"applicationId": "skill"}},
        "context": {
            "System": {"device": {"deviceId": "dev"}, "application": {"applicationId": "skill"}}
        },
        "request": {
            "type": "IntentRequest",
            "requestId": "r1",
            "timestamp": NOW.isoformat(),
            "locale": "en-GB",
            "intent": {
                "name": "ReminderAcknowledgedIntent",
                "slots": {"reminder": {"value": "pills"}},
            },
        },
    }
    for _ in range(draw(st.integers(0, 4))):
        path = draw(
            st.sampled_from(
                [
                    ("session",),
                    ("context",),
                    ("context", "System"),
                    ("request",),
                    ("request", "type"),
                    ("request", "timestamp"),
                    ("request", "intent"),
                    ("request", "locale"),
                    ("request", "requestId"),
                    ("context", "System", "device"),
                ]
            )
        )
        target: dict[str, Any] = envelope
        for key in path[:-1]:
            nested = target.get(key)
            target = nested if isinstance(nested, dict) else {}
        target[path[-1]] = draw(json_values)
    return dumps(envelope)


@FUZZ
@given(st.one_of(alexa_bodies(), st.binary(max_size=80)))
def test_alexa_gives_a_request_or_a_reason(body: bytes) -> None:
    try:
        parsed = alexa.parse_request(body, "skill", NOW)
    except alexa.AlexaRejected as rejected:
        assert str(rejected)
        return
    if parsed.intent is not None:
        parsed.to_event("P1", NOW)


@FUZZ
@given(
    st.sampled_from(sorted(library())),
    st.data(),
    st.one_of(st.none(), st.text(max_size=12)),
    st.one_of(st.none(), st.text(max_size=40)),
    st.one_of(st.none(), st.text(max_size=12)),
    st.integers(-5, 10),
)
def test_the_ivr_form_gives_a_turn(
    name: str,
    data: st.DataObject,
    digits: str | None,
    speech: str | None,
    confidence: str | None,
    tries: int,
) -> None:
    script = library()[name]  # type: ignore[index]
    step = data.draw(st.sampled_from([s.id for s in script.steps]))
    heard = Heard(digits=digits or None, speech=speech or None, confidence=_confidence(confidence))
    turn = respond(script, script.language("en-GB"), step, {}, heard, tries, NOW)
    assert turn.say or turn.ask or turn.completed or turn.transfer


CSV_COLUMNS = [
    "person_id",
    "severity",
    "hours_per_week",
    "waiting_at",
    "assessed_on",
    "listed_on",
    "notes",
]


@FUZZ
@given(
    st.lists(st.sampled_from(CSV_COLUMNS), min_size=1, max_size=8),
    st.lists(st.lists(st.text(max_size=12), max_size=8), max_size=5),
    st.text(max_size=40),
)
def test_the_needs_csv_gives_rows_or_line_errors(
    header: list[str], rows: list[list[str]], noise: str
) -> None:
    text = "\n".join([",".join(header), *(",".join(r) for r in rows), noise])
    good, errors = read_rows(text, date(2026, 11, 24))
    assert all(line >= 1 for line, _ in good)
    assert all(error.line >= 1 and error.reason for error in errors)
