"""The care record: its rules (`care.domain`), the commands that change it
(`care.commands`), one handler per command (`care.handlers`, reached through
`care.handle`) over a unit of work (`care.unit_of_work`) whose adapters
(`care.adapters`) are the only code that writes the care tables."""

from care.bus import handle
from care.errors import CareRecordError

__all__ = ["CareRecordError", "handle"]
