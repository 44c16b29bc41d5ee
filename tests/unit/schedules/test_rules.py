"""Who is not called, who is in a cohort, and what a signal becomes: pure rules."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from schedules.bank_holidays import BankHolidays
from schedules.cohorts import RULES, UnknownCohortRule, cohort_rule
from schedules.eligibility import Skip, skip_reason
from schedules.frequency import InvalidFrequency, is_due, parse_frequency
from schedules.model import CampaignSpec, PersonFacts, RetryPolicy
from schedules.planning import call_requested, plan_campaign, plan_signal

MORNING = datetime(2026, 11, 24, 7, tzinfo=UTC)  # a Tuesday, before a 10:00 window
ENGLAND = BankHolidays("ENG")


def daily(cohort: str = "everyone", **params: object) -> CampaignSpec:
    return CampaignSpec(
        id="c1",
        script="welfare_check",
        cohort_rule=cohort,
        cohort_params=params,
        frequency=parse_frequency({"every": "day"}),
        window_start=time(10),
        window_end=time(12),
        retry=RetryPolicy(4, 600),
    )


def planned(
    person: PersonFacts,
    now: datetime = MORNING,
    spec: CampaignSpec | None = None,
    holidays: BankHolidays | None = None,
) -> list[str]:
    return [c.person_id for c in plan_campaign(spec or daily(), [person], now, holidays or ())]


@pytest.mark.parametrize(
    "facts",
    [
        {"do_not_call": True},
        {"opted_out": True},
        {"in_hospital": True},
        {"away_until": datetime(2026, 11, 24, 12, tzinfo=UTC)},
    ],
)
def test_do_not_call_opted_out_in_hospital_and_away_are_not_called(facts: dict[str, Any]) -> None:
    person = PersonFacts("P1", **facts)
    assert planned(PersonFacts("P1")) == ["P1"]
    assert planned(person) == []


def test_each_rule_names_itself() -> None:
    window = next(plan_campaign(daily(), [PersonFacts("P1")], MORNING)).window
    day = date(2026, 11, 24)
    assert skip_reason(PersonFacts("P", do_not_call=True), window, day) is Skip.DO_NOT_CALL
    assert skip_reason(PersonFacts("P", opted_out=True), window, day) is Skip.OPTED_OUT
    assert skip_reason(PersonFacts("P", in_hospital=True), window, day) is Skip.IN_HOSPITAL
    assert skip_reason(PersonFacts("P"), window, date(2026, 12, 25), ENGLAND) is Skip.BANK_HOLIDAY


def test_someone_back_from_away_mid_window_is_called_once_home() -> None:
    back = datetime(2026, 11, 24, 10, 30, tzinfo=UTC)
    [call] = plan_campaign(daily(), [PersonFacts("P1", away_until=back)], MORNING)
    assert call.window.start == back
    assert call.window.end == datetime(2026, 11, 24, 12, tzinfo=UTC)


def test_bank_holidays_skip_routine_calls_by_nation() -> None:
    christmas = datetime(2026, 12, 25, 7, tzinfo=UTC)
    st_andrews = datetime(2026, 11, 30, 7, tzinfo=UTC)
    easter_monday = datetime(2026, 4, 6, 7, tzinfo=UTC)
    person = PersonFacts("P1")
    assert planned(person, christmas, holidays=ENGLAND) == []
    assert planned(person, easter_monday, holidays=ENGLAND) == []
    assert planned(person, st_andrews, holidays=ENGLAND) == ["P1"]
    assert planned(person, st_andrews, holidays=BankHolidays("SCT")) == []
    assert planned(person, easter_monday, holidays=BankHolidays("SCT")) == ["P1"]
    calling = replace(daily(), frequency=parse_frequency({"every": "day", "bank_holidays": "call"}))
    assert planned(person, christmas, spec=calling, holidays=ENGLAND) == ["P1"]


def test_preferred_call_times_narrow_the_window_or_replace_it() -> None:
    narrow = PersonFacts("P1", preferred_start=time(11), preferred_end=time(15))
    elsewhere = PersonFacts("P2", preferred_start=time(14), preferred_end=time(16))
    calls = {c.person_id: c.window for c in plan_campaign(daily(), [narrow, elsewhere], MORNING)}
    assert (calls["P1"].start.hour, calls["P1"].end.hour) == (11, 12)
    assert (calls["P2"].start.hour, calls["P2"].end.hour) == (14, 16)


NOW = datetime(2026, 11, 24, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "params", "inside", "outside"),
    [
        ("unmet_need", {}, {"on_unmet_need_list": True}, {}),
        (
            "living_alone_without_care",
            {},
            {"lives_alone": True},
            {"lives_alone": True, "has_care_package": True},
        ),
        ("active_falls_flag", {}, {"active_falls_flag_at": NOW}, {}),
        (
            "recently_discharged",
            {"days": 7},
            {"last_discharged_at": NOW - timedelta(days=6)},
            {"last_discharged_at": NOW - timedelta(days=8)},
        ),
        ("postcode_area", {"areas": "DD4, LU"}, {"postcode": "dd4 7ab"}, {"postcode": "DD44 1AA"}),
        ("postcode_area", {"areas": ["LU"]}, {"postcode": "LU2 9XY"}, {"postcode": "L1 8JQ"}),
    ],
)
def test_cohort_rules(
    rule: str, params: dict[str, Any], inside: dict[str, Any], outside: dict[str, Any]
) -> None:
    predicate = RULES[rule]
    assert predicate(PersonFacts("P", **inside), params, NOW)
    assert not predicate(PersonFacts("P", **outside), params, NOW)


def test_an_unknown_cohort_rule_is_refused() -> None:
    with pytest.raises(UnknownCohortRule):
        cohort_rule("everyone_called_bob")


def test_frequencies() -> None:
    person = PersonFacts("P", last_discharged_at=datetime(2026, 11, 20, 23, 30, tzinfo=UTC))
    after = parse_frequency({"every": "after_event", "event": "discharge", "days": [7, 1, 3]})
    due = [d for d in range(19, 30) if is_due(after, date(2026, 11, d), person)]
    assert due == [21, 23, 27]
    once = parse_frequency({"every": "once", "on": "2026-12-01"})
    assert is_due(once, date(2026, 12, 1), person)
    assert not is_due(once, date(2026, 12, 2), person)
    for bad in (
        {"every": "fortnight"},
        {"every": "week", "days": []},
        {"every": "week", "days": ["funday"]},
        {"every": "after_event", "days": [1]},
    ):
        with pytest.raises(InvalidFrequency):
            parse_frequency(bad)


def test_a_signal_becomes_one_call_inside_the_persons_next_window() -> None:
    signal_id = uuid.uuid4()
    hours = time(9), time(18)
    retry = RetryPolicy(2, 900)
    late = datetime(2026, 11, 24, 19, tzinfo=UTC)  # after today's window: tomorrow
    call = plan_signal(
        signal_id, "falls_follow_up", "routine changed", PersonFacts("P1"), hours, retry, late
    )
    assert call is not None
    assert call.local_date == date(2026, 11, 25)
    assert call.window.start == datetime(2026, 11, 25, 9, tzinfo=UTC)
    midday = datetime(2026, 11, 24, 12, tzinfo=UTC)  # inside it: from now
    today = plan_signal(signal_id, "falls_follow_up", "r", PersonFacts("P1"), hours, retry, midday)
    assert today is not None and today.window.start == midday
    assert today.id == call.id  # one signal, one call id
    assert (
        plan_signal(
            signal_id,
            "falls_follow_up",
            "r",
            PersonFacts("P1", in_hospital=True),
            hours,
            retry,
            midday,
        )
        is None
    )
    event = call_requested(today, midday)
    assert (event.max_attempts, event.retry_after_s, event.campaign_id) == (2, 900, None)
    assert event.due_at <= event.window_end
