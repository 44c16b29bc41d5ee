"""The migrations stay in one line: a second head means two branches each added one
without the other, and `tecflow db upgrade` would have to guess their order."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from services.store.migrate import alembic_config


def test_the_migrations_have_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"several heads {heads}: revise the newest migration onto main's"
