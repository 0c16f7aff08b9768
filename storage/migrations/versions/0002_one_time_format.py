"""One time format: SQLite stores made before it wrote some times as ``+00:00`` ISO text
(digests, feeds) and others as ``…Z`` with milliseconds (defaults); all become
``storage.db.utc_stamp`` text, whose text order is time order. The pre-Alembic
``schema_migrations`` table goes. Nothing to do on PostgreSQL (``timestamptz``).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TIME_COLUMNS = {
    "articles": ("created_at",),
    "requests": ("created_at",),
    "users": ("first_seen", "last_seen"),
    "chats": ("first_seen", "last_seen"),
    "subscriptions": ("last_digest_at", "next_run_at", "created_at", "updated_at"),
    "chat_stories": ("shared_at",),
    "feeds": ("next_poll_at", "last_polled_at", "created_at"),
    "feed_items": ("seen_at",),
    "digests": ("period_start", "period_end", "created_at", "completed_at"),
    "digest_messages": ("delivered_at",),
    "bans": ("banned_at",),
    "allowlist": ("added_at",),
    "quotas": ("set_at",),
    "audit_log": ("at",),
    "broadcasts": ("created_at", "started_at", "finished_at"),
    "broadcast_deliveries": ("updated_at",),
    "unreachable_recipients": ("since",),
}


def _stamp(value: str) -> str:
    moment = datetime.fromisoformat(value)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for table, columns in TIME_COLUMNS.items():
        for column in columns:
            rows = bind.exec_driver_sql(
                f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"
                f" AND (length({column}) != 27 OR {column} NOT LIKE '%Z')"
            ).fetchall()
            if rows:
                bind.exec_driver_sql(
                    f"UPDATE {table} SET {column} = ? WHERE {column} = ?",
                    [(_stamp(old), old) for (old,) in rows],
                )
    op.execute("DROP TABLE IF EXISTS schema_migrations")


def downgrade() -> None:
    raise NotImplementedError("times are not turned back into several formats")
