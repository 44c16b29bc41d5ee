"""People's details as CSV, for bulk work (`tecflow people import|export`).

Columns (header row required, any order, extra columns ignored): person_id, name
(required), phone, address, postcode, date_of_birth (YYYY-MM-DD or dd/mm/yyyy),
lives_alone, has_care_package, do_not_call (yes/no, true/false, 1/0; blank: no),
language (blank: en-GB). Consent to automated calls is not here: it has its own history
(`tecflow consent set`). Bad rows are reported by line and field, never by value
(values are personal data). Only the columns in the file change a known person's
details: a file of names and phone numbers leaves their other details alone."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.store.models import Person
from services.store.people import fields_to_change

FLAGS = ("lives_alone", "has_care_package", "do_not_call")
COLUMNS = ("person_id", "name", "phone", "address", "postcode", "date_of_birth", *FLAGS, "language")


class PersonRow(BaseModel):
    person_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=1000)
    postcode: str | None = Field(default=None, max_length=10)
    date_of_birth: date | None = None
    lives_alone: bool = False
    has_care_package: bool = False
    do_not_call: bool = False
    language: str = Field(default="en-GB", max_length=16)

    @field_validator("date_of_birth", mode="before")
    @classmethod
    def _uk_dates(cls, value: Any) -> Any:
        if isinstance(value, str) and "/" in value:
            return datetime.strptime(value, "%d/%m/%Y").date()
        return value

    @field_validator("postcode")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    def details(self, columns: frozenset[str] = frozenset(COLUMNS)) -> dict[str, Any]:
        """The person's details from these columns (`name` is `display_name`)."""
        return {
            ("display_name" if column == "name" else column): getattr(self, column)
            for column in COLUMNS
            if column in columns and column != "person_id"
        }


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class PeopleImport:
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # person -> fields
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass(frozen=True)
class PeopleFile:
    columns: frozenset[str]
    rows: list[tuple[int, PersonRow]]
    errors: list[RowError]


def read_rows(text: str) -> PeopleFile:
    reader = csv.DictReader(io.StringIO(text))
    columns = frozenset(reader.fieldnames or ()) & frozenset(COLUMNS)
    missing = {"person_id", "name"} - columns
    if missing:
        return PeopleFile(
            columns, [], [RowError(1, f"missing column(s): {', '.join(sorted(missing))}")]
        )
    rows, errors = [], []
    for line, raw in enumerate(reader, start=2):
        values = {k: v.strip() for k, v in raw.items() if k in COLUMNS and v and v.strip()}
        try:
            rows.append((line, PersonRow.model_validate(values)))
        except ValidationError as error:
            errors.append(
                RowError(
                    line,
                    "; ".join(
                        f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}"
                        for e in error.errors()
                    ),
                )
            )
    return PeopleFile(columns, rows, errors)


def import_rows(session: Session, people: PeopleFile) -> PeopleImport:
    """Add new people, update the details of known ones; a repeat import changes nothing."""
    result = PeopleImport()
    for _line, row in people.rows:
        person = session.get(Person, row.person_id)
        if person is None:
            session.add(Person(id=row.person_id, **row.details()))
            result.added.append(row.person_id)
            continue
        values = row.details(people.columns)
        changed = fields_to_change(session, row.person_id, values)
        for name in changed:
            setattr(person, name, values[name])
        if changed:
            result.updated[row.person_id] = changed
        else:
            result.unchanged += 1
    return result


def export_rows(session: Session) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for p in session.scalars(select(Person).order_by(Person.id)):
        writer.writerow(
            [
                p.id,
                p.display_name,
                p.phone or "",
                p.address or "",
                p.postcode or "",
                p.date_of_birth.isoformat() if p.date_of_birth else "",
                *("yes" if getattr(p, flag) else "no" for flag in FLAGS),
                p.language,
            ]
        )
    return out.getvalue()
