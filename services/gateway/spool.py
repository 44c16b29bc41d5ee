"""A disk spool for messages the broker could not take: an SQLite file in the data dir,
each append committed with a full fsync, read back oldest first."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from services.store.db import owner_only


@dataclass(frozen=True)
class Spooled:
    seq: int
    topic: str
    key: bytes | None
    value: bytes


class Spool:
    """One lane's queue, used from the lane's send and replay threads (hence the lock)."""

    def __init__(self, path: Path, lane: str) -> None:
        # Spooled messages name people: the file (and so its WAL, which SQLite creates
        # with the same mode) is readable by the gateway's user only.
        owner_only(path)
        self._lane = lane
        self._lock = threading.Lock()
        # Autocommit: each statement is its own transaction, durable when it returns.
        self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        # FULL: every commit is fsynced, so an accepted alarm survives a power cut.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "lane TEXT NOT NULL, topic TEXT NOT NULL, key BLOB, value BLOB NOT NULL)"
        )
        self._closed = False
        # Kept in memory (every send asks): this lane's rows, counted once at open.
        (self._count,) = self._db.execute(
            "SELECT count(*) FROM spool WHERE lane = ?", (lane,)
        ).fetchone()

    def append(self, topic: str, key: bytes | None, value: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO spool (lane, topic, key, value) VALUES (?, ?, ?, ?)",
                (self._lane, topic, key, value),
            )
            self._count += 1

    def head(self, limit: int = 100) -> list[Spooled]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, topic, key, value FROM spool WHERE lane = ? ORDER BY seq LIMIT ?",
                (self._lane, limit),
            ).fetchall()
        return [Spooled(*row) for row in rows]

    def remove(self, seq: int) -> None:
        with self._lock:
            if self._db.execute("DELETE FROM spool WHERE seq = ?", (seq,)).rowcount:
                self._count -= 1

    def compact(self) -> None:
        """Once replayed: nothing sent stays in the file or its WAL (they held alarms)."""
        with self._lock:
            (left,) = self._db.execute("SELECT count(*) FROM spool").fetchone()
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if not left:
                self._db.execute("VACUUM")
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __len__(self) -> int:
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
            return int(self._count)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._db.close()
