"""A flag's lifecycle: active -> reviewed -> resolved, or entered-in-error from any
state in force. New evidence on a reviewed flag makes it active again (someone must look
at the new facts); a resolved flag stays closed and new evidence raises a new flag."""

from __future__ import annotations

from contracts.codes import FlagStatus

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


class FlagTransitionRefused(ValueError):
    """A status change the lifecycle does not allow (e.g. reopening a resolved flag)."""


def check_transition(current: FlagStatus, new: FlagStatus) -> None:
    if new not in ALLOWED[current]:
        raise FlagTransitionRefused(f"a {current.value} flag cannot become {new.value}")
