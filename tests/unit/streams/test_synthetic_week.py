"""A replayable sample: three weeks of ordinary life and then a week in which one person
stops getting up, one wanders at night, one opens the door at 3 a.m. and one goes on
holiday, run through every processor with the timed checks on a simulated clock. Both
weeks end on a DST change (clocks forward on 29 March, back on 25 October 2026)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from contracts.care import Alert, Signal
from contracts.codes import AlertKind, ScriptName
from services.sim.routines import Week, synthetic_week
from streams.processors.outputs import Output
from streams.processors.replay import Replay


def replay(week: Week) -> list[Output]:
    return Replay(week.context_for, timedelta(minutes=15)).run(week.events, week.end)


@pytest.fixture(
    scope="module",
    params=[date(2026, 3, 29), date(2026, 10, 25)],
    ids=["spring-forward", "fall-back"],
)
def week(request: pytest.FixtureRequest) -> tuple[Week, list[Output]]:
    sample = synthetic_week(request.param)
    return sample, replay(sample)


def found(outputs: list[Output]) -> Counter[tuple[str, str]]:
    return Counter(
        (o.person_id, o.alert_kind.value if isinstance(o, Alert) else o.script.value)
        for o in outputs
        if not (isinstance(o, Alert) and o.action.value == "close")
    )


def test_the_week_gives_the_expected_alerts_and_signals(week: tuple[Week, list[Output]]) -> None:
    sample, outputs = week
    assert found(outputs) == {
        ("SIM-STOPS", AlertKind.BED_NOT_LEFT.value): 1,
        ("SIM-WANDERS", AlertKind.NIGHT_WANDERING.value): 6,
        ("SIM-WANDERS", ScriptName.FALLS_FOLLOW_UP.value): 1,
        # Out at 03:05 after bedtime; coming back at 03:20 is never an alert.
        ("SIM-DOOR", AlertKind.DOOR_AT_NIGHT.value): 1,
    }
    first_day = sample.week[0]
    assert all(o.occurred_at.date() >= first_day for o in outputs), "nothing in the run-in"


def test_the_regular_and_the_holidaymaker_raise_nothing(
    week: tuple[Week, list[Output]],
) -> None:
    _, outputs = week
    assert not [o for o in outputs if o.person_id in ("SIM-REGULAR", "SIM-HOLIDAY")]


def test_not_getting_up_is_explained_in_local_time_on_the_dst_morning(
    week: tuple[Week, list[Output]],
) -> None:
    _, outputs = week
    [alert] = [o for o in outputs if o.person_id == "SIM-STOPS"]
    assert isinstance(alert, Alert)
    assert alert.summary == (
        "Usually up by 08:14 (3 days in 4 of 27; median 07:58); still in bed at 09:15 "
        "(last activity outside the bedroom at 00:54)"
    )


def test_door_and_wandering_alerts_state_the_usual_night(
    week: tuple[Week, list[Output]],
) -> None:
    _, outputs = week
    door = next(o for o in outputs if o.person_id == "SIM-DOOR")
    assert isinstance(door, Alert)
    assert door.summary == (
        "Front door opened at 03:05 after bedtime, from an occupied home (in bed); "
        "usually shut after bedtime (opened on 0 of the last 24 nights)"
    )
    wandering = [o for o in outputs if isinstance(o, Alert) and o.person_id == "SIM-WANDERS"]
    assert wandering[0].summary.startswith(
        "Usually 1 movements a night after bedtime (median of 22 nights; 9 in 10 at most "
        "3); 6 since bedtime (about 22:22) tonight"
    )
    assert len({a.alert_key for a in wandering}) == 6  # one alert per night


def test_rising_night_activity_asks_for_a_falls_follow_up_with_evidence(
    week: tuple[Week, list[Output]],
) -> None:
    _, outputs = week
    [falls] = [o for o in outputs if isinstance(o, Signal)]
    assert falls.reason.startswith(
        "More activity at night: 9.0 movements a night over "
        "the last 3 nights, usually 1 (median of 21 nights)"
    )
    assert len(falls.evidence) == 3
    assert falls.call_by == falls.occurred_at.date()


def test_the_sample_is_reproducible() -> None:
    one, two = synthetic_week(date(2026, 3, 29)), synthetic_week(date(2026, 3, 29))
    assert [e.model_dump() for e in one.events[:50]] == [e.model_dump() for e in two.events[:50]]
    assert [o.event_id for o in replay(one)] == [o.event_id for o in replay(two)]


def test_the_week_can_be_replayed_from_the_command_line() -> None:
    from click.testing import CliRunner

    from services.cli import main

    result = CliRunner().invoke(main, ["replay-week", "--last-day", "2026-10-25"])
    assert result.exit_code == 0, result.output
    assert (
        "Sun 25 Oct 09:15  SIM-STOPS    raise bed_not_left: Usually up by 08:14 "
        "(3 days in 4 of 27; median 07:58)"
    ) in result.output
