"""The questions the voice scripts ask and the answer values they record: the shared
vocabulary between the telephony scripts (which ask) and the outcome processor
(which acts). A CallOutcome's Answer.question_id is a QuestionId value and its
Answer.value is one of the values listed for that question."""

from __future__ import annotations

from enum import StrEnum


class QuestionId(StrEnum):
    # welfare check (also opens post-discharge and adverse-weather calls)
    FEELING_OK = "feeling_ok"  # yes | no
    NEEDS_ANYTHING = "needs_anything"  # yes | no
    WANTS_CALLBACK = "wants_callback"  # yes | no

    # unmet-need check-in (RMU triage)
    COPING = "coping"  # managing_ok | struggling | in_crisis
    EATING_AND_DRINKING = "eating_and_drinking"  # yes (managing) | no
    PERSONAL_CARE = "personal_care"  # yes (managing) | no
    MEDICATION = "medication"  # yes (managing) | no
    CARER_COPING = "carer_coping"  # yes | no | no_carer
    ANY_FALLS = "any_falls"  # yes | no

    # falls screening: the World Falls Guidelines 2022 key questions
    FALLEN_PAST_YEAR = "fallen_past_year"  # yes | no
    UNSTEADY = "unsteady"  # yes | no
    WORRIED_ABOUT_FALLING = "worried_about_falling"  # yes | no
    # high-risk follow-ups (any yes -> falls team, multifactorial assessment)
    FALL_WITH_INJURY = "fall_with_injury"  # yes | no
    TWO_OR_MORE_FALLS = "two_or_more_falls"  # yes | no
    UNABLE_TO_GET_UP = "unable_to_get_up"  # yes | no (lay on the floor, could not rise)
    BLACKOUT = "blackout"  # yes | no
    FALL_IN_LAST_DAYS = "fall_in_last_days"  # yes | no (routes to a handler at once)
    # frailty, a severity marker of the World Falls Guidelines 2022, asked as the PRISMA-7
    # item "does someone else regularly assist you with everyday things?"
    FRAILTY = "frailty"  # yes | no
    # FRAT items a phone call can ask (the first FRAT item is FALLEN_PAST_YEAR)
    FOUR_OR_MORE_MEDICATIONS = "four_or_more_medications"  # yes | no
    STROKE_OR_PARKINSONS = "stroke_or_parkinsons"  # yes | no
    BALANCE_PROBLEMS = "balance_problems"  # yes | no
    CANNOT_RISE_FROM_CHAIR = "cannot_rise_from_chair"  # yes | no

    # asked of no one: recorded when a person asks the automated calls to stop
    OPT_OUT = "opt_out"  # yes

    # signposting offers
    OFFER_COMMUNITY_MEALS = "offer_community_meals"  # accepted | declined
    OFFER_FALLS_CLASSES = "offer_falls_classes"  # accepted | declined


class AnswerValue(StrEnum):
    YES = "yes"
    NO = "no"
    NO_CARER = "no_carer"
    MANAGING_OK = "managing_ok"
    STRUGGLING = "struggling"
    IN_CRISIS = "in_crisis"
    ACCEPTED = "accepted"
    DECLINED = "declined"


KEY_FALLS_QUESTIONS = (
    QuestionId.FALLEN_PAST_YEAR,
    QuestionId.UNSTEADY,
    QuestionId.WORRIED_ABOUT_FALLING,
)
HIGH_FALLS_RISK_QUESTIONS = (
    QuestionId.FALL_WITH_INJURY,
    QuestionId.TWO_OR_MORE_FALLS,
    QuestionId.UNABLE_TO_GET_UP,
    QuestionId.BLACKOUT,
    QuestionId.FRAILTY,
)
FRAT_QUESTIONS = (
    QuestionId.FALLEN_PAST_YEAR,
    QuestionId.FOUR_OR_MORE_MEDICATIONS,
    QuestionId.STROKE_OR_PARKINSONS,
    QuestionId.BALANCE_PROBLEMS,
    QuestionId.CANNOT_RISE_FROM_CHAIR,
)

_YES_NO = (AnswerValue.YES, AnswerValue.NO)
ALLOWED_ANSWERS: dict[QuestionId, tuple[AnswerValue, ...]] = {
    question: _YES_NO for question in QuestionId
} | {
    QuestionId.COPING: (AnswerValue.MANAGING_OK, AnswerValue.STRUGGLING, AnswerValue.IN_CRISIS),
    QuestionId.CARER_COPING: (AnswerValue.YES, AnswerValue.NO, AnswerValue.NO_CARER),
    QuestionId.OFFER_COMMUNITY_MEALS: (AnswerValue.ACCEPTED, AnswerValue.DECLINED),
    QuestionId.OFFER_FALLS_CLASSES: (AnswerValue.ACCEPTED, AnswerValue.DECLINED),
}
"""The values each question may record: scripts are checked against this when loaded."""

_NO_IS_FINE = (
    QuestionId.ANY_FALLS,
    *KEY_FALLS_QUESTIONS,
    *HIGH_FALLS_RISK_QUESTIONS,
    *FRAT_QUESTIONS[1:],
    QuestionId.NEEDS_ANYTHING,
    QuestionId.WANTS_CALLBACK,
)
REASSURING: dict[QuestionId, AnswerValue] = {
    question: AnswerValue.NO for question in _NO_IS_FINE
} | {
    QuestionId.FEELING_OK: AnswerValue.YES,
    QuestionId.COPING: AnswerValue.MANAGING_OK,
    QuestionId.EATING_AND_DRINKING: AnswerValue.YES,
    QuestionId.PERSONAL_CARE: AnswerValue.YES,
    QuestionId.MEDICATION: AnswerValue.YES,
    QuestionId.CARER_COPING: AnswerValue.YES,
}
"""The answer that means "all is well": the safety questions are the ones that have one.
An unclear answer to a safety question is never taken as this (hazard H3)."""

URGENT_ANSWERS: dict[QuestionId, AnswerValue] = {
    QuestionId.COPING: AnswerValue.IN_CRISIS,
    QuestionId.FALL_IN_LAST_DAYS: AnswerValue.YES,
    QuestionId.UNABLE_TO_GET_UP: AnswerValue.YES,
}
"""Answers that put the person through to a handler at once (a script that asks one of
these questions must send that answer to `transfer`)."""

STATUS_QUESTIONS = frozenset({QuestionId.COPING})
"""Answers that change a person's status (the unmet-need list): read back before kept."""
