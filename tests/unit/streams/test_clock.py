"""The clocks the timed checks run on, and the instants they run at."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streams.processors.clock import EventClock, WallClock, check_times

MINUTE = timedelta(seconds=60)


def at(h: int, m: int, s: int = 0) -> datetime:
    return datetime(2026, 3, 1, h, m, s, tzinfo=UTC)


def test_checks_fall_on_whole_minutes_whatever_the_events_times() -> None:
    assert check_times(at(9, 0, 30), at(9, 3, 0), MINUTE) == [at(9, 1), at(9, 2), at(9, 3)]
    assert check_times(at(9, 3), at(9, 3, 59), MINUTE) == []


def test_no_check_to_catch_up_before_the_first_event() -> None:
    assert check_times(None, at(9, 0), MINUTE) == []


def test_the_event_clock_follows_the_latest_event_and_never_goes_back() -> None:
    clock = EventClock()
    with pytest.raises(RuntimeError):
        clock.now()
    clock.advance(at(9, 5))
    clock.advance(at(9, 1))  # a late event
    assert clock.now() == at(9, 5)


def test_the_wall_clock_is_aware_utc() -> None:
    now = WallClock().now()
    assert now.tzinfo is UTC and abs(datetime.now(UTC) - now) < timedelta(seconds=5)
