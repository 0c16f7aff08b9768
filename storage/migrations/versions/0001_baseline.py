"""The schema of the five numbered SQL steps before Alembic, on either backend.

Articles (term vectors and MinHash fingerprints in the row, LSH bands, document
frequencies, the full-text index), requests, users and chats, digests and feeds, admin.
Times are ``timestamptz`` on PostgreSQL and ``…Z`` UTC text on SQLite (``storage.db``);
``published_at`` stays the ISO text extraction gave (it may carry no zone).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: the rowid itself
TIME = sa.DateTime(timezone=True)
TEXT, INT, REAL, BLOB = sa.Text(), sa.BigInteger(), sa.Float(), sa.LargeBinary()


def _now() -> sa.TextClause:
    if op.get_bind().dialect.name == "sqlite":  # microseconds, like storage.db.utc_stamp
        return sa.text("(strftime('%Y-%m-%dT%H:%M:%f000Z', 'now'))")
    return sa.text("now()")


def _key(name: str = "id", *, serial: bool = True) -> sa.Column[int]:
    return sa.Column(name, ID, primary_key=True, autoincrement=serial)


def upgrade() -> None:
    now = _now()
    sqlite = op.get_bind().dialect.name == "sqlite"
    # Column order matters on SQLite: the related-story ranker reads the small columns of
    # a few hundred rows per lookup, so the long text comes last.
    op.create_table(
        "articles",
        _key(),
        sa.Column("duplicate_of", ID, sa.ForeignKey("articles.id")),  # the family's first copy
        sa.Column("story_day", REAL, nullable=False),  # days since 1970 of publication/storage
        sa.Column("title", TEXT, nullable=False),
        sa.Column("url", TEXT),
        sa.Column("canonical_url", TEXT, unique=True),  # NULL for pasted text
        sa.Column("source", TEXT),
        sa.Column("published_at", TEXT),  # ISO 8601 as extraction gave it
        sa.Column("terms", BLOB, nullable=False),  # uint32 word ids, then float32 tf weights
        sa.Column("term_norm", REAL, nullable=False),  # |tf x idf| as of indexing
        sa.Column("entities", TEXT, nullable=False, server_default="[]"),  # JSON [text, type, n]
        sa.Column("query_terms", TEXT, nullable=False, server_default="[]"),  # JSON heaviest words
        sa.Column("author", TEXT),
        sa.Column("lang", TEXT, nullable=False, server_default="zh"),
        sa.Column("summary", TEXT, nullable=False, server_default="[]"),  # JSON sentence texts
        sa.Column("keywords", TEXT, nullable=False, server_default="[]"),  # JSON strings
        sa.Column("fingerprint", BLOB, nullable=False),  # MinHash signature, uint32 LE
        sa.Column("created_at", TIME, nullable=False, server_default=now),
        sa.Column("text", TEXT, nullable=False),
    )
    op.create_index(
        "articles_duplicate_of",
        "articles",
        ["duplicate_of"],
        sqlite_where=sa.text("duplicate_of IS NOT NULL"),
        postgresql_where=sa.text("duplicate_of IS NOT NULL"),
    )
    op.create_index("articles_created_at", "articles", ["created_at"])
    # key = band << 32 | 31-bit hash of the band (storage.dedup). No foreign key:
    # purge removes the rows it computes from the stored fingerprint, in one transaction.
    op.create_table(
        "article_bands",
        sa.Column("key", INT, primary_key=True, autoincrement=False),
        sa.Column("article_id", INT, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    # The store's own IDF: indexed articles holding each word (CRC-32 id), and their count.
    op.create_table(
        "term_df",
        _key(serial=False),
        sa.Column("df", INT, nullable=False),
    )
    op.create_table(
        "index_stats",
        sa.Column("name", TEXT, primary_key=True),
        sa.Column("value", INT, nullable=False),
        sqlite_with_rowid=False,
    )
    op.execute("INSERT INTO index_stats (name, value) VALUES ('indexed_docs', 0)")
    if sqlite:
        # Contentless FTS5 over jieba words, family roots only (storage.backends.sqlite).
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5(title, body, content='',"
            " tokenize='unicode61 remove_diacritics 0')"
        )
    else:
        # Postings by word for related-story candidates, and a tsvector for search
        # (storage.backends.postgres).
        op.create_table(
            "article_terms",
            sa.Column("term", INT, primary_key=True, autoincrement=False),
            sa.Column("article_id", INT, primary_key=True, autoincrement=False),
        )
        op.create_table(
            "article_search",
            sa.Column("article_id", INT, primary_key=True, autoincrement=False),
            sa.Column("doc", sa.dialects.postgresql.TSVECTOR(), nullable=False),
        )
        op.create_index("article_search_doc", "article_search", ["doc"], postgresql_using="gin")

    op.create_table(
        "requests",
        _key(),
        sa.Column("user_id", INT),
        sa.Column("chat_id", INT),
        sa.Column("kind", TEXT, nullable=False),  # 'url', 'text', 'search', 'related', ...
        sa.Column("target", TEXT),
        sa.Column("outcome", TEXT, nullable=False),  # 'ok', 'duplicate', 'error', ...
        sa.Column("error", TEXT),
        sa.Column("latency_ms", REAL, nullable=False),
        sa.Column("article_id", ID, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("created_at", TIME, nullable=False, server_default=now),
    )
    op.create_index("requests_created_at", "requests", ["created_at"])
    op.create_index("requests_user", "requests", ["user_id", "created_at"])
    op.create_index("requests_kind_outcome", "requests", ["kind", "outcome", "created_at"])
    op.create_index(
        "requests_article",
        "requests",
        ["article_id"],
        sqlite_where=sa.text("article_id IS NOT NULL"),
        postgresql_where=sa.text("article_id IS NOT NULL"),
    )

    lang_check = "lang IN ('zh', 'en')"
    op.create_table(
        "users",
        _key(serial=False),  # Telegram user id
        sa.Column("username", TEXT),
        sa.Column("first_name", TEXT),
        sa.Column("language_code", TEXT),
        sa.Column("lang", TEXT, sa.CheckConstraint(lang_check)),
        sa.Column(
            "summary_sentences",
            sa.Integer(),
            sa.CheckConstraint("summary_sentences BETWEEN 1 AND 10"),
        ),
        sa.Column("first_seen", TIME, nullable=False, server_default=now),
        sa.Column("last_seen", TIME, nullable=False, server_default=now),
    )
    op.create_table(
        "chats",
        _key(serial=False),  # Telegram chat id (groups are negative)
        sa.Column("type", TEXT, nullable=False),
        sa.Column("title", TEXT),
        sa.Column(
            "auto_mode",
            sa.Integer(),
            sa.CheckConstraint("auto_mode IN (0, 1)"),
            nullable=False,
            server_default="0",
        ),
        sa.Column("lang", TEXT, sa.CheckConstraint(lang_check)),
        sa.Column("first_seen", TIME, nullable=False, server_default=now),
        sa.Column("last_seen", TIME, nullable=False, server_default=now),
    )
    op.create_index("users_last_seen", "users", ["last_seen"])
    op.create_index("chats_last_seen", "chats", ["last_seen"])

    op.create_table(
        "subscriptions",
        _key("chat_id", serial=False),
        sa.Column(
            "kind",
            TEXT,
            sa.CheckConstraint("kind IN ('group', 'channel', 'private')"),
            nullable=False,
        ),
        sa.Column("title", TEXT),
        sa.Column("schedule", TEXT, nullable=False, server_default="off"),
        sa.Column("tz", TEXT, nullable=False, server_default="Asia/Shanghai"),
        sa.Column("language", TEXT, nullable=False, server_default="zh"),
        sa.Column(
            "stories",
            sa.Integer(),
            sa.CheckConstraint("stories BETWEEN 1 AND 50"),
            nullable=False,
            server_default="10",
        ),
        sa.Column(
            "summary_chars",
            sa.Integer(),
            sa.CheckConstraint("summary_chars BETWEEN 20 AND 400"),
            nullable=False,
            server_default="80",
        ),
        sa.Column("entities", sa.Integer(), nullable=False, server_default="1"),
        sa.Column(
            "state",
            TEXT,
            sa.CheckConstraint("state IN ('active', 'paused', 'gone')"),
            nullable=False,
            server_default="active",
        ),
        sa.Column("configured_by", INT),
        sa.Column("last_digest_at", TIME),
        sa.Column("next_run_at", TIME),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )
    op.create_table(  # which story reached which chat when
        "chat_stories",
        sa.Column("chat_id", INT, primary_key=True, autoincrement=False),
        sa.Column("article_id", INT, primary_key=True, autoincrement=False),
        sa.Column("shared_at", TIME, nullable=False),
        sa.Column("via", TEXT, sa.CheckConstraint("via IN ('share', 'feed')"), nullable=False),
    )
    op.create_index("chat_stories_by_time", "chat_stories", ["chat_id", "shared_at"])
    op.create_table(
        "feeds",
        _key(),
        sa.Column("chat_id", INT, nullable=False),
        sa.Column("url", TEXT, nullable=False),
        sa.Column("title", TEXT),
        sa.Column("etag", TEXT),
        sa.Column("last_modified", TEXT),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", TEXT),
        sa.Column("next_poll_at", TIME, nullable=False),
        sa.Column("last_polled_at", TIME),
        sa.Column("include_kw", TEXT, nullable=False, server_default="[]"),
        sa.Column("exclude_kw", TEXT, nullable=False, server_default="[]"),
        sa.Column("instant", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint("chat_id", "url"),
        sqlite_autoincrement=True,
    )
    op.create_index("feeds_due", "feeds", ["next_poll_at"])
    op.create_table(
        "feed_items",
        sa.Column(
            "feed_id",
            ID,
            sa.ForeignKey("feeds.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("guid", TEXT, primary_key=True),
        sa.Column("article_id", INT),
        sa.Column("seen_at", TIME, nullable=False),
    )
    # A digest is recorded with its messages before anything is sent; each message is
    # marked delivered as Telegram accepts it.
    op.create_table(
        "digests",
        _key(),
        sa.Column("chat_id", INT, nullable=False),
        sa.Column("slot", TEXT, nullable=False),
        sa.Column("period_start", TIME),
        sa.Column("period_end", TIME, nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("completed_at", TIME),
        sa.UniqueConstraint("chat_id", "slot"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "digest_messages",
        sa.Column(
            "digest_id",
            ID,
            sa.ForeignKey("digests.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("html", TEXT, nullable=False),
        sa.Column("message_id", INT),
        sa.Column("delivered_at", TIME),
    )

    op.create_table(
        "bans",
        _key("user_id", serial=False),
        sa.Column("reason", TEXT),
        sa.Column("banned_by", INT, nullable=False),
        sa.Column("banned_at", TIME, nullable=False, server_default=now),
    )
    op.create_table(
        "allowlist",
        _key("user_id", serial=False),
        sa.Column("added_by", INT, nullable=False),
        sa.Column("added_at", TIME, nullable=False, server_default=now),
    )
    op.create_table(  # bot-wide switches set by admins (e.g. allow_only = '1')
        "admin_flags",
        sa.Column("name", TEXT, primary_key=True),
        sa.Column("value", TEXT, nullable=False),
    )
    op.create_table(
        "quotas",
        _key("user_id", serial=False),
        sa.Column(
            "daily_limit", sa.Integer(), sa.CheckConstraint("daily_limit >= 0"), nullable=False
        ),
        sa.Column("set_by", INT, nullable=False),
        sa.Column("set_at", TIME, nullable=False, server_default=now),
    )
    op.create_table(  # articles counted against a quota, per user and UTC day
        "quota_usage",
        sa.Column("user_id", INT, primary_key=True, autoincrement=False),
        sa.Column("day", TEXT, primary_key=True),
        sa.Column("used", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_table(
        "audit_log",
        _key(),
        sa.Column("at", TIME, nullable=False, server_default=now),
        sa.Column("admin_id", INT, nullable=False),
        sa.Column("action", TEXT, nullable=False),
        sa.Column("args", TEXT, nullable=False, server_default="{}"),
        sa.Column(
            "origin",
            TEXT,
            sa.CheckConstraint("origin IN ('telegram', 'shell')"),
            nullable=False,
            server_default="telegram",
        ),
    )
    op.create_index("audit_log_at", "audit_log", ["at"])
    op.create_table(
        "broadcasts",
        _key(),
        sa.Column("text", TEXT, nullable=False),
        sa.Column(
            "audience", TEXT, sa.CheckConstraint("audience IN ('users', 'chats')"), nullable=False
        ),
        sa.Column(
            "state",
            TEXT,
            sa.CheckConstraint("state IN ('draft', 'sending', 'done', 'cancelled')"),
            nullable=False,
            server_default="draft",
        ),
        sa.Column("created_by", INT, nullable=False),
        sa.Column("created_at", TIME, nullable=False, server_default=now),
        sa.Column("started_at", TIME),
        sa.Column("finished_at", TIME),
        # where the progress message lives, so a resumed run keeps editing the same one
        sa.Column("progress_chat_id", INT),
        sa.Column("progress_message_id", INT),
    )
    # One row per recipient. 'sending' marks a send in flight: after a crash it is not
    # retried (no duplicates), it becomes 'failed'.
    op.create_table(
        "broadcast_deliveries",
        sa.Column(
            "broadcast_id",
            ID,
            sa.ForeignKey("broadcasts.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("recipient_id", INT, primary_key=True, autoincrement=False),
        sa.Column(
            "status",
            TEXT,
            sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'blocked', 'failed')"),
            nullable=False,
            server_default="pending",
        ),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", TEXT),
        sa.Column("updated_at", TIME),
    )
    op.create_index(
        "broadcast_deliveries_status", "broadcast_deliveries", ["broadcast_id", "status"]
    )
    op.create_table(  # recipients that blocked the bot or left: skipped by later broadcasts
        "unreachable_recipients",
        _key("recipient_id", serial=False),
        sa.Column("reason", TEXT, nullable=False),
        sa.Column("since", TIME, nullable=False, server_default=now),
    )


def downgrade() -> None:
    raise NotImplementedError("the baseline is not reversible")
