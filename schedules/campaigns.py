"""Campaign administration over the store (the CLI now, the console later): validate a
campaign before it is saved, so the scheduler never meets one it cannot plan."""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.codes import ScriptName
from contracts.errors import TecflowError
from schedules.cohorts import InvalidCohortParams, UnknownCohortRule, check_params, cohort_rule
from schedules.frequency import InvalidFrequency, parse_frequency
from services.store.models import Campaign


class InvalidCampaign(TecflowError):
    """A campaign that could not be planned as given."""


def add_campaign(
    session: Session,
    *,
    campaign_id: str,
    name: str,
    script: str,
    cohort: str,
    cohort_params: dict[str, Any],
    frequency: dict[str, Any],
    window: tuple[time, time],
    max_attempts: int = 3,
    retry_spacing_minutes: int = 30,
    escalate_unanswered: bool = True,
    language: str | None = None,
) -> Campaign:
    _check_text("campaign id", campaign_id, 64)
    _check_text("name", name, 200)
    if language is not None:
        _check_text("language", language, 16)
    try:
        ScriptName(script)
        cohort_rule(cohort)
        check_params(cohort, cohort_params)
        parse_frequency(frequency)
    except (ValueError, UnknownCohortRule, InvalidCohortParams, InvalidFrequency) as error:
        raise InvalidCampaign(str(error)) from error
    if window[1] <= window[0]:
        raise InvalidCampaign("the call window must end after it starts, on the same day")
    if session.get(Campaign, campaign_id) is not None:
        raise InvalidCampaign(f"campaign {campaign_id!r} exists already")
    campaign = Campaign(
        id=campaign_id,
        name=name,
        script=script,
        cohort_rule=cohort,
        cohort_params=cohort_params,
        frequency=frequency,
        window_start=window[0],
        window_end=window[1],
        max_attempts=max_attempts,
        retry_spacing_minutes=retry_spacing_minutes,
        escalate_unanswered=escalate_unanswered,
        language=language,
        active=True,
    )
    session.add(campaign)
    return campaign


def _check_text(what: str, value: str, longest: int) -> None:
    """What the store can hold: within its column, and no control characters (a NUL
    once came back as a PostgreSQL traceback)."""
    if not value.strip() or len(value) > longest or not value.isprintable():
        raise InvalidCampaign(f"the {what} must be 1 to {longest} printable characters")


def get_campaign(session: Session, campaign_id: str) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise InvalidCampaign(f"no campaign {campaign_id!r}")
    return campaign


def all_campaigns(session: Session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.id)))


def describe(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "script": campaign.script,
        "cohort": campaign.cohort_rule,
        "cohort_params": campaign.cohort_params,
        "frequency": campaign.frequency,
        "window": f"{campaign.window_start:%H:%M}-{campaign.window_end:%H:%M}",
        "max_attempts": campaign.max_attempts,
        "retry_spacing_minutes": campaign.retry_spacing_minutes,
        "escalate_unanswered": campaign.escalate_unanswered,
        "language": campaign.language,
        "active": campaign.active,
    }
