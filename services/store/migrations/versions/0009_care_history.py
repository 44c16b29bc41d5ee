"""care record: referral history, and the key of each fact of a flag's evidence

Revision ID: 0009_care_history
Revises: 0008_care_record
Create Date: 2026-12-04 22:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0009_care_history"
down_revision: str | Sequence[str] | None = "0008_care_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "referral_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("changed_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_history_referral_id_referrals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_history")),
    )
    with op.batch_alter_table("referral_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_history_referral_id"), ["referral_id"], unique=False
        )

    # Flags raised before facts had keys: each fact is its own key (care/domain/flags.py).
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("evidence_keys", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_column("evidence_keys")

    with op.batch_alter_table("referral_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_history_referral_id"))

    op.drop_table("referral_history")
