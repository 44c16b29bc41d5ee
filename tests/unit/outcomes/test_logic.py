"""Each outcome path with realistic answers: what a call handler and the RMU get."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from care.domain.flags import Fact
from contracts.care import Signal
from contracts.codes import (
    AlertKind,
    AlertPriority,
    CallStatus,
    NeedStatus,
    ReferralStatus,
    ReferralTarget,
    ScriptName,
)
from contracts.topics import Topic
from streams.outcomes.context import ActiveFlag, OutcomeContext
from streams.outcomes.logic import process_outcome
from streams.outcomes.signals import process_signal
from tests.unit.outcomes.builders import CALL_AT, outcome

NO_CONTEXT = OutcomeContext()


def test_a_severe_fall_raises_a_flag_stating_the_answers_and_device_facts() -> None:
    call = outcome(
        ScriptName.FALLS_PREVENTION,
        {
            "fallen_past_year": "yes",
            "unsteady": "yes",
            "worried_about_falling": "no",
            "fall_with_injury": "no",
            "two_or_more_falls": "yes",
            "unable_to_get_up": "no",
            "blackout": "no",
        },
    )
    context = OutcomeContext(
        falls_facts=(
            Fact(
                "device:fall_detector_alarms",
                "2 fall-detector alarm(s) in the last 12 months, latest 2026-11-20 03:12 UTC",
            ),
        )
    )

    actions = process_outcome(call, context)

    [flag] = actions.flags
    assert flag.recommended_referral is ReferralTarget.FALLS_TEAM
    assert flag.evidence == (
        "2026-11-24 falls prevention call: has fallen in the past year; feels unsteady when "
        "standing or walking; has fallen two or more times in 12 months",
        "2 fall-detector alarm(s) in the last 12 months, latest 2026-11-20 03:12 UTC",
    )
    assert flag.evidence_keys == (f"call:{call.event_id}:falls:0", "device:fall_detector_alarms")
    assert flag.change_reason == (
        "2026-11-24 falls prevention call: has fallen two or more times in 12 months: "
        "multifactorial falls assessment"
    )
    # NICE NG249: no probability, score or grade of falls risk anywhere in the flag.
    said = flag.model_dump_json().lower()
    assert not any(word in said for word in ("probab", '"risk"', "high", "moderate", "score"))
    [referral] = actions.referrals
    assert (referral.target, referral.status, referral.origin) == (
        ReferralTarget.FALLS_TEAM,
        ReferralStatus.SUGGESTED,
        "flag",
    )
    assert actions.alerts == () and actions.needs == ()


def test_unsteady_only_gets_strength_and_balance_advice() -> None:
    actions = process_outcome(
        outcome(
            ScriptName.FALLS_PREVENTION,
            {"fallen_past_year": "no", "unsteady": "yes", "worried_about_falling": "yes"},
        ),
        NO_CONTEXT,
    )
    [flag] = actions.flags
    assert flag.recommended_referral is ReferralTarget.STRENGTH_AND_BALANCE
    assert [r.target for r in actions.referrals] == [ReferralTarget.STRENGTH_AND_BALANCE]
    assert flag.evidence == (
        "2026-11-24 falls prevention call: feels unsteady when standing "
        "or walking; is worried about falling",
    )


def test_frat_items_count_and_three_send_the_person_to_the_falls_team() -> None:
    answers = {
        "fallen_past_year": "no",
        "four_or_more_medications": "yes",
        "stroke_or_parkinsons": "no",
        "balance_problems": "no",
        "cannot_rise_from_chair": "yes",
    }
    actions = process_outcome(outcome(ScriptName.FALLS_PREVENTION, answers), NO_CONTEXT)
    [flag] = actions.flags
    assert flag.recommended_referral is ReferralTarget.OCCUPATIONAL_THERAPY
    assert [r.target for r in actions.referrals] == [
        ReferralTarget.OCCUPATIONAL_THERAPY,
        ReferralTarget.STRENGTH_AND_BALANCE,
    ]
    assert not any("FRAT" in fact or " of 5" in fact for fact in flag.evidence)  # no score

    answers["stroke_or_parkinsons"] = "yes"
    actions = process_outcome(outcome(ScriptName.FALLS_PREVENTION, answers), NO_CONTEXT)
    [flag] = actions.flags
    assert flag.recommended_referral is ReferralTarget.FALLS_TEAM
    # Every fitting referral, each with its reason: the assessment and the chair (OT).
    assert [(r.target, r.reason) for r in actions.referrals] == [
        (
            ReferralTarget.FALLS_TEAM,
            "Falls flag: takes four or more medicines a day, has had a stroke or has "
            "Parkinson's, cannot rise from a knee-high chair without using arms: "
            "multifactorial falls assessment",
        ),
        (ReferralTarget.OCCUPATIONAL_THERAPY, "Falls flag: cannot rise from a chair: OT"),
    ]


def test_a_fall_and_not_managing_personal_care_suggests_ilrt() -> None:
    [flag] = process_outcome(
        outcome(
            ScriptName.UNMET_NEED_CHECKIN,
            {"coping": "struggling", "personal_care": "no", "any_falls": "yes"},
        ),
        NO_CONTEXT,
    ).flags
    assert flag.recommended_referral is ReferralTarget.ILRT


def test_no_yes_to_any_falls_question_raises_nothing() -> None:
    actions = process_outcome(
        outcome(
            ScriptName.FALLS_PREVENTION,
            {"fallen_past_year": "no", "unsteady": "no", "worried_about_falling": "no"},
        ),
        NO_CONTEXT,
    )
    assert actions.messages() == []


def test_new_answers_update_the_flag_in_force_and_never_drop_its_assessment() -> None:
    current = ActiveFlag(flag_id=uuid.uuid4(), recommended_referral=ReferralTarget.FALLS_TEAM)
    [flag] = process_outcome(
        outcome(ScriptName.FALLS_PREVENTION, {"unsteady": "yes"}),
        OutcomeContext(falls_flag=current),
    ).flags
    assert flag.flag_id == current.flag_id
    assert flag.recommended_referral is ReferralTarget.FALLS_TEAM
    # Only the new facts: the care record adds them to the flag's (care/domain/flags.py).
    assert flag.evidence == (
        "2026-11-24 falls prevention call: feels unsteady when standing or walking",
    )


def test_in_crisis_updates_the_list_and_raises_an_urgent_alert_at_once() -> None:
    call = outcome(
        ScriptName.UNMET_NEED_CHECKIN,
        {
            "coping": "in_crisis",
            "eating_and_drinking": "no",
            "personal_care": "no",
            "medication": "yes",
            "carer_coping": "no_carer",
            "any_falls": "no",
        },
    )
    actions = process_outcome(call, NO_CONTEXT)

    [need] = actions.needs
    assert need.status is NeedStatus.IN_CRISIS
    assert need.checked_at == call.occurred_at
    assert need.answers == {
        "coping": "in_crisis",
        "eating_and_drinking": "no",
        "personal_care": "no",
        "medication": "yes",
        "carer_coping": "no_carer",
        "any_falls": "no",
    }
    [alert] = actions.alerts
    assert (alert.alert_kind, alert.priority, alert.queue.value) == (
        AlertKind.IN_CRISIS,
        AlertPriority.URGENT,
        "call_handler",
    )
    assert alert.alert_key == "in_crisis:P000042"
    assert alert.caused_by == (call.event_id,)
    assert alert.evidence == (
        "2026-11-24 unmet need checkin call: coping: in crisis; eating "
        "and drinking: no; personal care: no; medication: yes; carer "
        "coping: no carer; any falls: no",
    )


def test_managing_ok_updates_the_list_without_an_alert() -> None:
    actions = process_outcome(
        outcome(ScriptName.UNMET_NEED_CHECKIN, {"coping": "managing_ok"}), NO_CONTEXT
    )
    assert [n.status for n in actions.needs] == [NeedStatus.MANAGING_OK]
    assert actions.alerts == ()


def test_welfare_not_ok_or_call_me_back_is_a_task_for_a_call_handler() -> None:
    not_ok = process_outcome(
        outcome(
            ScriptName.WELFARE_CHECK,
            {"feeling_ok": "no", "needs_anything": "no", "wants_callback": "yes"},
        ),
        NO_CONTEXT,
    )
    [alert] = not_ok.alerts
    assert (alert.alert_kind, alert.priority) == (AlertKind.CALLBACK_REQUESTED, AlertPriority.HIGH)
    assert alert.summary == "Call back: said they are not OK, asked for a call back"

    callback = process_outcome(
        outcome(ScriptName.WELFARE_CHECK, {"feeling_ok": "yes", "wants_callback": "yes"}),
        NO_CONTEXT,
    )
    assert [a.priority for a in callback.alerts] == [AlertPriority.NORMAL]

    fine = process_outcome(
        outcome(
            ScriptName.WELFARE_CHECK,
            {"feeling_ok": "yes", "needs_anything": "no", "wants_callback": "no"},
        ),
        NO_CONTEXT,
    )
    assert fine.messages() == []

    transferred = process_outcome(
        outcome(ScriptName.WELFARE_CHECK, {"feeling_ok": "no"}, transferred_to_handler=True),
        NO_CONTEXT,
    )
    assert transferred.alerts == ()  # a handler already spoke to them


def test_a_fall_in_the_last_few_days_goes_to_a_handler_as_well_as_the_flag() -> None:
    actions = process_outcome(
        outcome(
            ScriptName.FALLS_FOLLOW_UP,
            {"fall_in_last_days": "yes", "fall_with_injury": "no", "unable_to_get_up": "no"},
        ),
        NO_CONTEXT,
    )
    assert [a.alert_kind for a in actions.alerts] == [AlertKind.FALL_REPORTED]
    # referred for a multifactorial assessment, not left with strength and balance
    assert [f.recommended_referral for f in actions.flags] == [ReferralTarget.FALLS_TEAM]


def test_no_answer_after_the_last_retry_is_a_welfare_concern_naming_no_one() -> None:
    last = outcome(
        ScriptName.WELFARE_CHECK, {}, status=CallStatus.NO_ANSWER, attempt=3, final_attempt=True
    )
    [alert] = process_outcome(last, NO_CONTEXT).alerts
    assert (alert.alert_kind, alert.priority) == (AlertKind.WELFARE_CONCERN, AlertPriority.HIGH)
    assert alert.summary == (
        "No answer to the welfare check call after 3 attempt(s): contact "
        "the keyholders on the person's record"
    )
    assert "+44" not in alert.model_dump_json()  # names and numbers stay in the store

    retry_follows = outcome(ScriptName.WELFARE_CHECK, {}, status=CallStatus.NO_ANSWER)
    assert process_outcome(retry_follows, NO_CONTEXT).alerts == ()


def test_accepted_signposting_becomes_a_referral_and_declined_does_not() -> None:
    actions = process_outcome(
        outcome(
            ScriptName.WELFARE_CHECK,
            {
                "feeling_ok": "yes",
                "offer_community_meals": "accepted",
                "offer_falls_classes": "declined",
            },
        ),
        NO_CONTEXT,
    )
    [referral] = actions.referrals
    assert (referral.target, referral.status, referral.origin) == (
        ReferralTarget.COMMUNITY_MEALS,
        ReferralStatus.SUGGESTED,
        "call",
    )
    assert referral.reason == (
        "2026-11-24 welfare check call: accepted the offer of community meals"
    )


def test_derived_events_have_the_same_ids_when_the_outcome_is_redelivered() -> None:
    call = outcome(
        ScriptName.UNMET_NEED_CHECKIN,
        {"coping": "in_crisis", "any_falls": "yes", "offer_community_meals": "accepted"},
    )
    first = process_outcome(call, NO_CONTEXT).messages()
    again = process_outcome(call, NO_CONTEXT).messages()
    assert [(t, m.event_id) for t, m in first] == [(t, m.event_id) for t, m in again]
    assert {t for t, _ in first} == {
        Topic.FLAGS,
        Topic.NEEDS_UPDATES,
        Topic.ALERTS,
        Topic.REFERRALS,
    }
    assert len({m.event_id for _, m in first}) == len(first)


def test_a_falls_follow_up_signal_adds_its_facts_to_the_flag_in_force_only() -> None:
    signal = Signal(
        person_id="P000042",
        occurred_at=CALL_AT,
        source="streams.activity",
        script=ScriptName.FALLS_FOLLOW_UP,
        reason="fall detector alarm at 03:12",
        evidence=("no movement in the hall until 09:40",),
    )
    current = ActiveFlag(flag_id=uuid.uuid4(), recommended_referral=ReferralTarget.ILRT)
    actions = process_signal(signal, current)
    [flag] = actions.flags
    assert flag.flag_id == current.flag_id and actions.referrals == ()
    assert flag.evidence == (
        "2026-11-24 device signal: fall detector alarm at 03:12",
        "2026-11-24 device signal: no movement in the hall until 09:40",
    )
    # Keyed by the signal, as the store's falls facts key it: stated once on the flag.
    assert flag.evidence_keys == (f"signal:{signal.event_id}:0", f"signal:{signal.event_id}:1")
    assert flag.recommended_referral is current.recommended_referral


def test_a_fall_the_devices_saw_raises_a_flag_by_itself_with_a_falls_team_referral() -> None:
    """Case finding (World Falls Guidelines 2022): a detected fall finds the person without
    waiting for a call's answers."""
    signal = Signal(
        person_id="P000042",
        occurred_at=CALL_AT,
        source="streams.triage",
        script=ScriptName.FALLS_FOLLOW_UP,
        reason="Fall detector alarm at 03:12: a falls follow-up call today",
    )
    actions = process_signal(signal, None)
    [flag] = actions.flags
    [referral] = actions.referrals
    assert flag.evidence == (
        "2026-11-24 device signal: Fall detector alarm at 03:12: a falls follow-up call today",
    )
    assert flag.recommended_referral is referral.target is ReferralTarget.FALLS_TEAM
    assert referral.reason == (
        "Falls flag: a fall detected by the home's devices: multifactorial falls assessment"
    )
    again = process_signal(signal, None).messages()
    assert [m.event_id for _, m in again] == [m.event_id for _, m in actions.messages()]
    welfare = signal.model_copy(update={"script": ScriptName.WELFARE_CHECK})
    assert process_signal(welfare, None).messages() == []


def test_a_call_answered_then_dropped_mid_script_is_an_alert() -> None:
    """H5: the person answered, gave one answer and the line went dead."""
    dropped = outcome(ScriptName.WELFARE_CHECK, {"feeling_ok": "yes"}, duration_s=24).model_copy(
        update={"script_completed": False}
    )
    [alert] = process_outcome(dropped, NO_CONTEXT).alerts
    assert (alert.alert_kind, alert.priority) == (AlertKind.CALL_DROPPED, AlertPriority.HIGH)
    assert alert.summary.startswith("The welfare check call was answered and ended after 1 ")

    handled = dropped.model_copy(update={"transferred_to_handler": True})
    failed = dropped.model_copy(update={"end_reason": "transfer to a handler failed"})
    finished = dropped.model_copy(update={"script_completed": True})
    for call in (handled, failed, finished):
        assert [a.alert_kind for a in process_outcome(call, NO_CONTEXT).alerts] == []


@pytest.mark.parametrize(
    ("context", "why"),
    [
        (
            OutcomeContext(falls_flag=ActiveFlag(flag_id=uuid.uuid4(), recommended_referral=None)),
            "an open falls flag",
        ),
        (OutcomeContext(in_crisis=True), "in crisis on the unmet-need list"),
        (
            OutcomeContext(last_urgent_alert_at=CALL_AT - timedelta(hours=20)),
            f"an urgent alert at {CALL_AT - timedelta(hours=20):%Y-%m-%d %H:%M} UTC",
        ),
    ],
)
def test_a_person_at_risk_who_misses_the_first_attempt_is_escalated_at_once(
    context: OutcomeContext, why: str
) -> None:
    """H9: not three attempts 30 minutes apart: an urgent alert with a time limit now."""
    first = outcome(ScriptName.WELFARE_CHECK, {}, status=CallStatus.NO_ANSWER, attempt=1)
    [alert] = process_outcome(first, context).alerts
    assert (alert.alert_kind, alert.priority) == (AlertKind.WELFARE_CONCERN, AlertPriority.URGENT)
    assert alert.summary == (
        f"No answer to the welfare check call from a person at risk ({why}): within 30 "
        "minutes call them, then the keyholders on their record, or send a responder"
    )
    second = outcome(ScriptName.WELFARE_CHECK, {}, status=CallStatus.BUSY, attempt=2)
    [again] = process_outcome(second, context).alerts
    assert again.alert_key == alert.alert_key  # one open alert, updated


def test_an_urgent_alert_more_than_a_day_old_is_not_a_reason_to_escalate() -> None:
    old = OutcomeContext(last_urgent_alert_at=CALL_AT - timedelta(days=2))
    first = outcome(ScriptName.WELFARE_CHECK, {}, status=CallStatus.NO_ANSWER, attempt=1)
    assert process_outcome(first, old).alerts == ()


def test_unable_to_get_up_after_a_fall_is_an_alert_even_when_put_through() -> None:
    """The issue: "unable to get up = yes" raised no alert."""
    call = outcome(
        ScriptName.FALLS_PREVENTION,
        {
            "fallen_past_year": "yes",
            "unsteady": "no",
            "worried_about_falling": "no",
            "unable_to_get_up": "yes",
        },
        transferred_to_handler=True,
    )
    [alert] = process_outcome(call, NO_CONTEXT).alerts
    assert (alert.alert_kind, alert.priority) == (AlertKind.FALL_REPORTED, AlertPriority.HIGH)
    assert alert.summary == (
        "Reported that they have been unable to get up after a fall: "
        "call back to check for injury and that they can summon help"
    )


def test_device_falls_history_finds_a_person_by_itself() -> None:
    """The issue: fall-detector history never raised a flag by itself."""
    detected = OutcomeContext(
        falls_facts=(
            Fact(
                "alarms:fall_detector",
                "1 fall-detector alarm(s) in the last 12 months, latest 2026-11-20 03:12 UTC",
            ),
        )
    )
    fine = outcome(
        ScriptName.WELFARE_CHECK,
        {"feeling_ok": "yes", "needs_anything": "no", "wants_callback": "no"},
    )
    actions = process_outcome(fine, detected)
    [flag] = actions.flags
    assert flag.recommended_referral is ReferralTarget.FALLS_TEAM
    assert flag.evidence == tuple(fact.text for fact in detected.falls_facts)
    assert [r.target for r in actions.referrals] == [ReferralTarget.FALLS_TEAM]
    assert "falls detected by the home's devices" in actions.referrals[0].reason

    flagged = OutcomeContext(
        falls_flag=ActiveFlag(flag_id=uuid.uuid4(), recommended_referral=ReferralTarget.FALLS_TEAM),
        falls_facts=detected.falls_facts,
    )
    assert process_outcome(fine, flagged).flags == ()  # already found: no repeat per call
