"""A token bucket for the dialling rate. Slots are booked on a fixed grid (start + n /
rate), not from when the last call went out, so small delays never add up into drift."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(
        self, rate: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.interval = 1.0 / rate
        self.burst = burst
        self._clock = clock
        self._next = clock()

    def reserve(self) -> float:
        """Book the next slot; the seconds to wait until it comes."""
        now = self._clock()
        # An idle bucket fills up to `burst` tokens, never more.
        self._next = max(self._next, now - (self.burst - 1) * self.interval)
        wait = max(0.0, self._next - now)
        self._next += self.interval
        return wait

    async def take(self) -> None:
        await asyncio.sleep(self.reserve())
