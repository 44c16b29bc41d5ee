"""Every processor over a sequence of events in memory, with the timed checks run in
event time: what the worker does with its event clock (`TECFLOW_STREAMS_CLOCK=event`),
without a broker. Before an event is applied, each of that person's processors that
reads it catches up on the checks due since its last one (`clock.check_times`), so a
person's checks see the same state at the same instants on the bus and here. Outputs
are de-duplicated by event id, as the store's sinks do."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from contracts.envelope import Envelope
from streams.processors.catalogue import PROCESSORS, Processor
from streams.processors.clock import check_times
from streams.processors.context import PersonContext
from streams.processors.outputs import Output

ContextFor = Callable[[str, datetime], PersonContext]
CHECK_EVERY = timedelta(seconds=60)


class Replay:
    def __init__(self, context_for: ContextFor, every: timedelta = CHECK_EVERY) -> None:
        self.context_for = context_for
        self.every = every
        self.states: dict[tuple[str, str], Any] = {}
        self.checked: dict[tuple[str, str], datetime] = {}
        self.outputs: dict[Any, Output] = {}

    def _emit(self, outputs: list[Output]) -> None:
        for output in outputs:
            self.outputs.setdefault(output.event_id, output)

    def _catch_up(self, processor: Processor[Any], key: tuple[str, str], upto: datetime) -> None:
        state = self.states[key]
        for at in check_times(self.checked.get(key), upto, self.every):
            self._emit(processor.due(state, self.context_for(key[1], at), at))
        self.checked[key] = max(upto, self.checked.get(key, upto))

    def event(self, event: Envelope) -> None:
        context = self.context_for(event.person_id, event.occurred_at)
        for processor in PROCESSORS:
            if not isinstance(event, processor.reads):
                continue
            key = (processor.name, event.person_id)
            if key in self.states:
                self._catch_up(processor, key, event.occurred_at)
            else:
                self.states[key] = processor.new_state(event.person_id)
                self.checked[key] = event.occurred_at
            self.states[key], outputs = processor.process(self.states[key], event, context)
            self._emit(outputs)

    def finish(self, until: datetime) -> None:
        """The checks due up to `until` for everyone, after the last event."""
        for processor in PROCESSORS:
            for key in [k for k in self.states if k[0] == processor.name]:
                self._catch_up(processor, key, until)

    def run(self, events: Iterable[Envelope], until: datetime) -> list[Output]:
        for event in events:
            self.event(event)
        self.finish(until)
        return list(self.outputs.values())
