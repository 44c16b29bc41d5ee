"""A falls flag as HL7 FHIR R4 resources: a `Flag` (category safety, SNOMED CT 129839007
"At increased risk for falls") and a `RiskAssessment` recording the case finding: the
answers and device facts it rests on (notes) and the referral it suggests (mitigation).

It has no prediction at all: no probability, no qualitative risk, no grade. NICE NG249
(2025) advises against falls-risk prediction tools: the questions find people to refer
for a multifactorial falls assessment, they do not predict (hazard H12). Plain dicts in
FHIR JSON; tests validate them with the `fhir.resources` models."""

from __future__ import annotations

import uuid
from typing import Any

from contracts.codes import SNOMED_AT_RISK_OF_FALLS, SNOMED_FALL_RISK_ASSESSMENT, FlagStatus
from services.store.models import FlagRecord

FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
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
REFERRAL_WORDS = {
    "falls_team": "the falls team, for a multifactorial falls assessment",
    "ot": "occupational therapy",
    "strength_and_balance": "a strength and balance programme",
    "ilrt": "the Independent Living Review Team",
}


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
        "category": [
            {"coding": [{"system": FLAG_CATEGORY, "code": "safety", "display": "Safety"}]}
        ],
        "code": {
            "coding": [
                {
                    "system": SNOMED,
                    "code": flag.code or SNOMED_AT_RISK_OF_FALLS,
                    "display": "At increased risk for falls",
                }
            ],
            "text": "At risk of falls",
        },
        "subject": _subject(flag.person_id),
        "period": period,
    }


def risk_assessment_id(flag: FlagRecord) -> str:
    return str(uuid.uuid5(flag.id, "RiskAssessment"))


def risk_assessment_resource(flag: FlagRecord) -> dict[str, Any]:
    """The case finding behind the flag: its facts and the referral they call for.
    Deliberately without `prediction`: tecflow keeps no grade of falls risk (hazard H12)."""
    referral = flag.recommended_referral
    suggested = REFERRAL_WORDS.get(referral, referral) if referral else None
    return {
        "resourceType": "RiskAssessment",
        "id": risk_assessment_id(flag),
        "status": ASSESSMENT_STATUS[FlagStatus(flag.status)],
        "code": {
            "coding": [
                {
                    "system": SNOMED,
                    "code": SNOMED_FALL_RISK_ASSESSMENT,
                    "display": "Fall risk assessment",
                }
            ],
            "text": "Falls case finding (questions and device history)",
        },
        "subject": _subject(flag.person_id),
        "occurrenceDateTime": flag.updated_at.isoformat(),
        "mitigation": f"Referral suggested: {suggested}" if suggested else "None suggested",
        "note": [{"text": fact} for fact in flag.evidence],
    }


def bundle(flags: list[FlagRecord]) -> dict[str, Any]:
    """A collection Bundle of each flag and its risk assessment."""
    entries = [r for flag in flags for r in (flag_resource(flag), risk_assessment_resource(flag))]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in entries],
    }
