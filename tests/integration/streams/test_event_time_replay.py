"""A recorded home through the bus gives the alerts `tecflow evaluate` gives: the same
log (ten days of a hand-written home with a morning written in on which the person
does not get up), parsed by the gateway's zigbee2mqtt reader and equipment register,
published to device.events and run by a real worker on the event clock, and replayed
in memory by the evaluator."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.care import Alert
from contracts.codes import AlertKind
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.evaluate.inject import inject
from services.evaluate.logs import load_home, read_log
from services.evaluate.replay import replay, sensor_events
from tests.integration.streams.conftest import alerts_on_topic, eventually_or_log, new_app_id
from tests.support.refs import person_id
from tests.support.workers import tecflow_process, worker_env
from tests.unit.evaluate.homes import write_home

# The store is only where the worker reads a person's context (none here): SQLite is
# enough, and one run of ten days of readings is what the time allows.
pytestmark = [pytest.mark.slow, pytest.mark.broker]
NOT_UP = {AlertKind.NO_MORNING_ACTIVITY, AlertKind.BED_NOT_LEFT}


def seen(alerts: list[Alert]) -> set[tuple[object, ...]]:
    return {(a.event_id, a.action, a.alert_kind, a.summary, a.occurred_at) for a in alerts}


def test_the_worker_on_event_time_raises_what_evaluate_raises(
    kafka_bootstrap: str,
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    who = person_id()
    log, home_file = write_home(tmp_path, days=10)
    home = load_home(home_file)
    messages, [incident] = inject(read_log(log, "casas", home), home, {"no_wake": 1}, seed=1)
    events = sensor_events(messages, home, who)
    expected = [o for o in replay(events, home) if isinstance(o, Alert)]
    not_up = [a for a in expected if a.alert_kind in NOT_UP]
    assert not_up and incident.start <= not_up[0].occurred_at <= incident.end

    env = {
        **worker_env(kafka_bootstrap, sqlite_url, new_app_id()),
        "TECFLOW_STREAMS_CLOCK": "event",
        "TECFLOW_STREAMS_CHECK_INTERVAL_S": "60",
    }
    worker_log = tmp_path / "worker.log"
    with (
        tecflow_process("worker", env=env, log_path=worker_log),
        EventPublisher(kafka_bootstrap) as publisher,
    ):
        publisher.publish_many(Topic.DEVICE_EVENTS, events)
        on_bus = eventually_or_log(
            lambda: (
                (found := alerts_on_topic(kafka_bootstrap, who))
                and len(found) >= len(expected)
                and found
            ),
            worker_log,
            # Ten days of readings, each saving two processors' states: minutes on a
            # busy machine (inside the suite's five minutes a test).
            timeout_s=240,
        )
    assert seen(on_bus) == seen(expected)
