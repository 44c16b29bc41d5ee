"""Processor states live in Faust tables as JSON: every state a real week produces comes
back from JSON equal, and stays small."""

from __future__ import annotations

import json
from datetime import date, datetime

from services.sim.routines import synthetic_week
from streams.processors.catalogue import PROCESSORS
from streams.processors.context import PersonContext
from streams.processors.replay import Replay
from tests.unit.streams.factories import alarm, fix, heartbeat, london

MAX_STATE_BYTES = 8_000


def test_states_round_trip_through_json_and_stay_small() -> None:
    week = synthetic_week(date(2026, 3, 29))
    replay = Replay(lambda _who, _at: PersonContext())
    extra = [
        alarm(london(2026, 3, 29, 9, 0), person_id="SIM-REGULAR"),
        heartbeat(london(2026, 3, 29, 9, 0), person_id="SIM-REGULAR"),
        fix(london(2026, 3, 29, 9, 0), 56.0, -3.0),
    ]
    events: list[object] = [*week.events, *extra]
    for event in events:
        replay.event(event)  # type: ignore[arg-type]
    by_name = {p.name: p for p in PROCESSORS}
    assert {name for name, _ in replay.states} == set(by_name)
    for (name, person_id), state in replay.states.items():
        stored = json.loads(json.dumps(state.model_dump(mode="json")))
        assert by_name[name].load(person_id, stored) == state
        assert len(json.dumps(stored)) < MAX_STATE_BYTES, (name, person_id)


def test_a_person_never_seen_starts_from_an_empty_state() -> None:
    for processor in PROCESSORS:
        state = processor.load("P9", None)
        assert state == processor.new_state("P9")
        assert processor.due(state, PersonContext(), datetime.now().astimezone()) == []


def test_processing_never_changes_the_state_it_was_given() -> None:
    week = synthetic_week(date(2026, 3, 29))
    states = {p.name: p.new_state("SIM-WANDERS") for p in PROCESSORS}
    events = [e for e in week.events if e.person_id == "SIM-WANDERS"]
    extra = [
        alarm(london(2026, 3, 29, 9, 0), person_id="SIM-WANDERS"),
        heartbeat(london(2026, 3, 29, 9, 0), person_id="SIM-WANDERS"),
    ]
    for event in [*events, *extra]:
        for processor in PROCESSORS:
            if not isinstance(event, processor.reads):
                continue
            before = states[processor.name].model_dump()
            new, _ = processor.process(states[processor.name], event, PersonContext())
            assert states[processor.name].model_dump() == before, processor.name
            states[processor.name] = new
