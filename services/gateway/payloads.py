"""Reading the loose JSON that MQTT devices publish: one object per message, and
numbers that real apps send as numbers, strings ("100.00") or null."""

from __future__ import annotations

import json
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
    """A number however it arrived; None for null, booleans and text that is no number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
