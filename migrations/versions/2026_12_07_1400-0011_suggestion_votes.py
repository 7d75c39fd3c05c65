"""Amendments: votes on suggestions, one current vote per person each, and the tally kept with
a suggestion once its vote closes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("superseded_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "suggestion_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["suggestion_id"], ["suggestion.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suggestion_vote_suggestion_id", "suggestion_vote", ["suggestion_id"])
    op.create_index(
        "uq_suggestion_vote_current",
        "suggestion_vote",
        ["suggestion_id", "user_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    # Plain ADD COLUMN: SQLite does it in place, where a batch would copy the table.
    op.add_column("suggestion", sa.Column("tally", sa.JSON(none_as_null=True), nullable=True))


def downgrade() -> None:
    op.drop_column("suggestion", "tally")
    op.drop_index("uq_suggestion_vote_current", table_name="suggestion_vote")
    op.drop_index("ix_suggestion_vote_suggestion_id", table_name="suggestion_vote")
    op.drop_table("suggestion_vote")
