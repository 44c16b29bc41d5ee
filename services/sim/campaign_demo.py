"""The demo's campaign: a daily welfare call for the synthetic cohort's people who live
alone without a care package, so `tecflow up` has the scheduler planning real calls."""

from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session

from schedules.campaigns import add_campaign
from services.store.models import Campaign

DEMO_CAMPAIGN = "demo-welfare"


def seed_demo_campaign(session: Session) -> bool:
    """Add the campaign unless it exists (a paused or edited one is left as it is)."""
    if session.get(Campaign, DEMO_CAMPAIGN) is not None:
        return False
    add_campaign(
        session, campaign_id=DEMO_CAMPAIGN, name="Daily welfare call (demo)",
        script="welfare_check", cohort="living_alone_without_care", cohort_params={},
        frequency={"every": "day"}, window=(time(10), time(16)),
        max_attempts=3, retry_spacing_minutes=30,
    )
    return True
