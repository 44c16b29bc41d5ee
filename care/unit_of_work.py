"""The unit-of-work port: the care record's repositories and one transaction around
them. `care.adapters.sqlalchemy` implements it over the store, `care.adapters.memory`
in memory (for tests and for callers that need no database)."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Collection
from datetime import datetime
from types import TracebackType
from typing import Self

from care.domain.alerts import Alert, AlertChange
from care.domain.audit import AuditEntry
from care.domain.flags import Flag, FlagChange
from care.domain.needs import NeedChange, NeedListEntry
from care.domain.referrals import Referral, ReferralChange
from contracts.codes import ReferralTarget


class AlertRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, alert_id: uuid.UUID) -> Alert | None: ...

    @abc.abstractmethod
    def open_for_key(self, key: str) -> Alert | None:
        """The open (or acknowledged) alert with this key; there is at most one."""

    @abc.abstractmethod
    def open_for_person(self, person_id: str, kind: str) -> list[Alert]:
        """The person's open alerts of this kind."""

    @abc.abstractmethod
    def add(self, alert: Alert) -> None: ...

    @abc.abstractmethod
    def history(self, alert_id: uuid.UUID) -> list[AlertChange]:
        """The alert's committed history, oldest first."""


class FlagRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, flag_id: uuid.UUID) -> Flag | None: ...

    @abc.abstractmethod
    def in_force(self, person_id: str, code: str) -> Flag | None:
        """The person's flag in force (active or reviewed) with this code, newest first."""

    @abc.abstractmethod
    def add(self, flag: Flag) -> None: ...

    @abc.abstractmethod
    def history(self, flag_id: uuid.UUID) -> list[FlagChange]: ...


class ReferralRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, referral_id: uuid.UUID) -> Referral | None: ...

    @abc.abstractmethod
    def open_for(self, person_id: str, target: ReferralTarget) -> Referral | None: ...

    @abc.abstractmethod
    def add(self, referral: Referral) -> None: ...

    @abc.abstractmethod
    def history(self, referral_id: uuid.UUID) -> list[ReferralChange]: ...


class NeedRepository(abc.ABC):
    @abc.abstractmethod
    def for_person(self, person_id: str) -> NeedListEntry | None: ...

    @abc.abstractmethod
    def for_people(self, person_ids: Collection[str]) -> dict[str, NeedListEntry]: ...

    @abc.abstractmethod
    def add(self, entry: NeedListEntry) -> None: ...

    @abc.abstractmethod
    def history(self, person_id: str) -> list[NeedChange]: ...


class PeopleRepository(abc.ABC):
    """The few facts of a person's record the care rules need."""

    @abc.abstractmethod
    def known(self, person_ids: Collection[str]) -> set[str]: ...

    @abc.abstractmethod
    def away_until(self, person_id: str) -> datetime | None:
        """Raises NotFound for a person the record does not hold."""

    @abc.abstractmethod
    def set_away_until(self, person_id: str, until: datetime | None) -> None: ...


class AuditLog(abc.ABC):
    @abc.abstractmethod
    def add(self, entry: AuditEntry) -> None: ...

    @abc.abstractmethod
    def entries(self, person_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The newest entries first, about one person or about everyone."""


class UnitOfWork(abc.ABC):
    """Use as a context manager; nothing is kept unless `commit()` is called."""

    alerts: AlertRepository
    flags: FlagRepository
    referrals: ReferralRepository
    needs: NeedRepository
    people: PeopleRepository
    audit: AuditLog

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def claim(self, consumer: str, event_id: uuid.UUID) -> bool:
        """True the first time `consumer` sees `event_id` in a committed unit of work;
        a redelivered message finds its claim and changes nothing."""

    @abc.abstractmethod
    def commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard what was not committed (a no-op after a commit)."""
