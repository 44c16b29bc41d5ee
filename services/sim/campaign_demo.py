"""The demo's campaigns: a daily welfare call for the people who live alone without a
care package and a check-in with everyone on the unmet-need list, so `tecflow up
--simulate` has the scheduler planning real calls. The scheduler keeps the wall
clock while the community's days pass faster, so the demo's calls may be placed at
any hour (a real service would call 10:00-16:00, and the check-in weekly)."""

from __future__ import annotations

from datetime import time

from sqlalchemy.orm import Session

from schedules.campaigns import add_campaign
from services.store.models import Campaign

DEMO_CAMPAIGNS = {
    "demo-welfare": ("Daily welfare call (demo)", "welfare_check", "living_alone_without_care"),
    "demo-unmet-need": ("Unmet-need check-in (demo)", "unmet_need_checkin", "unmet_need"),
}


def seed_demo_campaigns(session: Session) -> list[str]:
    """Add the campaigns that do not exist (a paused or edited one is left as it is);
    returns the ids added."""
    added = []
    for campaign_id, (name, script, cohort) in DEMO_CAMPAIGNS.items():
        if session.get(Campaign, campaign_id) is not None:
            continue
        add_campaign(
            session,
            campaign_id=campaign_id,
            name=name,
            script=script,
            cohort=cohort,
            cohort_params={},
            frequency={"every": "day"},
            window=(time(0), time(23, 59)),
            max_attempts=3,
            retry_spacing_minutes=30,
        )
        added.append(campaign_id)
    return added
