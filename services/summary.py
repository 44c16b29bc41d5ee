"""The live summary line of `tecflow up`: what the platform has done, read from the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from services.store.db import transaction
from services.store.models import (
    AlertRecord,
    Base,
    Call,
    DeviceEventRecord,
    FlagRecord,
    UnmetNeed,
)


@dataclass(frozen=True)
class Figures:
    at: datetime
    events: int
    open_alerts: int
    oldest_open: datetime | None
    calls_placed: int
    calls_answered: int
    flags: int
    waiting: int


def _count(session: Session, model: type[Base], *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def read_figures(factory: sessionmaker[Session]) -> Figures:
    with transaction(factory) as session:
        open_alerts, oldest = session.execute(
            select(func.count(), func.min(AlertRecord.raised_at)).where(
                AlertRecord.status == "open"
            )
        ).one()
        return Figures(
            at=datetime.now(UTC),
            events=_count(session, DeviceEventRecord),
            open_alerts=open_alerts,
            oldest_open=oldest,
            calls_placed=_count(session, Call, Call.status != "requested"),
            calls_answered=_count(session, Call, Call.answered_by == "human"),
            flags=_count(session, FlagRecord),
            waiting=_count(session, UnmetNeed, UnmetNeed.active.is_(True)),
        )


def _age(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since.replace(tzinfo=since.tzinfo or UTC)).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def summary_line(now: Figures, before: Figures | None) -> str:
    """One line: events/s since `before`, open alerts and the oldest's age, calls placed
    and answered, flags raised, people waiting for care."""
    rate = 0.0
    if before is not None and now.at > before.at:
        rate = (now.events - before.events) / (now.at - before.at).total_seconds()
    oldest = f" (oldest {_age(now.oldest_open, now.at)})" if now.oldest_open else ""
    return (
        f"{rate:6.1f} events/s | {now.open_alerts} open alerts{oldest} | calls "
        f"{now.calls_placed} placed, {now.calls_answered} answered | {now.flags} flags | "
        f"{now.waiting} waiting for care"
    )
