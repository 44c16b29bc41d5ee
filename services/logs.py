"""Logging set-up. Log lines carry ids (person_id, event_id), never names, addresses
or phone numbers: those stay in the store."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # kafka-python logs every reconnect at INFO; that drowns what matters.
    logging.getLogger("kafka").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # httpx logs every URL at INFO; the simulator's admin URLs carry phone numbers.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # twilio logs each API request's headers at INFO: noise, five lines a call.
    logging.getLogger("twilio").setLevel(logging.WARNING)
