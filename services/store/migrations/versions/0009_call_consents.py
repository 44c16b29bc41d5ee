"""call consents: consent to automated calls, given or withdrawn, by whom and when (issue 17)

Revision ID: 0009_call_consents
Revises: 0008_care_record
Create Date: 2026-12-04 22:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0009_call_consents"
down_revision: str | Sequence[str] | None = "0008_care_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "call_consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("consent", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", services.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("how", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_call_consents_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_consents")),
    )
    with op.batch_alter_table("call_consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_consents_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_consents_person_id"))
    op.drop_table("call_consents")
