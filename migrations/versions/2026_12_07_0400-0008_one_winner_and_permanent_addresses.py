"""One open review round per statement, one current stance per person and round, and the
addresses publications were shown at, kept for good

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:00:00.000000
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("closed_at IS NULL")
CURRENT = sa.text("superseded_at IS NULL")

rounds = sa.table(
    "review_round",
    sa.column("id", sa.Integer),
    sa.column("statement_id", sa.Integer),
    sa.column("version_number", sa.Integer),
    sa.column("opened_at", sa.DateTime),
    sa.column("closed_at", sa.DateTime),
    sa.column("approved", sa.Boolean),
)
stances = sa.table(
    "stance",
    sa.column("id", sa.Integer),
    sa.column("round_id", sa.Integer),
    sa.column("user_id", sa.Integer),
    sa.column("recorded_at", sa.DateTime),
    sa.column("superseded_at", sa.DateTime),
)
events = sa.table(
    "audit_event",
    sa.column("statement_id", sa.Integer),
    sa.column("actor_id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("data", sa.JSON),
    sa.column("at", sa.DateTime),
)


def _close_older_open_rounds(bind: sa.Connection) -> None:
    """Where a statement has several open rounds, keep the newest open and close the others,
    not approved, as of the moment the newest opened (as a round closes when its date passes:
    by itself, in the audit log)."""
    found = bind.execute(
        sa.select(rounds.c.id, rounds.c.statement_id, rounds.c.version_number, rounds.c.opened_at)
        .where(rounds.c.closed_at.is_(None))
        .order_by(rounds.c.statement_id, rounds.c.opened_at.desc(), rounds.c.id.desc())
    ).all()
    newest: dict[int, datetime] = {}
    for round_id, statement_id, number, opened_at in found:
        if statement_id not in newest:
            newest[statement_id] = opened_at
            continue
        closed_at = newest[statement_id]
        bind.execute(
            rounds.update()
            .where(rounds.c.id == round_id)
            .values(closed_at=closed_at, approved=False)
        )
        bind.execute(
            events.insert().values(
                statement_id=statement_id,
                actor_id=None,
                kind="round.closed",
                data={"round_id": round_id, "number": number, "approved": False},
                at=closed_at,
            )
        )


def _supersede_older_current_stances(bind: sa.Connection) -> None:
    """Where a person has several current stances in a round, keep the newest current and
    mark the others superseded when it was recorded."""
    found = bind.execute(
        sa.select(stances.c.id, stances.c.round_id, stances.c.user_id, stances.c.recorded_at)
        .where(stances.c.superseded_at.is_(None))
        .order_by(
            stances.c.round_id,
            stances.c.user_id,
            stances.c.recorded_at.desc(),
            stances.c.id.desc(),
        )
    ).all()
    newest: dict[tuple[int, int], datetime] = {}
    for stance_id, round_id, user_id, recorded_at in found:
        if (round_id, user_id) not in newest:
            newest[round_id, user_id] = recorded_at
            continue
        bind.execute(
            stances.update()
            .where(stances.c.id == stance_id)
            .values(superseded_at=newest[round_id, user_id])
        )


def upgrade() -> None:
    bind = op.get_bind()
    _close_older_open_rounds(bind)
    _supersede_older_current_stances(bind)
    op.create_index(
        "uq_review_round_open",
        "review_round",
        ["statement_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "uq_stance_current",
        "stance",
        ["round_id", "user_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_table(
        "published_address",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["statement.id"],
            name=op.f("fk_published_address_statement_id_statement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("slug", name=op.f("pk_published_address")),
    )
    op.create_index(
        op.f("ix_published_address_statement_id"), "published_address", ["statement_id"]
    )
    # A published statement's address is where its publications have been shown: its own.
    # (Earlier addresses were not recorded anywhere; they cannot be given back.)
    op.execute(
        """
        INSERT INTO published_address (slug, statement_id, since)
        SELECT statement.slug, statement.id, MIN(publication.published_at)
        FROM statement JOIN publication ON publication.statement_id = statement.id
        GROUP BY statement.id, statement.slug
        """
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_published_address_statement_id"), table_name="published_address")
    op.drop_table("published_address")
    op.drop_index("uq_stance_current", table_name="stance")
    op.drop_index("uq_review_round_open", table_name="review_round")
