"""Deciding suggestions: who may, where an accepted one landed, a thread for each, rounds
that wait for them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite does it in place, where a batch would copy the tables others
    # refer to.
    op.add_column(
        "statement",
        sa.Column(
            "suggestions_decided_by", sa.String(length=20), nullable=False, server_default="editors"
        ),
    )
    op.add_column("suggestion", sa.Column("applied_rev", sa.Integer(), nullable=True))
    # No foreign key, which SQLite cannot add in place: suggestions are never deleted but
    # with their statement, which takes its threads with it.
    op.add_column("thread", sa.Column("suggestion_id", sa.Integer(), nullable=True))
    op.create_index("uq_thread_suggestion", "thread", ["suggestion_id"], unique=True)
    op.add_column(
        "review_round",
        sa.Column("suggestions_settled", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("review_round", "suggestions_settled")
    op.drop_index("uq_thread_suggestion", table_name="thread")
    op.drop_column("thread", "suggestion_id")
    op.drop_column("suggestion", "applied_rev")
    op.drop_column("statement", "suggestions_decided_by")
