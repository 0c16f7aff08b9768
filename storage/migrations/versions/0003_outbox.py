"""Several workers on one database: an outbox for every message the bot owes a chat (digest
parts, instant feed posts), digest slots claimed before composing, rate-limit buckets shared
by the workers, and claims on links being read.

- ``outbox``: one row per message, unique ``key`` (``digest:<id>:<seq>``,
  ``feed:<feed id>:<guid>``); ``state`` pending → sending → sent (or ambiguous: its worker
  died while Telegram had it; failed: Telegram refused it for good). ``worker`` is the
  claiming worker's key (:mod:`storage.workers`), ``not_before`` when it may be tried again
  (429, network failures). The rows of ``digest_messages`` move here and it goes.
- ``digests.state`` composing (claimed by ``worker``, messages not yet recorded) or recorded.
- ``rate_buckets``: token buckets (tokens, when last filled, seconds since 1970).
- ``url_claims``: a normalised URL being fetched and analysed, and by which worker.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)
TEXT, INT, REAL = sa.Text(), sa.BigInteger(), sa.Float()
STATES = "'pending', 'sending', 'sent', 'ambiguous', 'failed'"


def upgrade() -> None:
    op.add_column("digests", sa.Column("state", TEXT, nullable=False, server_default="recorded"))
    op.add_column("digests", sa.Column("worker", INT))
    op.create_table(
        "outbox",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("chat_id", INT, nullable=False),
        sa.Column("key", TEXT, nullable=False, unique=True),
        sa.Column("digest_id", ID, sa.ForeignKey("digests.id", ondelete="CASCADE")),
        sa.Column("seq", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("html", TEXT, nullable=False),
        sa.Column(
            "state",
            TEXT,
            sa.CheckConstraint(f"state IN ({STATES})", name="outbox_state"),
            nullable=False,
            server_default="pending",
        ),
        sa.Column("worker", INT),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("not_before", TIME, nullable=False),
        sa.Column("message_id", INT),
        sa.Column("error", TEXT),
        sa.Column("reported_at", TIME),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sqlite_autoincrement=True,
    )
    # what is still owed, per chat in order (the claim reads each chat's first open row)
    op.create_index(
        "outbox_open",
        "outbox",
        ["chat_id", "id"],
        postgresql_where=sa.text("state IN ('pending', 'sending')"),
        sqlite_where=sa.text("state IN ('pending', 'sending')"),
    )
    op.create_index("outbox_digest", "outbox", ["digest_id", "seq"])
    concat = "'digest:' || d.id || ':' || m.seq"
    op.execute(
        "INSERT INTO outbox (chat_id, key, digest_id, seq, html, state, message_id,"
        " not_before, created_at, updated_at)"
        f" SELECT d.chat_id, {concat}, d.id, m.seq, m.html,"
        " CASE WHEN m.delivered_at IS NULL THEN 'pending' ELSE 'sent' END, m.message_id,"
        " d.created_at, d.created_at, coalesce(m.delivered_at, d.created_at)"
        " FROM digest_messages AS m JOIN digests AS d ON d.id = m.digest_id"
        " ORDER BY d.id, m.seq"
    )
    op.drop_table("digest_messages")
    op.create_table(
        "rate_buckets",
        sa.Column("key", TEXT, primary_key=True),
        sa.Column("tokens", REAL, nullable=False),
        sa.Column("at", REAL, nullable=False),  # seconds since 1970 when last filled
    )
    op.create_table(
        "url_claims",
        sa.Column("url", TEXT, primary_key=True),
        sa.Column("worker", INT, nullable=False),
        sa.Column("at", TIME, nullable=False),
    )


def downgrade() -> None:
    raise NotImplementedError("the outbox is not turned back into digest_messages")
