"""Accepting suggestions: who may decide, where an accepted one landed, rounds that wait

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
    op.add_column(
        "review_round",
        sa.Column("suggestions_settled", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("review_round", "suggestions_settled")
    op.drop_column("suggestion", "applied_rev")
    op.drop_column("statement", "suggestions_decided_by")
