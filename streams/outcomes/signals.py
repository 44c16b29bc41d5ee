"""Falls follow-up signals from the stream processors: their facts join the falls flag
in force, or raise one. Pure: (signal, flag in force) -> a flag and referral, or nothing."""

from __future__ import annotations

from care.domain.flags import signal_facts
from contracts.care import Flag, Referral, Signal
from contracts.codes import ReferralTarget, ScriptName
from contracts.envelope import deterministic_id
from streams.outcomes.context import ActiveFlag
from streams.outcomes.logic import SOURCE, Actions


def process_signal(signal: Signal, current: ActiveFlag | None) -> Actions:
    """A falls follow-up signal (a fall detector's alarm, a fall the home's devices saw)
    adds its facts to the falls flag in force; without one it raises a flag by itself,
    with a falls-team referral for a multifactorial assessment (a detected fall is case
    finding, World Falls Guidelines 2022). Facts the flag already holds (by key) are not
    repeated: the care record merges them."""
    if signal.script is not ScriptName.FALLS_FOLLOW_UP:
        return Actions()
    facts = signal_facts(signal.event_id, signal.occurred_at.date(), signal.reason, signal.evidence)
    common = {
        "person_id": signal.person_id,
        "occurred_at": signal.occurred_at,
        "source": SOURCE,
    }
    if current is not None:
        flag = Flag(
            **common,
            event_id=deterministic_id("outcomes", signal.event_id, "flag"),
            flag_id=current.flag_id,
            evidence=tuple(fact.text for fact in facts),
            evidence_keys=tuple(fact.key for fact in facts),
            recommended_referral=current.recommended_referral,
            change_reason="falls follow-up signal from the home's devices",
        )
        return Actions(flags=(flag,))
    why = "a fall detected by the home's devices: multifactorial falls assessment"
    flag = Flag(
        **common,
        event_id=deterministic_id("outcomes", signal.event_id, "flag"),
        flag_id=deterministic_id("outcomes", signal.event_id, "flag_id"),
        evidence=tuple(fact.text for fact in facts),
        evidence_keys=tuple(fact.key for fact in facts),
        recommended_referral=ReferralTarget.FALLS_TEAM,
        change_reason=why,
    )
    referral = Referral(
        **common,
        event_id=deterministic_id("outcomes", signal.event_id, "referral"),
        referral_id=deterministic_id(
            "outcomes", signal.event_id, "referral", ReferralTarget.FALLS_TEAM
        ),
        target=ReferralTarget.FALLS_TEAM,
        reason=f"Falls flag: {why}",
        origin="flag",
    )
    return Actions(flags=(flag,), referrals=(referral,))
