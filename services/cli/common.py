"""What the command modules share: settings, the store, a clean stop on SIGTERM."""

from __future__ import annotations

from types import FrameType
from typing import TYPE_CHECKING

from services.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def cli_settings() -> Settings:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def store_factory() -> sessionmaker[Session]:
    from services.store.db import make_engine, make_session_factory

    return make_session_factory(make_engine(cli_settings().sqlalchemy_url))


def raise_keyboard_interrupt(_signum: int, _frame: FrameType | None) -> None:
    # SIGTERM (docker stop, systemd, the test harness) takes the same clean path as Ctrl-C.
    raise KeyboardInterrupt
