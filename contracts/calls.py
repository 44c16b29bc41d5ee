"""Commands and events of the outbound-call loop: scheduler -> dialer -> IVR -> outcome."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.codes import AnsweredBy, CallStatus, ScriptName
from contracts.envelope import Envelope, UtcDatetime

# CallOutcome.end_reason of a call not placed, or ended, because the person asked the
# automated calls to stop: not a missed call, nothing to escalate.
OPTED_OUT = "asked to stop automated calls"


class CallRequested(Envelope):
    """Place one proactive call. The event_id is deterministic per (campaign, person, slot),
    so a re-planned or duplicated request is recognised and never dialled twice.

    No phone number travels on the bus: the dialer reads it from the store."""

    kind: Literal["call_requested"] = "call_requested"
    campaign_id: str | None = Field(default=None, description="None for a signal-driven call")
    script: ScriptName
    reason: str = Field(min_length=1, max_length=500)
    due_at: UtcDatetime
    window_end: UtcDatetime
    language: str = "en-GB"
    attempt: int = Field(default=1, ge=1)
    max_attempts: int = Field(default=3, ge=1)
    retry_after_s: int = Field(default=1800, ge=0)


class Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    question_id: str
    value: str = Field(description="The normalised answer, e.g. yes, no, in_crisis")
    heard: str | None = Field(default=None, description="Digits pressed or speech recognised")
    via: Literal["dtmf", "speech"] = "dtmf"
    confidence: float | None = Field(default=None, ge=0, le=1)
    answered_at: UtcDatetime


class CallOutcome(Envelope):
    """How a call ended and every answer given before it ended."""

    kind: Literal["call_outcome"] = "call_outcome"
    request_id: uuid.UUID = Field(description="event_id of the CallRequested")
    campaign_id: str | None = None
    script: ScriptName
    status: CallStatus
    answered_by: AnsweredBy | None = None
    answers: tuple[Answer, ...] = ()
    script_completed: bool = False
    transferred_to_handler: bool = False
    attempt: int = Field(default=1, ge=1)
    final_attempt: bool = Field(
        default=False, description="True when no retry follows this unanswered attempt"
    )
    duration_s: int | None = Field(default=None, ge=0)
    provider_call_id: str | None = Field(default=None, description="Twilio CallSid")
    end_reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why a call was not placed or ended early, e.g. the window had passed",
    )
