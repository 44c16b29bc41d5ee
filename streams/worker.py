"""Build the worker: the app, every processor wired to its topics, the store."""

from __future__ import annotations

import faust

from services.settings import Settings
from services.store.db import make_engine, make_session_factory
from streams import care_store, device_store, processing
from streams.app import Bus, create_app
from streams.outcomes import agent as outcomes


def build(settings: Settings) -> Bus:
    bus = create_app(settings)
    factory = make_session_factory(make_engine(settings.sqlalchemy_url))
    device_store.wire(bus, factory)
    care_store.wire(bus, factory)
    outcomes.wire(bus, factory)
    processing.wire(bus, factory, settings, device_store.device_event_writer(factory))
    return bus


def run(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM; the Faust worker leaves its group cleanly on the way out."""
    bus = build(settings)
    worker = faust.Worker(bus.app, loglevel=settings.log_level)
    worker.execute_from_commandline()
