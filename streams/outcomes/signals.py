"""Falls follow-up signals from the stream processors: their facts join the falls flag
in force. Pure: (signal, flag in force) -> a flag update or nothing."""

from __future__ import annotations

from care.domain.flags import signal_facts
from contracts.care import Flag, Signal
from contracts.codes import ScriptName
from contracts.envelope import deterministic_id
from streams.outcomes.context import ActiveFlag
from streams.outcomes.logic import SOURCE


def process_signal(signal: Signal, current: ActiveFlag | None) -> Flag | None:
    """A falls follow-up signal adds its facts to the falls flag in force, if there is one
    (without one, the follow-up call it asks for decides whether to raise a flag). Facts
    the flag already holds (by key) are not repeated: the care record merges them."""
    if signal.script is not ScriptName.FALLS_FOLLOW_UP or current is None:
        return None
    facts = signal_facts(signal.event_id, signal.occurred_at.date(), signal.reason, signal.evidence)
    return Flag(
        event_id=deterministic_id("outcomes", signal.event_id, "flag"),
        person_id=signal.person_id,
        occurred_at=signal.occurred_at,
        source=SOURCE,
        flag_id=current.flag_id,
        risk=current.risk,
        evidence=tuple(fact.text for fact in facts),
        evidence_keys=tuple(fact.key for fact in facts),
        recommended_referral=current.recommended_referral,
        change_reason="falls follow-up signal from the home's devices",
    )
