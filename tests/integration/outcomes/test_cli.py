"""`tecflow needs import|export|figures` and `tecflow flags status|fhir` on a real store."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session, sessionmaker

from services.cli import main
from services.settings import get_settings
from services.store.db import transaction
from services.store.models import FlagRecord

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def cli_store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TECFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()


def test_import_export_and_figures(
    add_people: Callable[..., list[str]],
    tmp_path: Path,
) -> None:
    a, b = add_people(2, lives_alone=True)
    recent = (date.today() - timedelta(days=3)).isoformat()
    listed = tmp_path / "rmu-list.csv"
    listed.write_text(
        "person_id,need_level,hours_per_week,waiting_at,assessed_on,waiting_since,status\n"
        f"{a},low,6,home,2026-09-01,2026-09-01,\n"
        f"{b},critical,28,hospital,{recent},{recent},\n"
        f"{a}x,moderate,abc,home,2026-09-01,2026-09-01,\n"
    )
    runner = CliRunner()
    first = runner.invoke(main, ["needs", "import", str(listed), "--by", "rmu:ann"])
    assert first.exit_code == 1
    assert "added 2, updated 0, unchanged 0, rejected 1 row(s)" in first.output
    assert "rmu-list.csv: line 4: hours_per_week: Input should be a valid number" in first.output
    again = runner.invoke(main, ["needs", "import", str(listed)])
    assert "added 0, updated 0, unchanged 2, rejected 1 row(s)" in again.output

    exported = runner.invoke(main, ["needs", "export"])
    assert exported.exit_code == 0, exported.output
    mine = [r for r in csv.DictReader(io.StringIO(exported.output)) if r["person_id"] in (a, b)]
    assert [r["person_id"] for r in mine] == [b, a]  # critical before low
    assert (mine[0]["waiting_at"], mine[0]["lives_alone"]) == ("hospital", "yes")

    figures = runner.invoke(main, ["needs", "figures", "--on", date.today().isoformat()])
    assert figures.exit_code == 0, figures.output
    assert figures.output.startswith(f"Unmet need on {date.today():%Y-%m-%d}")
    assert "people waiting:" in figures.output and "in hospital:" in figures.output


def test_flag_status_changes_and_fhir_bundle(
    session_factory: sessionmaker[Session],
    add_people: Callable[..., list[str]],
) -> None:
    [who] = add_people(1)
    flag_id = uuid.uuid4()
    with transaction(session_factory) as session:
        session.add(
            FlagRecord(
                id=flag_id,
                person_id=who,
                code="129839007",
                status="active",
                evidence=["2026-11-24 falls prevention call: has fallen in the past year"],
                recommended_referral="strength_and_balance",
                raised_at=datetime(2026, 11, 24, tzinfo=UTC),
            )
        )
    runner = CliRunner()
    reviewed = runner.invoke(
        main,
        [
            "flags",
            "status",
            str(flag_id),
            "resolved",
            "--by",
            "H0042",
            "--reason",
            "attends falls classes",
        ],
    )
    assert reviewed.exit_code == 0, reviewed.output
    refused = runner.invoke(
        main, ["flags", "status", str(flag_id), "reviewed", "--by", "H0042", "--reason", "again"]
    )
    assert refused.exit_code == 1
    assert "a resolved flag cannot become reviewed" in refused.output

    exported = runner.invoke(main, ["flags", "fhir", "--person", who])
    assert exported.exit_code == 0, exported.output
    document = json.loads(exported.output)
    Bundle.model_validate(document)
    flag, assessment = (e["resource"] for e in document["entry"])
    assert (flag["resourceType"], flag["status"]) == ("Flag", "inactive")
    assert "prediction" not in assessment  # no grade leaves the store (NICE NG249)
    assert assessment["mitigation"] == "Referral suggested: a strength and balance programme"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("person_id,severity\nP1,low\n".encode("utf-16"), "is not UTF-8 text"),
        (b"person_id,severity\nP1\x00,low\n", "holds NUL characters"),
    ],
    ids=["utf-16", "nul"],
)
def test_an_unreadable_needs_file_is_refused_plainly(
    tmp_path: Path, content: bytes, message: str
) -> None:
    listed = tmp_path / "list.csv"
    listed.write_bytes(content)
    result = CliRunner().invoke(main, ["needs", "import", str(listed)])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_campaign_input_never_reaches_the_store_as_a_traceback() -> None:
    for campaign_id, name in (("x" * 65, "long"), ("nul\x00id", "nul"), ("ok-id", "a\x00b")):
        result = CliRunner().invoke(
            main,
            [
                "campaigns",
                "add",
                campaign_id,
                "--name",
                name,
                "--script",
                "welfare_check",
                "--cohort",
                "everyone",
            ],
        )
        assert result.exit_code == 1, result.output
        assert "printable characters" in result.output
        assert isinstance(result.exception, SystemExit)
