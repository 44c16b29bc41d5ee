"""Putting a person through to a handler, pure: what Twilio's <Dial> action callback
reported (DialCallStatus) -> connected, try the second line, or raise the urgent
"transfer failed" alert. The IVR's /ivr/dialed webhook is the adapter around it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from contracts.care import Alert
from contracts.codes import AlertKind, AlertPriority
from contracts.envelope import deterministic_id
from services.telephony.distress import TransferReason

SOURCE = "telephony.ivr"
# DialCallStatus when the dialled line picked up ("answered" is Twilio's word for a
# conference leg; both mean a person was connected).
CONNECTED = frozenset({"completed", "answered"})
LINES = ("SCRS line", "second SCRS line")


@dataclass(frozen=True)
class Attempt:
    """One line tried: which (0 = the SCRS line, 1 = the second line) and how it went."""

    line: int
    status: str


def connected(status: str) -> bool:
    return status in CONNECTED


def next_line(tried: tuple[Attempt, ...], has_second: bool, caller_on_line: bool) -> int | None:
    """The line to try next, or None when every line was tried or the person hung up
    while it rang (Twilio still posts the result, but a second Dial would never ring)."""
    if len(tried) == 1 and has_second and caller_on_line:
        return 1
    return None


def failed_alert(
    person_id: str,
    call_id: uuid.UUID,
    reason: TransferReason,
    tried: tuple[Attempt, ...],
    timeout_s: int,
    at: datetime,
    caller_on_line: bool = True,
) -> Alert:
    """The urgent alert for a person who needed a handler and reached none."""
    lines = [f"{LINES[a.line]}: {a.status} (rang up to {timeout_s} s)" for a in tried]
    if not caller_on_line:
        lines.append("the person hung up while the line rang")
    return Alert(
        event_id=deterministic_id("telephony", call_id, "transfer_failed"),
        person_id=person_id,
        occurred_at=at,
        source=SOURCE,
        alert_key=f"{AlertKind.TRANSFER_FAILED.value}:{person_id}",
        alert_kind=AlertKind.TRANSFER_FAILED,
        priority=AlertPriority.URGENT,
        summary=(
            f"Transfer failed at {at:%H:%M:%S} UTC: the person {reason.described} "
            "and no handler answered. Call them back now."
        ),
        evidence=(f"{at:%Y-%m-%d %H:%M:%S} UTC call transfer: {reason.described}", *lines),
        caused_by=(call_id,),
    )
