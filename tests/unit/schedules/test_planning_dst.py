"""Daily and weekly campaigns across the 2026 transition nights (29 March, 25 October):
each call is placed once, inside its window, in local time."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.frequency import parse_frequency
from schedules.model import CampaignSpec, PersonFacts, PlannedCall
from schedules.planning import plan_campaign
from schedules.windows import local_window

LONDON = ZoneInfo("Europe/London")


def campaign(
    frequency: dict[str, object],
    start: time = time(10),
    end: time = time(12),
    campaign_id: str = "c1",
) -> CampaignSpec:
    return CampaignSpec(
        id=campaign_id,
        script="welfare_check",
        cohort_rule="everyone",
        cohort_params={},
        frequency=parse_frequency(frequency),
        window_start=start,
        window_end=end,
    )


def planning_rounds(
    spec: CampaignSpec,
    people: list[PersonFacts],
    first: datetime,
    last: datetime,
    every: timedelta = timedelta(minutes=20),
) -> list[PlannedCall]:
    """Every call planned by a scheduler waking every `every`, as a ledger would keep it:
    the first plan of each id wins."""
    ledger: dict[object, PlannedCall] = {}
    now = first
    while now <= last:
        for call in plan_campaign(spec, people, now):
            ledger.setdefault(call.id, call)
        now += every
    return list(ledger.values())


def assert_inside_local_window(call: PlannedCall, start: time, end: time) -> None:
    local_start = call.window.start.astimezone(LONDON)
    local_end = call.window.end.astimezone(LONDON)
    assert local_start.date() == call.local_date == local_end.date()
    assert start <= local_start.time() < end
    assert local_end.time() == end


def test_daily_campaign_across_spring_forward_places_one_call_a_day_at_local_ten() -> None:
    people = [PersonFacts("P1"), PersonFacts("P2")]
    calls = planning_rounds(
        campaign({"every": "day"}),
        people,
        datetime(2026, 3, 27, 23, tzinfo=UTC),
        datetime(2026, 3, 30, 22, tzinfo=UTC),
    )
    per_slot = Counter((c.person_id, c.local_date) for c in calls)
    assert set(per_slot.values()) == {1}
    assert {d for _, d in per_slot} == {date(2026, 3, d) for d in (28, 29, 30)}
    for call in calls:
        assert_inside_local_window(call, time(10), time(12))
    by_date = {c.local_date: c for c in calls if c.person_id == "P1"}
    # Same local hour, one hour earlier in UTC once BST has begun.
    assert by_date[date(2026, 3, 28)].window.start.hour == 10
    assert by_date[date(2026, 3, 29)].window.start.hour == 9
    assert by_date[date(2026, 3, 30)].window.start.hour == 9


def test_daily_campaign_across_fall_back_places_one_call_a_day_at_local_ten() -> None:
    people = [PersonFacts("P1")]
    calls = planning_rounds(
        campaign({"every": "day"}),
        people,
        datetime(2026, 10, 23, 23, tzinfo=UTC),
        datetime(2026, 10, 26, 22, tzinfo=UTC),
    )
    assert sorted(c.local_date for c in calls) == [date(2026, 10, d) for d in (24, 25, 26)]
    for call in calls:
        assert_inside_local_window(call, time(10), time(12))
    by_date = {c.local_date: c.window.start.hour for c in calls}
    assert by_date == {date(2026, 10, 24): 9, date(2026, 10, 25): 10, date(2026, 10, 26): 10}


def test_weekly_sunday_campaign_calls_on_both_transition_sundays_only() -> None:
    spec = campaign({"every": "week", "days": ["sun"]})
    people = [PersonFacts("P1")]
    spring = planning_rounds(
        spec,
        people,
        datetime(2026, 3, 23, tzinfo=UTC),
        datetime(2026, 4, 1, tzinfo=UTC),
        timedelta(hours=1),
    )
    autumn = planning_rounds(
        spec,
        people,
        datetime(2026, 10, 19, tzinfo=UTC),
        datetime(2026, 10, 28, tzinfo=UTC),
        timedelta(hours=1),
    )
    assert [c.local_date for c in spring] == [date(2026, 3, 29)]
    assert [c.local_date for c in autumn] == [date(2026, 10, 25)]
    for call in spring + autumn:
        assert_inside_local_window(call, time(10), time(12))


def test_a_window_in_the_night_the_clocks_change_keeps_its_local_hours() -> None:
    # 00:30-03:30 local: 01:00-02:00 does not exist on 29 March and happens twice on
    # 25 October, so the UTC length of the window is 2 h and 4 h.
    spring = local_window(date(2026, 3, 29), time(0, 30), time(3, 30), "Europe/London")
    autumn = local_window(date(2026, 10, 25), time(0, 30), time(3, 30), "Europe/London")
    assert spring.end - spring.start == timedelta(hours=2)
    assert autumn.end - autumn.start == timedelta(hours=4)
    # A start inside the spring gap resolves to the first real minute after it.
    gap = local_window(date(2026, 3, 29), time(1, 30), time(4), "Europe/London")
    assert gap.start.astimezone(LONDON).time() == time(2, 30)


def test_people_in_other_zones_are_called_in_their_own_local_hours() -> None:
    people = [PersonFacts("P1"), PersonFacts("P2", timezone="America/New_York")]
    calls = planning_rounds(
        campaign({"every": "day"}),
        people,
        datetime(2026, 3, 29, tzinfo=UTC),
        datetime(2026, 3, 29, 22, tzinfo=UTC),
    )
    starts = {c.person_id: c.window.start for c in calls}
    assert starts["P1"] == datetime(2026, 3, 29, 9, tzinfo=UTC)
    assert starts["P2"] == datetime(2026, 3, 29, 14, tzinfo=UTC)  # 10:00 EDT


def test_planning_the_same_slot_twice_yields_the_same_id() -> None:
    spec = campaign({"every": "day"})
    first = list(plan_campaign(spec, [PersonFacts("P1")], datetime(2026, 3, 29, 1, tzinfo=UTC)))
    again = list(plan_campaign(spec, [PersonFacts("P1")], datetime(2026, 3, 29, 8, tzinfo=UTC)))
    other = list(
        plan_campaign(
            campaign({"every": "day"}, campaign_id="c2"),
            [PersonFacts("P1")],
            datetime(2026, 3, 29, 8, tzinfo=UTC),
        )
    )
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id != other[0].id


def test_no_call_is_planned_once_the_window_has_closed() -> None:
    spec = campaign({"every": "day"})
    noon = datetime(2026, 11, 24, 12, tzinfo=UTC)
    assert not list(plan_campaign(spec, [PersonFacts("P1")], noon))
