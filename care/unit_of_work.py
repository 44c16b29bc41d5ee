"""The unit-of-work port: the care record's repositories and one transaction around
them. `care.adapters.sqlalchemy` implements it over the store, `care.adapters.memory`
in memory (for tests and for callers that need no database)."""

from __future__ import annotations

import abc
import uuid
from types import TracebackType
from typing import Self

from care.domain.alerts import Alert, AlertChange
from care.domain.audit import AuditEntry


class AlertRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, alert_id: uuid.UUID) -> Alert | None: ...

    @abc.abstractmethod
    def open_for_key(self, key: str) -> Alert | None:
        """The open (or acknowledged) alert with this key; there is at most one."""

    @abc.abstractmethod
    def add(self, alert: Alert) -> None: ...

    @abc.abstractmethod
    def history(self, alert_id: uuid.UUID) -> list[AlertChange]:
        """The alert's committed history, oldest first."""


class AuditLog(abc.ABC):
    @abc.abstractmethod
    def add(self, entry: AuditEntry) -> None: ...

    @abc.abstractmethod
    def entries(self, person_id: str | None = None, limit: int = 200) -> list[AuditEntry]:
        """The newest entries first, about one person or about everyone."""


class UnitOfWork(abc.ABC):
    """Use as a context manager; nothing is kept unless `commit()` is called."""

    alerts: AlertRepository
    audit: AuditLog

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
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
