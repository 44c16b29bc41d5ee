"""one outbox: the scheduler's planned calls and the dialer's outcomes, retries and
alerts leave through the same table, each publisher relaying its own rows (issue 12)

Revision ID: 0015_one_outbox
Revises: 0014_one_head
Create Date: 2026-12-05 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import services.store.types

revision: str = "0015_one_outbox"
down_revision: str | Sequence[str] | None = "0014_one_head"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = services.store.types.UtcDateTime(timezone=True)


def upgrade() -> None:
    outbox = op.create_table(
        "outbox",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("relay", sa.String(length=16), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("published_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_outbox")),
    )
    op.create_index("ix_outbox_relay_unpublished", "outbox", ["relay", "published_at"])
    bind = op.get_bind()
    # What each old outbox still holds moves across; nothing waiting is lost.
    telephony = sa.table(
        "telephony_outbox",
        sa.column("event_id", sa.Uuid()),
        sa.column("topic", sa.String()),
        sa.column("payload", sa.JSON()),
        sa.column("created_at", UTC_DATETIME),
        sa.column("published_at", UTC_DATETIME),
    )
    rows = [{**row._mapping, "relay": "dialer"} for row in bind.execute(sa.select(telephony))]
    ledger = sa.table(
        "planned_calls",
        sa.column("id", sa.Uuid()),
        sa.column("event", sa.JSON()),
        sa.column("planned_at", UTC_DATETIME),
        sa.column("published_at", UTC_DATETIME),
    )
    rows += [
        {
            "event_id": row.id,
            "relay": "scheduler",
            "topic": "calls.requested",
            "payload": row.event,
            "created_at": row.planned_at,
            "published_at": None,
        }
        for row in bind.execute(sa.select(ledger).where(ledger.c.published_at.is_(None)))
    ]
    if rows:
        op.bulk_insert(outbox, rows)
    op.drop_table("telephony_outbox")
    with op.batch_alter_table("planned_calls") as batch:
        batch.drop_index("ix_planned_calls_published_at")
        batch.drop_column("published_at")
        batch.drop_column("event")


def downgrade() -> None:
    raise NotImplementedError("the outbox cannot be split back; restore from a backup")
