"""Falls-risk flags: the facts that raised them, their lifecycle, who changed them and why.

- One flag in force (active or reviewed) per person and code: new facts join it.
- Evidence is a list of facts, each with a key saying what it is about (a call's
  answers, the count of fall-detector alarms, a device signal). A fact whose key the
  flag holds replaces the old wording (the alarm count goes from 1 to 2, it is not
  listed twice); two facts with different keys are both kept, even if they read alike.
  The wording of device facts is built here, once (`fall_detector_fact`, `signal_facts`).
- Lifecycle: active -> reviewed -> resolved, or entered-in-error from any state in force.
  New facts make a reviewed flag active again (someone must look at them); a resolved
  flag stays closed, and new facts for it raise a new flag rather than being dropped.
- Review, resolve and entered-in-error are a person's decisions, with a reason."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from care.domain.reasons import require
from care.errors import FlagChangeRefused
from contracts.codes import FlagStatus, ReferralTarget

IN_FORCE = frozenset({FlagStatus.ACTIVE, FlagStatus.REVIEWED})
ALLOWED: dict[FlagStatus, frozenset[FlagStatus]] = {
    FlagStatus.ACTIVE: frozenset(
        {FlagStatus.ACTIVE, FlagStatus.REVIEWED, FlagStatus.RESOLVED, FlagStatus.ENTERED_IN_ERROR}
    ),
    FlagStatus.REVIEWED: frozenset(
        {FlagStatus.ACTIVE, FlagStatus.REVIEWED, FlagStatus.RESOLVED, FlagStatus.ENTERED_IN_ERROR}
    ),
    FlagStatus.RESOLVED: frozenset({FlagStatus.ENTERED_IN_ERROR}),
    FlagStatus.ENTERED_IN_ERROR: frozenset(),
}
PERSONS_DECISIONS = frozenset(
    {FlagStatus.REVIEWED, FlagStatus.RESOLVED, FlagStatus.ENTERED_IN_ERROR}
)


@dataclass(frozen=True)
class Fact:
    """One fact of a flag's evidence: `key` says what it is about, `text` how it reads."""

    key: str
    text: str


def merge_facts(current: Sequence[Fact], new: Iterable[Fact]) -> list[Fact]:
    """`current` with `new` added: a known key takes the new wording in its place."""
    merged = list(current)
    where = {fact.key: i for i, fact in enumerate(merged)}
    for fact in new:
        if fact.key in where:
            merged[where[fact.key]] = fact
        else:
            where[fact.key] = len(merged)
            merged.append(fact)
    return merged


def facts(texts: Sequence[str], keys: Sequence[str] = ()) -> list[Fact]:
    """Facts from a message's parallel lists; without keys each text is its own key."""
    return [Fact(key, text) for key, text in zip(keys or texts, texts, strict=True)]


def fall_detector_fact(alarms: Sequence[datetime]) -> Fact | None:
    """The fall-detector alarms of the last 12 months, as one fact that is reworded (not
    repeated) as the count grows."""
    if not alarms:
        return None
    return Fact(
        "device:fall_detector_alarms",
        f"{len(alarms)} fall-detector alarm(s) in the last 12 months, "
        f"latest {max(alarms):%Y-%m-%d %H:%M} UTC",
    )


def signal_facts(
    signal_id: uuid.UUID, day: date, reason: str, evidence: Sequence[str] = ()
) -> list[Fact]:
    """A falls follow-up signal from the home's devices, as the flag states it."""
    heading = f"{day:%Y-%m-%d} device signal"
    return [
        Fact(f"signal:{signal_id}:{i}", f"{heading}: {text}")
        for i, text in enumerate([reason, *evidence])
    ]


def check_transition(current: FlagStatus, new: FlagStatus) -> None:
    if new not in ALLOWED[current]:
        raise FlagChangeRefused(f"a {current.value} flag cannot become {new.value}")


@dataclass(frozen=True)
class FlagChange:
    """One line of a flag's history: the flag as it stood after the change."""

    status: FlagStatus
    evidence: tuple[str, ...]
    by: str
    at: datetime
    reason: str | None


@dataclass
class Flag:
    id: uuid.UUID
    person_id: str
    code: str
    status: FlagStatus
    raised_at: datetime
    evidence: list[Fact] = field(default_factory=list)
    recommended_referral: ReferralTarget | None = None
    changes: list[FlagChange] = field(default_factory=list)
    """Changes since loaded; the unit of work appends them to the flag's history."""

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE

    @classmethod
    def raised(
        cls,
        *,
        id: uuid.UUID,
        person_id: str,
        code: str,
        status: FlagStatus,
        evidence: Sequence[Fact],
        referral: ReferralTarget | None,
        by: str,
        at: datetime,
        reason: str | None,
    ) -> Flag:
        flag = cls(
            id=id,
            person_id=person_id,
            code=code,
            status=status,
            raised_at=at,
            evidence=merge_facts([], evidence),
            recommended_referral=referral,
        )
        flag._record(by, at, reason)
        return flag

    def add_facts(
        self,
        *,
        evidence: Sequence[Fact],
        referral: ReferralTarget | None,
        status: FlagStatus,
        by: str,
        at: datetime,
        reason: str | None,
    ) -> None:
        """New facts (and the referral they come with) from a call or a signal."""
        check_transition(self.status, status)
        self.status = status
        self.evidence = merge_facts(self.evidence, evidence)
        if referral is not None:
            self.recommended_referral = referral
        self._record(by, at, reason)

    def decide(self, *, status: FlagStatus, by: str, at: datetime, reason: str) -> None:
        """A person reviews, resolves or marks the flag entered in error; the evidence
        stays as it was."""
        why = require(reason, "a reason")
        if status not in PERSONS_DECISIONS:
            raise FlagChangeRefused(f"a person does not set a flag {status.value}")
        check_transition(self.status, status)
        self.status = status
        self._record(by, at, why)

    def _record(self, by: str, at: datetime, reason: str | None) -> None:
        self.changes.append(
            FlagChange(self.status, tuple(f.text for f in self.evidence), by, at, reason)
        )
