"""The one way in: `handle(command, uow)` runs the command's handler in its own unit of
work and returns what the handler returns (the changed record, or None)."""

from __future__ import annotations

from typing import Any

from care.commands import Command
from care.handlers import HANDLERS
from care.unit_of_work import UnitOfWork


def handle(command: Command, uow: UnitOfWork) -> Any:
    return HANDLERS[type(command)](command, uow)
