"""A falls-risk flag as HL7 FHIR R4 resources: a `Flag` (category safety, SNOMED CT
129839007 "At increased risk for falls") and a `RiskAssessment` whose prediction is a
qualitative risk from the risk-probability code system, never a probability (NICE NG249).
Plain dicts in FHIR JSON; tests validate them with the `fhir.resources` models."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.codes import (
    SNOMED_AT_RISK_OF_FALLS,
    SNOMED_FALL_EVENT,
    SNOMED_FALL_RISK_ASSESSMENT,
    FlagStatus,
)
from services.store.models import FlagRecord

FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
SNOMED = "http://snomed.info/sct"
PERSON_SYSTEM = "urn:tecflow:person-id"

# FHIR Flag.status is active | inactive | entered-in-error: "reviewed" is still in force.
FLAG_STATUS = {
    FlagStatus.ACTIVE: "active",
    FlagStatus.REVIEWED: "active",
    FlagStatus.RESOLVED: "inactive",
    FlagStatus.ENTERED_IN_ERROR: "entered-in-error",
}
# RiskAssessment.status (ObservationStatus) for the same lifecycle.
ASSESSMENT_STATUS = {
    FlagStatus.ACTIVE: "preliminary",
    FlagStatus.REVIEWED: "final",
    FlagStatus.RESOLVED: "final",
    FlagStatus.ENTERED_IN_ERROR: "entered-in-error",
}
RISK_DISPLAY = {"low": "Low likelihood", "moderate": "Moderate likelihood",
                "high": "High likelihood"}


def _subject(person_id: str) -> dict[str, Any]:
    # The opaque person id, never a name: the receiving system maps it to its record.
    return {"identifier": {"system": PERSON_SYSTEM, "value": person_id}}


def flag_resource(flag: FlagRecord) -> dict[str, Any]:
    status = FlagStatus(flag.status)
    period: dict[str, str] = {"start": flag.raised_at.isoformat()}
    if status is FlagStatus.RESOLVED:
        period["end"] = flag.updated_at.isoformat()
    return {
        "resourceType": "Flag",
        "id": str(flag.id),
        "status": FLAG_STATUS[status],
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "safety",
                                  "display": "Safety"}]}],
        "code": {
            "coding": [{"system": SNOMED, "code": flag.code or SNOMED_AT_RISK_OF_FALLS,
                        "display": "At increased risk for falls"}],
            "text": "At risk of falls",
        },
        "subject": _subject(flag.person_id),
        "period": period,
    }


def risk_assessment_id(flag: FlagRecord) -> str:
    return str(uuid.uuid5(flag.id, "RiskAssessment"))


def risk_assessment_resource(flag: FlagRecord) -> dict[str, Any]:
    referral = flag.recommended_referral
    return {
        "resourceType": "RiskAssessment",
        "id": risk_assessment_id(flag),
        "status": ASSESSMENT_STATUS[FlagStatus(flag.status)],
        "code": {"coding": [{"system": SNOMED, "code": SNOMED_FALL_RISK_ASSESSMENT,
                             "display": "Fall risk assessment"}]},
        "subject": _subject(flag.person_id),
        "occurrenceDateTime": flag.updated_at.isoformat(),
        "prediction": [{
            "outcome": {"coding": [{"system": SNOMED, "code": SNOMED_FALL_EVENT,
                                    "display": "Fall"}]},
            "qualitativeRisk": {"coding": [{"system": RISK_PROBABILITY, "code": flag.risk,
                                            "display": RISK_DISPLAY[flag.risk]}]},
        }],
        "mitigation": f"Recommended referral: {referral}" if referral else "None recommended",
        "note": [{"text": fact} for fact in flag.evidence],
    }


def bundle(flags: list[FlagRecord]) -> dict[str, Any]:
    """A collection Bundle of each flag and its risk assessment."""
    entries = [r for flag in flags for r in (flag_resource(flag), risk_assessment_resource(flag))]
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in entries]}
