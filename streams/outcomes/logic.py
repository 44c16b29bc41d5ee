"""From a call's answers to actions: a falls-risk flag and its suggested referral, an
update to the unmet-need list, alerts for a call handler, and referrals from accepted
signposting. Pure: (outcome, what the store knows) -> actions; the agent sends them.

Every derived event's id is `deterministic_id("outcomes", <source event_id>, kind)`,
so a redelivered outcome yields the same events and the sinks write them once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from care.domain.flags import Fact
from contracts.calls import OPTED_OUT, CallOutcome
from contracts.care import Alert, Flag, NeedUpdate, Referral
from contracts.codes import (
    AlertKind,
    AlertPriority,
    CallStatus,
    NeedStatus,
    ReferralTarget,
)
from contracts.envelope import Envelope, deterministic_id
from contracts.questions import AnswerValue, QuestionId
from contracts.topics import Topic
from streams.outcomes.context import ActiveFlag, OutcomeContext
from streams.outcomes.falls import FallsScreen, Recommendation, screen

SOURCE = "streams.outcomes"
UNANSWERED = frozenset(
    {
        CallStatus.NO_ANSWER,
        CallStatus.BUSY,
        CallStatus.FAILED,
        CallStatus.MACHINE,
        CallStatus.CANCELED,
    }
)
NEED_QUESTIONS = (
    QuestionId.COPING,
    QuestionId.EATING_AND_DRINKING,
    QuestionId.PERSONAL_CARE,
    QuestionId.MEDICATION,
    QuestionId.CARER_COPING,
    QuestionId.ANY_FALLS,
)
NOT_OK = "said they are not OK"
CALLBACK_ANSWERS = {
    QuestionId.FEELING_OK: (AnswerValue.NO, NOT_OK),
    QuestionId.NEEDS_ANYTHING: (AnswerValue.YES, "needs something"),
    QuestionId.WANTS_CALLBACK: (AnswerValue.YES, "asked for a call back"),
}
# A person at risk who does not answer is escalated after the first missed attempt, with
# this time limit for a handler to reach them or their keyholders (hazard H9).
AT_RISK_RESPOND_WITHIN = timedelta(minutes=30)
RECENT_URGENT = timedelta(days=1)
FALL_ALERTS = {
    QuestionId.FALL_IN_LAST_DAYS: "have fallen in the last few days",
    QuestionId.UNABLE_TO_GET_UP: "have been unable to get up after a fall",
}
SIGNPOSTING = {
    QuestionId.OFFER_COMMUNITY_MEALS: ReferralTarget.COMMUNITY_MEALS,
    QuestionId.OFFER_FALLS_CLASSES: ReferralTarget.FALLS_CLASSES,
}


@dataclass(frozen=True)
class Actions:
    flags: tuple[Flag, ...] = ()
    needs: tuple[NeedUpdate, ...] = ()
    alerts: tuple[Alert, ...] = ()
    referrals: tuple[Referral, ...] = ()

    def messages(self) -> list[tuple[Topic, Envelope]]:
        return [
            *((Topic.FLAGS, f) for f in self.flags),
            *((Topic.NEEDS_UPDATES, n) for n in self.needs),
            *((Topic.ALERTS, a) for a in self.alerts),
            *((Topic.REFERRALS, r) for r in self.referrals),
        ]


@dataclass
class _Builder:
    outcome: CallOutcome
    answers: dict[str, str]
    actions: dict[str, list[Envelope]] = field(default_factory=dict)

    def common(self, kind: str) -> dict[str, Any]:
        return {
            "event_id": deterministic_id("outcomes", self.outcome.event_id, kind),
            "person_id": self.outcome.person_id,
            "occurred_at": self.outcome.occurred_at,
            "source": SOURCE,
        }

    @property
    def heading(self) -> str:
        script = self.outcome.script.value.replace("_", " ")
        return f"{self.outcome.occurred_at:%Y-%m-%d} {script} call"


def process_outcome(outcome: CallOutcome, context: OutcomeContext) -> Actions:
    build = _Builder(outcome, {a.question_id: a.value for a in outcome.answers})
    flags, flag_referrals = _falls(build, context)
    needs, crisis = _need(build)
    return Actions(
        flags=flags,
        needs=needs,
        alerts=(
            *crisis,
            *_fall_reported(build),
            *_welfare(build),
            *_unanswered(build, context),
            *_dropped(build),
        ),
        referrals=(*flag_referrals, *_signposting(build)),
    )


def _falls(
    build: _Builder, context: OutcomeContext
) -> tuple[tuple[Flag, ...], tuple[Referral, ...]]:
    found = screen(
        build.answers,
        build.heading,
        detected=bool(context.falls_facts) and context.falls_flag is None,
    )
    if found is None:
        return (), ()
    current = context.falls_flag
    main = _main_referral(found, current)
    # New facts only, each keyed: the care record merges them into the flag in force.
    facts = [
        *(
            Fact(f"call:{build.outcome.event_id}:falls:{i}", text)
            for i, text in enumerate(found.evidence)
        ),
        *context.falls_facts,
    ]
    flag = Flag(
        **build.common("flag"),
        flag_id=current.flag_id
        if current
        else deterministic_id("outcomes", build.outcome.event_id, "flag_id"),
        evidence=tuple(fact.text for fact in facts),
        evidence_keys=tuple(fact.key for fact in facts),
        recommended_referral=main.target,
        change_reason=f"{build.heading}: {main.why}",
    )
    # Every referral the answers call for, each with its reason (the care record keeps
    # one open referral per service, so a repeat suggestion changes nothing).
    suggested = tuple(
        Referral(
            **build.common(f"referral:{r.target.value}"),
            referral_id=deterministic_id("outcomes", build.outcome.event_id, "referral", r.target),
            target=r.target,
            reason=f"Falls flag: {r.why}",
            origin="flag",
        )
        for r in found.referrals
    )
    return (flag,), suggested


def _main_referral(found: FallsScreen, current: ActiveFlag | None) -> Recommendation:
    """A flag that already asks for the falls team keeps asking until a person reviews or
    resolves it: a later call that finds less does not take the assessment away."""
    keep = current is not None and current.recommended_referral is ReferralTarget.FALLS_TEAM
    if keep and found.main.target is not ReferralTarget.FALLS_TEAM:
        return Recommendation(
            ReferralTarget.FALLS_TEAM, f"{found.main.why}; earlier evidence stands"
        )
    return found.main


def _need(build: _Builder) -> tuple[tuple[NeedUpdate, ...], tuple[Alert, ...]]:
    coping = build.answers.get(QuestionId.COPING)
    if coping not in {s.value for s in NeedStatus} - {NeedStatus.UNKNOWN.value}:
        return (), ()
    status = NeedStatus(coping)
    update = NeedUpdate(
        **build.common("need"),
        status=status,
        answers={q.value: build.answers[q] for q in NEED_QUESTIONS if q in build.answers},
        checked_at=build.outcome.occurred_at,
        change_reason=f"{build.heading}: {status.value.replace('_', ' ')}",
    )
    if status is not NeedStatus.IN_CRISIS:
        return (update,), ()
    alert = _alert(
        build,
        AlertKind.IN_CRISIS,
        AlertPriority.URGENT,
        "In crisis at the unmet-need check-in: call back now",
        _need_evidence(build),
    )
    return (update,), (alert,)


def _need_evidence(build: _Builder) -> tuple[str, ...]:
    said = [
        f"{q.value.replace('_', ' ')}: {build.answers[q].replace('_', ' ')}"
        for q in NEED_QUESTIONS
        if q in build.answers
    ]
    return (f"{build.heading}: {'; '.join(said)}",)


def _fall_reported(build: _Builder) -> tuple[Alert, ...]:
    """A recent fall, or having lain on the floor unable to get up: a handler checks for
    injury and that the person can summon help, whether or not the call was put through
    (the transfer's own alert covers a handler not answering)."""
    said = [
        text
        for question, text in FALL_ALERTS.items()
        if build.answers.get(question) == AnswerValue.YES
    ]
    if not said:
        return ()
    return (
        _alert(
            build,
            AlertKind.FALL_REPORTED,
            AlertPriority.HIGH,
            f"Reported that they {' and '.join(said)}: call back to check for injury "
            "and that they can summon help",
            (f"{build.heading}: {'; '.join(said)}",),
        ),
    )


def _welfare(build: _Builder) -> tuple[Alert, ...]:
    """A task for a call handler: not OK, needs something, or asked for a call back.
    Not when the call was already put through to a handler: they have spoken."""
    if build.outcome.transferred_to_handler:
        return ()
    reasons = [
        text
        for question, (value, text) in CALLBACK_ANSWERS.items()
        if build.answers.get(question) == value
    ]
    if not reasons:
        return ()
    return (
        _alert(
            build,
            AlertKind.CALLBACK_REQUESTED,
            AlertPriority.HIGH if reasons[0] == NOT_OK else AlertPriority.NORMAL,
            f"Call back: {', '.join(reasons)}",
            (f"{build.heading}: {'; '.join(reasons)}",),
        ),
    )


def at_risk(context: OutcomeContext, build: _Builder) -> list[str]:
    """Why a missed call to this person cannot wait for the usual retries."""
    reasons = []
    if context.falls_flag is not None:
        reasons.append("an open falls flag")
    if context.in_crisis:
        reasons.append("in crisis on the unmet-need list")
    urgent_at = context.last_urgent_alert_at
    if urgent_at is not None and build.outcome.occurred_at - urgent_at <= RECENT_URGENT:
        reasons.append(f"an urgent alert at {urgent_at:%Y-%m-%d %H:%M} UTC")
    return reasons


def _unanswered(build: _Builder, context: OutcomeContext) -> tuple[Alert, ...]:
    """No answer after the last attempt; for a person at risk, after the first (H9).
    Repeats share the alert key, so later attempts update the one open alert."""
    outcome = build.outcome
    if outcome.status not in UNANSWERED or outcome.end_reason == OPTED_OUT:
        return ()
    script = outcome.script.value.replace("_", " ")
    evidence = f"{build.heading}: attempt {outcome.attempt} ended {outcome.status.value}"
    # Keyholders' names and numbers stay in the store; the handler reads them there.
    if reasons := at_risk(context, build):
        minutes = int(AT_RISK_RESPOND_WITHIN.total_seconds() // 60)
        return (
            _alert(
                build,
                AlertKind.WELFARE_CONCERN,
                AlertPriority.URGENT,
                f"No answer to the {script} call from a person at risk "
                f"({'; '.join(reasons)}): within {minutes} minutes call them, then "
                "the keyholders on their record, or send a responder",
                (evidence,),
            ),
        )
    if not outcome.final_attempt:
        return ()
    return (
        _alert(
            build,
            AlertKind.WELFARE_CONCERN,
            AlertPriority.HIGH,
            f"No answer to the {script} call after {outcome.attempt} attempt(s): "
            "contact the keyholders on the person's record",
            (evidence,),
        ),
    )


def _dropped(build: _Builder) -> tuple[Alert, ...]:
    """A call a person answered that ended before the script did, with no handler on the
    line and no known reason (a failed transfer raised its own alert): they may have
    been taken ill mid-call (hazard H5)."""
    outcome = build.outcome
    if (
        outcome.status is not CallStatus.COMPLETED
        or outcome.script_completed
        or outcome.transferred_to_handler
        or outcome.end_reason
    ):
        return ()
    return (
        _alert(
            build,
            AlertKind.CALL_DROPPED,
            AlertPriority.HIGH,
            f"The {outcome.script.value.replace('_', ' ')} call was answered and ended "
            f"after {len(outcome.answers)} answer(s), before the questions were "
            "finished: call the person back now",
            (f"{build.heading}: ended mid-script after {outcome.duration_s or 0} s",),
        ),
    )


def _signposting(build: _Builder) -> tuple[Referral, ...]:
    """An accepted offer becomes a suggested referral: the person has agreed, a handler
    sends it. A declined offer is kept in the call's answers only."""
    return tuple(
        Referral(
            **build.common(f"referral:{target.value}"),
            referral_id=deterministic_id("outcomes", build.outcome.event_id, "referral", target),
            target=target,
            reason=f"{build.heading}: accepted the offer of {target.value.replace('_', ' ')}",
            origin="call",
        )
        for question, target in SIGNPOSTING.items()
        if build.answers.get(question) == AnswerValue.ACCEPTED
    )


def _alert(
    build: _Builder,
    kind: AlertKind,
    priority: AlertPriority,
    summary: str,
    evidence: tuple[str, ...],
) -> Alert:
    return Alert(
        **build.common(f"alert:{kind.value}"),
        alert_key=f"{kind.value}:{build.outcome.person_id}",
        alert_kind=kind,
        priority=priority,
        summary=summary,
        evidence=evidence,
        caused_by=(build.outcome.event_id,),
    )
