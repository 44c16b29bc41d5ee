"""Planning: campaign x cohort x today's window -> call slots; a signal -> one call in the
person's next window; a slot -> the CallRequested event. All pure: `now` is given."""

from __future__ import annotations

import uuid
from collections.abc import Container, Iterable, Iterator
from datetime import date, datetime, time, timedelta

from contracts.calls import CallRequested
from contracts.codes import ScriptName
from contracts.envelope import deterministic_id
from schedules.cohorts import cohort_rule
from schedules.eligibility import earliest_call, skip_reason
from schedules.frequency import is_due
from schedules.model import CampaignSpec, PersonFacts, PlannedCall, RetryPolicy, Window
from schedules.windows import local_today, person_window

SOURCE = "schedules"
SIGNAL_SEARCH_DAYS = 14


def slot_id(campaign_id: str, person_id: str, local_date: date) -> uuid.UUID:
    """One id per (campaign, person, local due date): the whole of "never twice"."""
    return deterministic_id(campaign_id, person_id, local_date.isoformat())


def plan_campaign(
    campaign: CampaignSpec,
    people: Iterable[PersonFacts],
    now: datetime,
    bank_holidays: Container[date] = (),
) -> Iterator[PlannedCall]:
    """Today's calls (in each person's local date) whose window has not yet closed."""
    in_cohort = cohort_rule(campaign.cohort_rule)
    holidays = bank_holidays if campaign.frequency.skip_bank_holidays else ()
    for person in people:
        if not in_cohort(person, campaign.cohort_params, now):
            continue
        local_date = local_today(now, person.timezone)
        if not is_due(campaign.frequency, local_date, person):
            continue
        window = person_window(local_date, campaign.window_start, campaign.window_end, person)
        if window.end <= now or skip_reason(person, window, local_date, holidays):
            continue
        yield PlannedCall(
            id=slot_id(campaign.id, person.person_id, local_date),
            person_id=person.person_id,
            local_date=local_date,
            script=campaign.script,
            reason=f"{campaign.script.replace('_', ' ')} (campaign {campaign.id})",
            window=earliest_call(person, window),
            language=campaign.language or person.language,
            retry=campaign.retry,
            campaign_id=campaign.id,
        )


def next_window(
    person: PersonFacts, hours: tuple[time, time], now: datetime
) -> tuple[date, Window] | None:
    """The first window, today or later, that is still open and the person may be called
    in; None while they cannot be called at all (do-not-call, opted out, in hospital)."""
    today = local_today(now, person.timezone)
    for offset in range(SIGNAL_SEARCH_DAYS):
        local_date = today + timedelta(days=offset)
        window = person_window(local_date, *hours, person)
        if window.end <= now:
            continue
        reason = skip_reason(person, window, local_date)
        if reason is None:
            start = max(window.start, now)
            return local_date, earliest_call(person, Window(start, window.end))
        if reason != "away":
            return None
    return None


def plan_signal(
    signal_id: uuid.UUID,
    script: str,
    reason: str,
    person: PersonFacts,
    hours: tuple[time, time],
    retry: RetryPolicy,
    now: datetime,
) -> PlannedCall | None:
    """A signal ("call today: routine changed") becomes one call in the next window.
    Bank holidays do not hold it back: it is about this person, not a routine round."""
    found = next_window(person, hours, now)
    if found is None:
        return None
    local_date, window = found
    return PlannedCall(
        id=deterministic_id("signal", signal_id),
        person_id=person.person_id,
        local_date=local_date,
        script=script,
        reason=reason,
        window=window,
        language=person.language,
        retry=retry,
        signal_id=signal_id,
    )


def call_requested(call: PlannedCall, now: datetime) -> CallRequested:
    return CallRequested(
        event_id=call.id,
        person_id=call.person_id,
        occurred_at=now,
        received_at=now,
        source=SOURCE,
        campaign_id=call.campaign_id,
        script=ScriptName(call.script),
        reason=call.reason,
        due_at=call.window.start,
        window_end=call.window.end,
        language=call.language,
        max_attempts=call.retry.max_attempts,
        retry_after_s=call.retry.spacing_s,
    )
