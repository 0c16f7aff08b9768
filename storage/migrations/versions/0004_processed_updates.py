"""Webhook workers: ``processed_updates``, one row per Telegram update id, claimed with
``INSERT … ON CONFLICT DO NOTHING`` before the update is handled (``storage.updates``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TIME = sa.DateTime(timezone=True)


def _now() -> sa.TextClause:
    if op.get_bind().dialect.name == "sqlite":  # microseconds, like storage.db.utc_stamp
        return sa.text("(strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))")
    return sa.text("now()")


def upgrade() -> None:
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        # claimed -> sending (a Bot API call left for it) -> done; or ambiguous (its worker
        # died during a send: not repeated, reported)
        sa.Column("state", sa.Text(), nullable=False, server_default="claimed"),
        sa.Column("worker_key", sa.BigInteger()),  # the holder's liveness lock; NULL: released
        sa.Column("worker", sa.Text()),  # the holder as logs name it (host:pid)
        sa.Column("chat_id", sa.BigInteger()),
        sa.Column("payload", sa.Text()),  # the update's JSON until it is done
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("claimed_at", TIME, nullable=False, server_default=_now()),
        sa.Column("finished_at", TIME),
        sa.CheckConstraint(
            "state IN ('claimed', 'sending', 'done', 'ambiguous')", name="processed_updates_state"
        ),
    )
    op.create_index("processed_updates_claimed_at", "processed_updates", ["claimed_at"])
    op.create_index(
        "processed_updates_open",
        "processed_updates",
        ["worker_key"],
        sqlite_where=sa.text("state IN ('claimed', 'sending')"),
        postgresql_where=sa.text("state IN ('claimed', 'sending')"),
    )


def downgrade() -> None:
    op.drop_table("processed_updates")
