"""The `tecflow` command: `up` runs the platform on one machine; the other commands run
one part each, as production does. Each module of this package adds the commands of
one part to `main`."""

from __future__ import annotations

import click

from services.logs import configure_logging
from services.settings import get_settings


@click.group()
def main() -> None:
    """tecflow: proactive technology-enabled care for a Social Care Response Service."""
    configure_logging(get_settings().log_level)


# Imported for their side effect: each registers its commands on `main`.
from services.cli import (  # noqa: E402
    campaigns,
    care,
    console,
    deadletters,
    evaluate,
    people,
    platform,
    retention,
    simulate,
    telephony,
)

__all__ = [
    "campaigns",
    "care",
    "console",
    "deadletters",
    "evaluate",
    "main",
    "people",
    "platform",
    "retention",
    "simulate",
    "telephony",
]
