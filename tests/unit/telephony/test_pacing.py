"""The token bucket keeps its rate on a fixed grid, and bursts only as far as allowed."""

from __future__ import annotations

import pytest

from services.telephony.pacing import TokenBucket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_back_to_back_takes_are_spaced_by_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(5, clock=clock)
    assert [bucket.reserve() for _ in range(4)] == pytest.approx([0, 0.2, 0.4, 0.6])


def test_late_callers_do_not_drift_the_grid() -> None:
    clock = Clock()
    bucket = TokenBucket(5, clock=clock)
    starts = []
    for _ in range(1000):
        clock.now += bucket.reserve()
        starts.append(clock.now)
        clock.now += 0.013  # the work between takes
    assert (len(starts) - 1) / (starts[-1] - starts[0]) == pytest.approx(5)


def test_an_idle_bucket_allows_its_burst_then_paces() -> None:
    clock = Clock()
    bucket = TokenBucket(2, burst=3, clock=clock)
    clock.now += 60
    assert [bucket.reserve() for _ in range(4)] == pytest.approx([0, 0, 0, 0.5])


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(0)
