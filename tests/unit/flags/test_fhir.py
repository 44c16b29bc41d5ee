"""Flags export as FHIR R4 Flag and RiskAssessment resources that a FHIR library accepts.

fhir.resources ships R4B (4.3.0) for the R4 line; Flag and RiskAssessment did not change
between R4 (4.0.1) and R4B, so its models validate R4 resources of these two types."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.flag import Flag as FhirFlag
from fhir.resources.R4B.riskassessment import RiskAssessment
from pydantic import ValidationError

from contracts.codes import FlagStatus
from services.flags.fhir import bundle, flag_resource, risk_assessment_resource
from services.store.models import FlagRecord

T = TypeVar("T")


def first(items: Sequence[T] | None) -> T:
    assert items
    return items[0]


def record(status: FlagStatus = FlagStatus.ACTIVE) -> FlagRecord:
    return FlagRecord(
        id=uuid.UUID("0b5d6a1e-7f49-4c0e-9d0e-2b8b1f0d5c11"),
        person_id="P000042",
        code="129839007",
        status=status.value,
        evidence=[
            "2026-11-24 falls prevention call: has fallen two or more times in 12 months",
            "1 fall-detector alarm(s) in the last 12 months",
        ],
        recommended_referral="falls_team",
        raised_at=datetime(2026, 11, 24, 10, 30, tzinfo=UTC),
        updated_at=datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
    )


def test_an_active_flag_is_a_valid_fhir_safety_flag_for_falls_risk() -> None:
    flag = FhirFlag.model_validate(flag_resource(record()))
    assert flag.status == "active"
    category = first(first(flag.category).coding)
    assert (category.system, category.code) == (
        "http://terminology.hl7.org/CodeSystem/flag-category",
        "safety",
    )
    code = first(flag.code.coding)
    assert (code.system, code.code) == ("http://snomed.info/sct", "129839007")
    assert flag.subject.identifier is not None
    assert flag.subject.identifier.value == "P000042"
    assert flag.period is not None and flag.period.end is None


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (FlagStatus.REVIEWED, "active"),
        (FlagStatus.RESOLVED, "inactive"),
        (FlagStatus.ENTERED_IN_ERROR, "entered-in-error"),
    ],
)
def test_the_lifecycle_maps_onto_fhir_flag_status(status: FlagStatus, fhir_status: str) -> None:
    flag = FhirFlag.model_validate(flag_resource(record(status)))
    assert flag.status == fhir_status
    assert flag.period is not None
    assert (flag.period.end is not None) is (status is FlagStatus.RESOLVED)


def test_the_fhir_export_carries_no_risk_grade_or_probability() -> None:
    """H12 (NICE NG249): the case finding states its evidence and the referral it
    suggests; tecflow keeps no grade of falls risk, so none can leave in the export."""
    flag = record()
    assert not hasattr(flag, "risk")  # the store holds no grade to leak
    document = bundle([flag])
    Bundle.model_validate(document)
    resource = risk_assessment_resource(flag)
    assessment = RiskAssessment.model_validate(resource)
    assert assessment.prediction is None and "prediction" not in resource
    assert [n.text for n in assessment.note or ()] == record().evidence
    assert assessment.mitigation == (
        "Referral suggested: the falls team, for a multifactorial falls assessment"
    )
    text = json.dumps(document).casefold()
    for word in (
        "qualitativerisk",
        "probability",
        "risk-probability",
        "likelihood",
        '"high"',
        '"moderate"',
        '"low"',
        "relativerisk",
        "score",
    ):
        assert word not in text, word


def test_a_bundle_of_flags_validates_and_a_flag_without_its_code_does_not() -> None:
    Bundle.model_validate(bundle([record(), record(FlagStatus.RESOLVED)]))
    without_code = {k: v for k, v in flag_resource(record()).items() if k != "code"}
    with pytest.raises(ValidationError, match="code"):
        FhirFlag.model_validate(without_code)
