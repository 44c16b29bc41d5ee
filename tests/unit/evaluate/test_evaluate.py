"""`tecflow evaluate`: a recorded home through the parser, register and processors,
incidents written into the log, alerts counted per person-month and per incident."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from contracts.devices import SensorCapability, SensorPlacement
from services.cli import main
from services.evaluate.logs import LogRejected, load_home, read_log, write_z2m_jsonl
from services.evaluate.replay import sensor_events
from services.evaluate.run import evaluate, parse_injections
from tests.unit.evaluate.homes import write_home


def test_casas_lines_become_zigbee2mqtt_readings_in_the_homes_time(tmp_path: Path) -> None:
    log, home_file = write_home(tmp_path, days=1)
    home = load_home(home_file)
    messages = read_log(log, "casas", home)
    first = messages[0]  # 03:00 GMT, out of bed
    assert (first.at, first.topic, first.payload) == (
        datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
        "zigbee2mqtt/B001",
        {"occupancy": False},
    )
    door = next(m for m in messages if m.name == "D001")
    assert door.payload == {"contact": False}  # zigbee2mqtt: contact false is open
    events = sensor_events(messages, home)
    flush = next(e for e in events if e.device_id == "F001")
    assert (flush.capability, flush.value, flush.placement) == (
        SensorCapability.STATE,
        True,
        SensorPlacement.BATHROOM,
    )
    assert events[0].occurred_at == first.at  # the log's time, through `last_seen`


def test_the_zigbee2mqtt_log_reads_back_the_same(tmp_path: Path) -> None:
    log, home_file = write_home(tmp_path, days=2)
    home = load_home(home_file)
    messages = read_log(log, "casas", home)
    write_z2m_jsonl(tmp_path / "home.jsonl", messages)
    assert read_log(tmp_path / "home.jsonl", "z2m-jsonl", home) == messages


def test_bad_input_is_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{"sensors": {"M1": {"placement": "attic"}}}')
    with pytest.raises(LogRejected, match=r"bad\.json"):
        load_home(tmp_path / "bad.json")
    with pytest.raises(ValueError, match="KIND=N"):
        parse_injections(("fall=2",))


def test_an_ordinary_fortnight_raises_nothing(tmp_path: Path) -> None:
    log, home_file = write_home(tmp_path, days=14)
    result = evaluate(log, "casas", load_home(home_file))
    assert not result.report.false_alerts
    assert round(result.report.person_months, 2) == 0.22  # 13.8 days less the warm-up


def test_a_door_opened_at_night_is_written_in_and_found(tmp_path: Path) -> None:
    log, home_file = write_home(tmp_path, days=14)
    result = evaluate(
        log, "casas", load_home(home_file), {"door_night": 2}, seed=3, out=tmp_path / "out"
    )
    found = result.report.detections["door_night"]
    assert (found.injected, found.detected) == (2, 2)
    truth = json.loads((tmp_path / "out" / "home.casas.seed3.truth.json").read_text())
    assert [t["kind"] for t in truth] == ["door_night", "door_night"]
    assert all(t["start"].endswith("T02:00:00+00:00") for t in truth)
    injected = read_log(
        tmp_path / "out" / "home.casas.seed3.jsonl", "z2m-jsonl", load_home(home_file)
    )
    assert len(injected) == len(read_log(log, "casas", load_home(home_file))) + 4


def test_the_command_prints_rates_and_detections(tmp_path: Path) -> None:
    log, home_file = write_home(tmp_path, days=14)
    result = CliRunner().invoke(
        main,
        [
            "evaluate",
            str(log),
            "--format",
            "casas",
            "--home",
            str(home_file),
            "--inject",
            "door_night=1",
            "--seed",
            "2",
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "0.22 person-months after the 7-day warm-up" in result.output
    assert "door_night: 1/1 detected, median delay 0 min" in result.output
