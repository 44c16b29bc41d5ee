"""The unit of work in memory: the same rules with no database, for tests (and any
caller that wants to try a command). Uncommitted changes are discarded, as in the store."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from care.domain.alerts import Alert, AlertChange
from care.domain.audit import AuditEntry
from care.domain.flags import Flag, FlagChange
from care.domain.needs import NeedChange, NeedListEntry
from care.domain.referrals import Referral, ReferralChange
from care.errors import NotFound
from care.unit_of_work import (
    AlertRepository,
    AuditLog,
    FlagRepository,
    NeedRepository,
    PeopleRepository,
    ReferralRepository,
    UnitOfWork,
)
from contracts.codes import ReferralTarget


@dataclass
class Tables:
    """What the store would hold."""

    alerts: dict[uuid.UUID, Alert] = field(default_factory=dict)
    alert_history: dict[uuid.UUID, list[AlertChange]] = field(default_factory=dict)
    flags: dict[uuid.UUID, Flag] = field(default_factory=dict)
    flag_history: dict[uuid.UUID, list[FlagChange]] = field(default_factory=dict)
    referrals: dict[uuid.UUID, Referral] = field(default_factory=dict)
    referral_history: dict[uuid.UUID, list[ReferralChange]] = field(default_factory=dict)
    needs: dict[str, NeedListEntry] = field(default_factory=dict)
    need_history: dict[str, list[NeedChange]] = field(default_factory=dict)
    people: dict[str, datetime | None] = field(default_factory=dict)  # id -> away until
    audit: list[AuditEntry] = field(default_factory=list)
    claims: set[tuple[str, uuid.UUID]] = field(default_factory=set)

    def keep_changes(self) -> None:
        """Move each record's pending changes into its history, as a commit does."""
        for alert in self.alerts.values():
            self.alert_history.setdefault(alert.id, []).extend(alert.changes)
            alert.changes.clear()
        for flag in self.flags.values():
            self.flag_history.setdefault(flag.id, []).extend(flag.changes)
            flag.changes.clear()
        for referral in self.referrals.values():
            self.referral_history.setdefault(referral.id, []).extend(referral.changes)
            referral.changes.clear()
        for i, entry in enumerate(self.needs.values(), start=1):
            entry.id = entry.id or i
            self.need_history.setdefault(entry.person_id, []).extend(entry.changes)
            entry.changes.clear()


class InMemoryAlerts(AlertRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def get(self, alert_id: uuid.UUID) -> Alert | None:
        return self._tables.alerts.get(alert_id)

    def open_for_key(self, key: str) -> Alert | None:
        return next((a for a in self._tables.alerts.values() if a.key == key and a.is_open), None)

    def open_for_person(self, person_id: str, kind: str) -> list[Alert]:
        return [
            a
            for a in self._tables.alerts.values()
            if a.person_id == person_id and a.kind == kind and a.is_open
        ]

    def add(self, alert: Alert) -> None:
        self._tables.alerts[alert.id] = alert

    def history(self, alert_id: uuid.UUID) -> list[AlertChange]:
        return list(self._tables.alert_history.get(alert_id, []))


class InMemoryFlags(FlagRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def get(self, flag_id: uuid.UUID) -> Flag | None:
        return self._tables.flags.get(flag_id)

    def in_force(self, person_id: str, code: str) -> Flag | None:
        found = [
            f
            for f in self._tables.flags.values()
            if f.person_id == person_id and f.code == code and f.in_force
        ]
        return max(found, key=lambda f: f.raised_at, default=None)

    def add(self, flag: Flag) -> None:
        self._tables.flags[flag.id] = flag

    def history(self, flag_id: uuid.UUID) -> list[FlagChange]:
        return list(self._tables.flag_history.get(flag_id, []))


class InMemoryReferrals(ReferralRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def get(self, referral_id: uuid.UUID) -> Referral | None:
        return self._tables.referrals.get(referral_id)

    def open_for(self, person_id: str, target: ReferralTarget) -> Referral | None:
        return next(
            (
                r
                for r in self._tables.referrals.values()
                if r.person_id == person_id and r.target is target and r.is_open
            ),
            None,
        )

    def add(self, referral: Referral) -> None:
        self._tables.referrals[referral.id] = referral

    def history(self, referral_id: uuid.UUID) -> list[ReferralChange]:
        return list(self._tables.referral_history.get(referral_id, []))


class InMemoryNeeds(NeedRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def for_person(self, person_id: str) -> NeedListEntry | None:
        return self._tables.needs.get(person_id)

    def for_people(self, person_ids: Collection[str]) -> dict[str, NeedListEntry]:
        return {p: self._tables.needs[p] for p in person_ids if p in self._tables.needs}

    def add(self, entry: NeedListEntry) -> None:
        self._tables.needs[entry.person_id] = entry

    def history(self, person_id: str) -> list[NeedChange]:
        return list(self._tables.need_history.get(person_id, []))


class InMemoryPeople(PeopleRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def known(self, person_ids: Collection[str]) -> set[str]:
        return set(person_ids) & set(self._tables.people)

    def away_until(self, person_id: str) -> datetime | None:
        if person_id not in self._tables.people:
            raise NotFound(f"no person {person_id}")
        return self._tables.people[person_id]

    def set_away_until(self, person_id: str, until: datetime | None) -> None:
        self.away_until(person_id)
        self._tables.people[person_id] = until


class InMemoryAuditLog(AuditLog):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def add(self, entry: AuditEntry) -> None:
        self._tables.audit.append(entry)

    def entries(self, person_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        return [
            e for e in reversed(self._tables.audit) if person_id is None or e.person_id == person_id
        ][:limit]


class InMemoryUnitOfWork(UnitOfWork):
    def __init__(self, people: Collection[str] = ()) -> None:
        self.tables = Tables(people=dict.fromkeys(people))  # committed
        self.commits = 0
        self._working = Tables()

    def __enter__(self) -> Self:
        self._working = copy.deepcopy(self.tables)
        self.alerts = InMemoryAlerts(self._working)
        self.flags = InMemoryFlags(self._working)
        self.referrals = InMemoryReferrals(self._working)
        self.needs = InMemoryNeeds(self._working)
        self.people = InMemoryPeople(self._working)
        self.audit = InMemoryAuditLog(self._working)
        return super().__enter__()

    def __exit__(self, *args: Any) -> None:
        super().__exit__(*args)

    def add_people(self, *person_ids: str) -> None:
        """People on the record (the store holds them before any care record is kept)."""
        self.tables.people.update(dict.fromkeys(person_ids))

    def claim(self, consumer: str, event_id: uuid.UUID) -> bool:
        if (consumer, event_id) in self._working.claims:
            return False
        self._working.claims.add((consumer, event_id))
        return True

    def commit(self) -> None:
        self._working.keep_changes()
        self.tables = self._working
        self._working = copy.deepcopy(self.tables)
        self.commits += 1

    def rollback(self) -> None:
        self._working = copy.deepcopy(self.tables)
