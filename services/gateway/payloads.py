"""Reading the loose JSON that MQTT devices publish: one object per message, and
numbers that real apps send as numbers, strings ("100.00") or null."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any


def json_object(payload: bytes, rejected: type[ValueError]) -> dict[str, Any]:
    """The payload as a JSON object, or `rejected` saying why it is not one."""
    try:
        value = json.loads(payload)
    except ValueError as error:
        raise rejected("payload is not JSON") from error
    if not isinstance(value, dict):
        raise rejected("payload is not a JSON object")
    return value


def lenient_number(value: object) -> float | None:
    """A number however it arrived; None for null, booleans, text that is no number, and
    what is no finite number (NaN, Infinity, or an integer too big for a float)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value) if isinstance(value, int | float | str) else None
    except (ValueError, OverflowError):
        return None
    return number if number is not None and math.isfinite(number) else None


def epoch(seconds: float | None, rejected: type[ValueError], what: str) -> datetime | None:
    """An epoch time, or `rejected` when it is no date a device could mean (years 2000 to
    2100): `1e20` once made the whole gateway exit."""
    if seconds is None or seconds <= 0:
        return None
    if not 946_684_800 <= seconds <= 4_102_444_800:
        raise rejected(f"{what} is not a time between 2000 and 2100")
    return datetime.fromtimestamp(seconds, UTC)
