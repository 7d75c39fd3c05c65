"""Snapshots of the text, and finding a resent change by its sender's client id and seq.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:28:38.170662
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "snapshot",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_snapshot_statement_id_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("statement_id", "rev", name=op.f("pk_snapshot")),
    )
    with op.batch_alter_table("operation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_operation_client", ["statement_id", "client_id", "seq"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("operation", schema=None) as batch_op:
        batch_op.drop_index("ix_operation_client")

    op.drop_table("snapshot")
