"""tests/unit/care/test_flags.py on the store, SQLite and PostgreSQL (the `uow` fixture
of this folder's conftest): the same behaviours, with the real tables and constraints."""

from tests.unit.care.test_flags import *  # noqa: F403
