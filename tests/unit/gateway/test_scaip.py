from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.codes import ScaipMessageType, ScaipSnu
from services.gateway.routing import topic_for
from services.gateway.scaip import ScaipRejected, parse_mrq, render_mrs
from tests.unit.gateway.samples import scaip_captures

NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
CAPTURES = scaip_captures()


def rejection(body: bytes) -> ScaipRejected:
    with pytest.raises(ScaipRejected) as caught:
        parse_mrq(body)
    return caught.value


@pytest.mark.parametrize("name", sorted(n for n in CAPTURES if not n.startswith("nonstandard")))
def test_every_real_device_capture_is_accepted(name: str) -> None:
    mrq = parse_mrq(CAPTURES[name])
    event = mrq.to_event("P000001", NOW)
    assert event.controller_id.isdigit()
    assert event.reference


def test_a_non_standard_root_is_refused() -> None:
    refused = rejection(CAPTURES["nonstandard_syntilio_scaip_root_alarm"])
    assert refused.snu is ScaipSnu.INVALID_FORMAT and "<mrq>" in refused.reason


def test_a_technical_malfunction_status_is_not_an_urgent_alarm() -> None:
    event = parse_mrq(CAPTURES["device_telealarm_technical_malfunction"]).to_event("P1", NOW)
    assert event.status_code == 67
    assert not event.is_alarm and not event.is_urgent
    assert topic_for(event) == "device.events"


def test_the_location_time_is_kept() -> None:
    body = (
        b"<mrq><ref>r1</ref><cid>1</cid><dty>51</dty><lco>35</lco>"
        b"<lge><geo>55.9,-3.2</geo><tim>2026-11-24T21:59:30Z</tim></lge></mrq>"
    )
    event = parse_mrq(body).to_event("P1", NOW)
    assert event.location_time == "2026-11-24T21:59:30Z"
    assert event.geo is not None and event.geo.lon == -3.2


def test_codes_are_integers_whatever_the_padding() -> None:
    essence = parse_mrq(CAPTURES["device_essence_alarm_luc_button"])
    possum = parse_mrq(CAPTURES["device_possum_alarm_fixed_trigger"])
    telealarm = parse_mrq(CAPTURES["device_telealarm_alarm_fixed_trigger_home"])
    assert essence.device_type == 2 and essence.fields["status_code"] == 10
    assert possum.device_type == 4 and possum.fields["status_code"] == 10
    assert telealarm.device_type == 4 and telealarm.fields["location_code"] == 2


def test_missing_mty_is_an_alarm_and_takes_the_priority_lane() -> None:
    event = parse_mrq(CAPTURES["device_possum_alarm_personal_trigger"]).to_event("P1", NOW)
    assert event.message_type is ScaipMessageType.ALARM
    assert topic_for(event) == "device.alarms"


def test_heartbeats_are_telemetry_even_with_an_alarm_status() -> None:
    for name in ("device_possum_heartbeat_pi", "device_telealarm_heartbeat_pi_stc0009"):
        event = parse_mrq(CAPTURES[name]).to_event("P1", NOW)
        assert event.message_type is ScaipMessageType.HEARTBEAT
        assert topic_for(event) == "device.events"


def test_cid_leading_space_and_plus_are_normalised() -> None:
    assert parse_mrq(CAPTURES["device_doro_alarm_cid_leading_space"]).controller_id == "8031372"
    assert parse_mrq(b"<mrq><ref>1</ref><cid>+123456</cid><dty>3</dty></mrq>").controller_id == (
        "123456"
    )


def test_event_id_is_deterministic_per_hub_ref_and_type() -> None:
    body = CAPTURES["device_possum_alarm_personal_trigger"]
    first = parse_mrq(body).to_event("P1", NOW)
    again = parse_mrq(body).to_event("P1", datetime.now(UTC))
    reset = parse_mrq(body.replace(b"<ref>", b"<mty>RE</mty><ref>")).to_event("P1", NOW)
    assert first.event_id == again.event_id
    assert reset.event_id != first.event_id


def test_geo_location_with_a_minus_sign() -> None:
    body = b"<mrq><ref>1</ref><cid>5</cid><dty>51</dty><lge><geo>56.46,-2.97</geo></lge></mrq>"
    geo = parse_mrq(body).fields["geo"]
    assert (geo.lat, geo.lon) == (56.46, -2.97)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "snu"),
    [
        (b"<mrq><ref>1</ref><cid>5</cid><dty>2", ScaipSnu.INVALID_FORMAT),
        (b"<mrs><ref>1</ref><snu>0</snu></mrs>", ScaipSnu.INVALID_FORMAT),
        (b"<mrq><ref>1</ref><dty>2</dty></mrq>", ScaipSnu.MANDATORY_TAG_MISSING),
        (b"<mrq><ref>1</ref><cid>5</cid></mrq>", ScaipSnu.MANDATORY_TAG_MISSING),
        (b"<mrq><cid>5</cid><dty>2</dty></mrq>", ScaipSnu.REFERENCE_MISSING),
        (b"<mrq><ref>a_b</ref><cid>5</cid><dty>2</dty></mrq>", ScaipSnu.WRONG_DATA),
        (b"<mrq><ref>1</ref><cid>12ab</cid><dty>2</dty></mrq>", ScaipSnu.WRONG_DATA),
        (b"<mrq><ref>1</ref><cid>5</cid><dty>x</dty></mrq>", ScaipSnu.WRONG_DATA),
        (b"<mrq><ref>1</ref><cid>5</cid><dty>2</dty><mty>XX</mty></mrq>", ScaipSnu.WRONG_DATA),
        (b"<mrq><ref>1</ref><cid>5</cid><dty>2</dty><stc>-1</stc></mrq>", ScaipSnu.WRONG_DATA),
        (
            b"<mrq><ref>1</ref><cid>5</cid><dty>2</dty><lge><geo>north</geo></lge></mrq>",
            ScaipSnu.WRONG_DATA,
        ),
        (
            b"<mrq><ref>1</ref><cid>5</cid><dty>2</dty><dte>" + b"x" * 20000 + b"</dte></mrq>",
            ScaipSnu.TOO_LONG,
        ),
    ],
)
def test_faults_get_the_standards_snu(body: bytes, snu: ScaipSnu) -> None:
    assert rejection(body).snu is snu


def test_the_ref_is_echoed_when_known() -> None:
    assert rejection(b"<mrq><ref>77</ref><dty>2</dty></mrq>").ref == "77"


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<mrq><ref>1</ref><cid>5</cid><dty>2</dty><dte>&lol3;</dte></mrq>"""
EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE mrq [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<mrq><ref>1</ref><cid>5</cid><dty>2</dty><dte>&xxe;</dte></mrq>"""


@pytest.mark.parametrize("body", [BOMB, EXTERNAL], ids=["bomb", "external-entity"])
def test_entity_tricks_are_refused_as_invalid_format(body: bytes) -> None:
    rejected = rejection(body)
    assert rejected.snu is ScaipSnu.INVALID_FORMAT
    assert "forbidden" in rejected.reason


def test_mrs_echoes_ref_and_explains_refusals() -> None:
    assert render_mrs(ScaipSnu.OK, "00001883") == b"<mrs><ref>00001883</ref><snu>0</snu></mrs>"
    assert render_mrs(ScaipSnu.MANDATORY_TAG_MISSING, "1", "<cid> missing") == (
        b"<mrs><ref>1</ref><snu>7</snu><ste>&lt;cid&gt; missing</ste></mrs>"
    )
    assert render_mrs(ScaipSnu.REFERENCE_MISSING, None) == b"<mrs><snu>10</snu></mrs>"
