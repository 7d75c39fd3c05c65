"""Sections: the layouts that name them from text to text, locks on agreed ones, and stances
on one section, carried from round to round while its text stays

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("superseded_at IS NULL")
ACTIVE = sa.text("unlocked_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "section_layout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["statement.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("statement_id", "version_number"),
    )
    op.create_table(
        "section_lock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("preamble", sa.Boolean(), nullable=False),
        sa.Column("locked_by", sa.Integer(), nullable=True),
        sa.Column("locked_at", sa.DateTime(), nullable=False),
        sa.Column("unlocked_by", sa.Integer(), nullable=True),
        sa.Column("unlocked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["statement_id"], ["statement.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["locked_by"], ["user.id"]),
        sa.ForeignKeyConstraint(["unlocked_by"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_section_lock_statement_id", "section_lock", ["statement_id"])
    op.create_index(
        "uq_section_lock_active",
        "section_lock",
        ["statement_id", "section"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.add_column(
        "stance", sa.Column("section", sa.String(length=64), nullable=False, server_default="")
    )
    op.add_column("stance", sa.Column("carried_from", sa.Integer(), nullable=True))
    op.drop_index("uq_stance_current", table_name="stance")
    op.create_index(
        "uq_stance_current",
        "stance",
        ["round_id", "user_id", "section"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("uq_stance_current", table_name="stance")
    op.execute("DELETE FROM stance WHERE section <> ''")
    op.create_index(
        "uq_stance_current",
        "stance",
        ["round_id", "user_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    with op.batch_alter_table("stance") as batch:
        batch.drop_column("carried_from")
        batch.drop_column("section")
    op.drop_index("uq_section_lock_active", table_name="section_lock")
    op.drop_index("ix_section_lock_statement_id", table_name="section_lock")
    op.drop_table("section_lock")
    op.drop_table("section_layout")
