"""The falls screen of a call: which answers make a falls flag and which referral it
recommends. Pure: answers and known facts in, a screen out.

The rule follows the World Falls Guidelines 2022 (shared/reference/protocols.md
section 7):

- any "yes" to a falls question (the three key questions, a fall since the last call,
  a severity question or one of the conditions asked after them) is a positive screen
  and raises or updates a flag;
- the falls team, for a multifactorial assessment: a fall in the last few days, a fall
  with injury, two or more falls in 12 months, lying on the floor unable to get up, a
  blackout, frailty, or three or more of the conditions asked (medicines, stroke or
  Parkinson's, balance, rising from a chair);
- fall-detector alarms or falls signals from the home in the last 12 months find a
  person without a flag by themselves, at any call, and go to the falls team too;
- and, beside it, every other referral the answers call for: cannot rise from a chair ->
  OT (equipment and transfers); a fall and not managing personal care -> ILRT
  (enablement); a positive screen not sent to the falls team -> strength and balance.

The flag states the answers and every referral they call for; no count, score, grade
or probability of falling is stated anywhere (NICE NG249: case finding, then a
multifactorial assessment, never a prediction tool; hazard H12).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from contracts.codes import ReferralTarget
from contracts.questions import (
    FRAT_QUESTIONS,
    HIGH_FALLS_RISK_QUESTIONS,
    KEY_FALLS_QUESTIONS,
    AnswerValue,
    QuestionId,
)

# How each question reads in a flag's evidence.
WORDING: dict[QuestionId, str] = {
    QuestionId.FALLEN_PAST_YEAR: "has fallen in the past year",
    QuestionId.UNSTEADY: "feels unsteady when standing or walking",
    QuestionId.WORRIED_ABOUT_FALLING: "is worried about falling",
    QuestionId.ANY_FALLS: "has had a fall since the last call",
    QuestionId.FALL_IN_LAST_DAYS: "has fallen in the last few days",
    QuestionId.FALL_WITH_INJURY: "was injured in a fall",
    QuestionId.TWO_OR_MORE_FALLS: "has fallen two or more times in 12 months",
    QuestionId.UNABLE_TO_GET_UP: "lay on the floor unable to get up",
    QuestionId.BLACKOUT: "had a blackout",
    QuestionId.FRAILTY: "has someone regularly assisting with everyday activities (frailty)",
    QuestionId.FOUR_OR_MORE_MEDICATIONS: "takes four or more medicines a day",
    QuestionId.STROKE_OR_PARKINSONS: "has had a stroke or has Parkinson's",
    QuestionId.BALANCE_PROBLEMS: "has problems with balance",
    QuestionId.CANNOT_RISE_FROM_CHAIR: "cannot rise from a knee-high chair without using arms",
}
FALLS_QUESTIONS = (
    *KEY_FALLS_QUESTIONS,
    QuestionId.ANY_FALLS,
    QuestionId.FALL_IN_LAST_DAYS,
    *HIGH_FALLS_RISK_QUESTIONS,
    *FRAT_QUESTIONS[1:],
)
FALL_REPORTED = (QuestionId.FALLEN_PAST_YEAR, QuestionId.ANY_FALLS, QuestionId.FALL_IN_LAST_DAYS)
FRAT_REFER_AT = 3  # three or more of these conditions: refer for assessment
# A fall in the last few days goes to the falls team for a multifactorial assessment,
# like the severity markers.
DETECTED = "falls detected by the home's devices in the last 12 months"
FALLS_TEAM_NOW = (*HIGH_FALLS_RISK_QUESTIONS, QuestionId.FALL_IN_LAST_DAYS)


@dataclass(frozen=True)
class Recommendation:
    target: ReferralTarget
    why: str  # one line: why this referral


@dataclass(frozen=True)
class FallsScreen:
    referrals: tuple[Recommendation, ...]  # every fitting referral, the main one first
    evidence: tuple[str, ...]

    @property
    def main(self) -> Recommendation:
        return self.referrals[0]


def said_yes(answers: Mapping[str, str], questions: tuple[QuestionId, ...]) -> list[QuestionId]:
    return [q for q in questions if answers.get(q) == AnswerValue.YES]


def screen(answers: Mapping[str, str], heading: str, detected: bool = False) -> FallsScreen | None:
    """The screen of one call's answers, or None when no falls question was answered yes
    and no fall was `detected` (fall-detector alarms or falls signals from the home in
    the last 12 months: device history finds a person by itself). `heading` starts the
    evidence line, e.g. "2026-11-24 falls prevention call"."""
    yes = said_yes(answers, FALLS_QUESTIONS)
    if not yes and not detected:
        return None
    # The answers are the evidence; no count of them is stated (NICE NG249: no scores).
    evidence = (f"{heading}: {'; '.join(WORDING[q] for q in yes)}",) if yes else ()
    return FallsScreen(referrals=referrals(answers, detected), evidence=evidence)


def referrals(answers: Mapping[str, str], detected: bool = False) -> tuple[Recommendation, ...]:
    """Every referral the answers (and devices' falls history) call for, falls team first."""
    found: list[Recommendation] = []
    if high := said_yes(answers, FALLS_TEAM_NOW):
        markers = ", ".join(WORDING[q] for q in high)
        found.append(falls_team(f"{markers}: multifactorial falls assessment"))
    elif len(frat_yes := said_yes(answers, FRAT_QUESTIONS)) >= FRAT_REFER_AT:
        items = ", ".join(WORDING[q] for q in frat_yes)
        found.append(falls_team(f"{items}: multifactorial falls assessment"))
    elif detected:
        found.append(falls_team(f"{DETECTED}: multifactorial falls assessment"))
    fell = bool(said_yes(answers, FALL_REPORTED))
    if answers.get(QuestionId.CANNOT_RISE_FROM_CHAIR) == AnswerValue.YES:
        found.append(
            Recommendation(ReferralTarget.OCCUPATIONAL_THERAPY, "cannot rise from a chair: OT")
        )
    if fell and answers.get(QuestionId.PERSONAL_CARE) == AnswerValue.NO:
        found.append(
            Recommendation(ReferralTarget.ILRT, "a fall and not managing personal care: ILRT")
        )
    if not found or found[0].target is not ReferralTarget.FALLS_TEAM:
        found.append(
            Recommendation(
                ReferralTarget.STRENGTH_AND_BALANCE, "positive screen: strength and balance"
            )
        )
    return tuple(found)


def falls_team(why: str) -> Recommendation:
    return Recommendation(ReferralTarget.FALLS_TEAM, why)
