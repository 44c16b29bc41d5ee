"""Polling helpers: tests wait for a condition, never for a fixed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal, TypeVar

T = TypeVar("T")


def eventually(
    probe: Callable[[], T | Literal[False] | None], timeout_s: float = 60.0, poll_s: float = 0.25
) -> T:
    """Return the first truthy result of `probe`, or fail with the last one seen.

    A probe may say "not yet" with False or None (`lambda: len(rows) >= 2 and rows`)."""
    deadline = time.monotonic() + timeout_s
    result = probe()
    while not result and time.monotonic() < deadline:
        time.sleep(poll_s)
        result = probe()
    assert result, f"condition not met within {timeout_s}s (last: {result!r})"
    return result
