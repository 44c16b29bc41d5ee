"""Every processor over a sequence of events in memory, with the timed checks run on a
simulated clock: what the worker would do, without a broker. Outputs are de-duplicated
by event id, as the store's sinks do."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from contracts.envelope import Envelope
from streams.processors.catalogue import PROCESSORS
from streams.processors.context import PersonContext
from streams.processors.outputs import Output

ContextFor = Callable[[str, datetime], PersonContext]


class Replay:
    def __init__(self, context_for: ContextFor) -> None:
        self.context_for = context_for
        self.states: dict[tuple[str, str], Any] = {}
        self.outputs: dict[Any, Output] = {}

    def _emit(self, outputs: list[Output]) -> None:
        for output in outputs:
            self.outputs.setdefault(output.event_id, output)

    def event(self, event: Envelope) -> None:
        context = self.context_for(event.person_id, event.occurred_at)
        for processor in PROCESSORS:
            if not isinstance(event, processor.reads):
                continue
            key = (processor.name, event.person_id)
            state = self.states.get(key) or processor.new_state(event.person_id)
            self.states[key], outputs = processor.process(state, event, context)
            self._emit(outputs)

    def tick(self, now: datetime) -> None:
        for (name, person_id), state in self.states.items():
            processor = next(p for p in PROCESSORS if p.name == name)
            self._emit(processor.due(state, self.context_for(person_id, now), now))

    def run(self, events: Iterable[Envelope], every: timedelta, until: datetime) -> list[Output]:
        """Feed the events in order, running the timed checks `every` so often."""
        clock: datetime | None = None
        for event in events:
            clock = clock or event.occurred_at
            while clock + every <= event.occurred_at:
                clock += every
                self.tick(clock)
            self.event(event)
        while clock is not None and clock + every <= until:
            clock += every
            self.tick(clock)
        return list(self.outputs.values())
