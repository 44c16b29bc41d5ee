"""one head again; falls flags keep their facts and referral, never a grade (NICE NG249)

Merges the care-history and console-accounts branches, and drops the qualitative risk
level ("high/moderate/low") from flags and their history: the answers are the evidence,
the referral says what to do, and no grade of a person's falls risk is kept (hazard H12).

Revision ID: 0014_one_head
Revises: 0009_care_history, 0013_console_accounts
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_one_head"
down_revision: str | Sequence[str] | None = ("0009_care_history", "0013_console_accounts")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # batch mode: SQLite rebuilds the table to drop a column.
    for table in ("flags", "flag_history"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("risk")


def downgrade() -> None:
    # The grade cannot be recovered; an older release reads "low" for every flag.
    for table in ("flags", "flag_history"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("risk", sa.String(length=16), nullable=False, server_default="low")
            )
