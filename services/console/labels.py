"""The words the pages use for the code lists."""

from __future__ import annotations

from contracts.codes import AlertOutcome, HandlerCallOutcome

# A person's outcomes for an alert; `cleared_at_device` is the devices' own, never offered.
ALERT_OUTCOMES = {
    AlertOutcome.NO_ACTION_NEEDED: "No action needed",
    AlertOutcome.CALLED_BACK: "Called back, all well",
    AlertOutcome.RESPONDER_SENT: "Responder sent",
    AlertOutcome.AMBULANCE: "Ambulance called",
    AlertOutcome.FAMILY_OR_KEYHOLDER_CONTACTED: "Family or keyholder contacted",
    AlertOutcome.FALL_WITHOUT_INJURY: "Fall without injury",
    AlertOutcome.FALL_WITH_INJURY: "Fall with injury",
    AlertOutcome.FALSE_ALARM: "False alarm",
    AlertOutcome.DEVICE_FIXED: "Device fixed",
}

CALL_OUTCOMES = {
    HandlerCallOutcome.ALL_WELL: "Spoke to them: all well",
    HandlerCallOutcome.CONCERN_RAISED: "Spoke to them: a concern (say what in the notes)",
    HandlerCallOutcome.CONTACT_INFORMED: "Contact told what happened",
    HandlerCallOutcome.LEFT_MESSAGE: "Left a message",
    HandlerCallOutcome.NO_ANSWER: "No answer",
}
