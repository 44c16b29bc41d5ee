"""What a resident says when the service calls: their answers on the Twilio
simulator, set from what they have lived through (someone who fell last night says
so), by the step each question is asked at, whichever script calls."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from services.sim.community import Resident
from services.sim.life import Happened

YES, NO = "1", "2"
MANAGING, STRUGGLING, IN_CRISIS = "1", "2", "3"
ACCEPTED, DECLINED = "1", "2"
CARER_YES, CARER_NO, NO_CARER = "1", "2", "3"


@dataclass
class Story:
    """What a resident remembers, for the calls."""

    falls: list[date] = field(default_factory=list)
    injured: bool = False
    in_hospital: bool = False
    discharged_on: date | None = None
    unwell_on: date | None = None

    def lived(self, happened: Happened) -> None:
        what, day = happened.what, happened.day
        if what in ("fall", "fall_injured"):
            self.falls.append(day)
            self.injured = what == "fall_injured"
        elif what == "admitted":
            self.in_hospital = True
        elif what == "discharged":
            self.in_hospital, self.discharged_on = False, day
        elif what == "unwell":
            self.unwell_on = day


def persona(resident: Resident, story: Story, today: date) -> dict[str, object]:
    """The simulator's caller for this resident today (`PUT /sim/callers/{number}`)."""
    if story.in_hospital:
        return {"behaviour": "no-answer"}
    rng = random.Random(f"{resident.person.person_id}/{today.isoformat()}")  # noqa: S311
    profile = resident.profile
    recent = [day for day in story.falls if today - day <= timedelta(days=7)]
    this_year = [day for day in story.falls if today - day <= timedelta(days=365)]
    fell = bool(recent)
    unwell = story.unwell_on is not None and today - story.unwell_on <= timedelta(days=2)
    home_from_hospital = (
        story.discharged_on is not None and today - story.discharged_on <= timedelta(days=14)
    )
    struggling = fell or unwell or home_from_hospital or rng.random() < 0.08
    crisis = (fell and story.injured) or (home_from_hospital and rng.random() < 0.4)

    def yes(condition: bool) -> str:
        return YES if condition else NO

    answers = {
        # welfare check (and post-discharge, adverse weather)
        "feeling_ok": yes(not (unwell or (story.injured and fell))),
        "needs_anything": yes(struggling),
        "wants_callback": yes(fell or crisis),
        # falls prevention and follow-up
        "fallen_past_year": yes(bool(this_year) or (profile.falls_risk and rng.random() < 0.5)),
        "unsteady": yes(profile.falls_risk or fell),
        "worried_about_falling": yes(profile.falls_risk or fell),
        "fall_in_last_days": yes(fell),
        "unable_to_get_up": yes(fell and rng.random() < 0.4),
        "fall_with_injury": yes(fell and story.injured),
        "two_or_more_falls": yes(len(this_year) >= 2),
        "blackout": yes(fell and rng.random() < 0.1),
        "four_or_more_medications": yes(profile.falls_risk or rng.random() < 0.4),
        "stroke_or_parkinsons": yes(rng.random() < 0.1),
        "balance_problems": yes(profile.falls_risk),
        "cannot_rise_from_chair": yes(profile.falls_risk and rng.random() < 0.4),
        "frailty": yes(resident.person.has_care_package),
        "offer_falls_classes": ACCEPTED if rng.random() < 0.6 else DECLINED,
        # unmet-need check-in
        "coping": IN_CRISIS if crisis else STRUGGLING if struggling else MANAGING,
        "eating_and_drinking": yes(not crisis),
        "personal_care": yes(not struggling),
        "medication": yes(not crisis),
        "carer_coping": NO_CARER
        if resident.person.lives_alone
        else (CARER_NO if struggling else CARER_YES),
        "any_falls": yes(fell),
        "offer_community_meals": ACCEPTED if struggling else DECLINED,
        # "You said ...: is that right?" They meant it.
        "confirm": YES,
    }
    if rng.random() < 0.08:  # out, or not hearing the phone
        return {"behaviour": "no-answer"}
    return {"behaviour": "answer", "answers": answers}
