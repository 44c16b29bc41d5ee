"""`tecflow people import|export`: bulk details, bad rows by line, audited."""

from __future__ import annotations

import uuid
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.cli import main
from services.store.models import AuditRecord, Person


def test_import_then_export_people(
    tmp_path: Path, sqlite_url: str, console_factory: sessionmaker[Session]
) -> None:
    first, second = (f"PC{uuid.uuid4().hex[:6]}" for _ in range(2))
    csv = tmp_path / "people.csv"
    csv.write_text(
        "person_id,name,phone,postcode,date_of_birth,lives_alone,do_not_call\n"
        f"{first},Ella Grant,+441382000001,dd1 4hn,12/03/1937,yes,no\n"
        f"{second},Ian Shaw,,DD2 1AB,1941-07-30,no,yes\n"
        "bad id!,Nobody,,,,,\n"
        f"{first}x,,,,,,\n",
        encoding="utf-8",
    )
    env = {"TECFLOW_DATABASE_URL": sqlite_url}
    result = CliRunner().invoke(main, ["people", "import", str(csv), "--by", "pat"], env=env)
    assert result.exit_code == 1
    assert "added 2, updated 0, unchanged 0, rejected 2 row(s)" in result.output
    assert "line 4: person_id" in result.output and "line 5: name" in result.output
    assert "Nobody" not in result.output  # reasons name fields, never values

    with console_factory() as session:
        ella = session.get(Person, first)
        assert ella is not None and ella.postcode == "DD1 4HN" and ella.lives_alone
        assert session.get(Person, second).do_not_call  # type: ignore[union-attr]

    again = CliRunner().invoke(main, ["people", "import", str(csv), "--by", "pat"], env=env)
    assert "added 0, updated 0, unchanged 2" in again.output

    csv.write_text(f"person_id,name,phone\n{first},Ella Grant,+441382000002\n")
    CliRunner().invoke(main, ["people", "import", str(csv), "--by", "pat"], env=env)
    with console_factory() as session:
        audit = session.execute(
            select(AuditRecord.action, AuditRecord.detail)
            .where(AuditRecord.person_id == first)
            .order_by(AuditRecord.id)
        ).all()
    assert [(a, d) for a, d in audit] == [
        ("add_person", {}),
        ("change_details", {"fields": ["phone"]}),
    ]  # the other details stay

    out = tmp_path / "out.csv"
    exported = CliRunner().invoke(
        main, ["people", "export", "--out", str(out), "--by", "pat"], env=env
    )
    assert exported.exit_code == 0
    assert f"{second},Ian Shaw,,,DD2 1AB,1941-07-30,no,no,yes,en-GB" in out.read_text()


def test_care_record_changes_in_bulk(
    tmp_path: Path, sqlite_url: str, console_factory: sessionmaker[Session]
) -> None:
    """`tecflow people changes`: away mode, closing the need entry and referrals through
    the care-record handlers, each audited; a refused row is reported by line."""
    from datetime import date, timedelta

    from services.store.models import ReferralRecord
    from tests.support.needs import seed_needs

    [waiting] = seed_needs(console_factory, [("Ann Wait", "moderate", "home", 9, "unknown")])
    back = date.today() + timedelta(days=3)
    csv = tmp_path / "changes.csv"
    csv.write_text(
        "person_id,change,value,reason\n"
        f"{waiting},away,{back},with family\n"
        f"{waiting},close_need,,care package started\n"
        f"{waiting},refer,community_meals,not eating well\n"
        f"{waiting},refer,community_meals,again\n"
        "PNOBODY,refer,ot,mistyped\n"
        f"{waiting},paint,,x\n"
        f"{waiting},close_need,,\n",
        encoding="utf-8",
    )
    env = {"TECFLOW_DATABASE_URL": sqlite_url}
    result = CliRunner().invoke(main, ["people", "changes", str(csv), "--by", "pat"], env=env)
    assert result.exit_code == 1, result.output
    assert "made 3, unchanged 1, refused 3" in result.output
    for line in (6, 7, 8):
        assert f"changes.csv:{line}:" in result.output
    with console_factory() as session:
        person = session.get(Person, waiting)
        assert person is not None and person.away_until is not None
        assert person.away_until.date() == back
        targets = session.scalars(
            select(ReferralRecord.target).where(ReferralRecord.person_id == waiting)
        ).all()
        assert targets == ["community_meals"]
        assert (
            session.scalars(
                select(ReferralRecord).where(ReferralRecord.person_id == "PNOBODY")
            ).all()
            == []
        )
        actions = set(
            session.scalars(select(AuditRecord.action).where(AuditRecord.person_id == waiting))
        )
    assert {"set_away_mode", "close_need_entry", "suggest_referral"} <= actions
