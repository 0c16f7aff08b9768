-- Group/channel digests and news feeds (issue 8). Times are ISO-8601 UTC text.
-- article_id columns point at the storage engineer's articles table; no FOREIGN KEY so this
-- migration does not depend on that table's exact shape (purged articles are skipped on read).

CREATE TABLE subscriptions (
    chat_id        INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('group', 'channel', 'private')),
    title          TEXT,
    schedule       TEXT NOT NULL DEFAULT 'off',
    tz             TEXT NOT NULL DEFAULT 'Asia/Shanghai',
    language       TEXT NOT NULL DEFAULT 'zh',
    stories        INTEGER NOT NULL DEFAULT 10 CHECK (stories BETWEEN 1 AND 50),
    summary_chars  INTEGER NOT NULL DEFAULT 80 CHECK (summary_chars BETWEEN 20 AND 400),
    entities       INTEGER NOT NULL DEFAULT 1,
    state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused', 'gone')),
    configured_by  INTEGER,
    last_digest_at TEXT,
    next_run_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

-- Which story reached which chat when (shared by a member, or arrived from a chat's feed).
CREATE TABLE chat_stories (
    chat_id    INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    shared_at  TEXT NOT NULL,
    via        TEXT NOT NULL CHECK (via IN ('share', 'feed')),
    PRIMARY KEY (chat_id, article_id)
);
CREATE INDEX chat_stories_by_time ON chat_stories (chat_id, shared_at);

CREATE TABLE feeds (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id        INTEGER NOT NULL,
    url            TEXT NOT NULL,
    title          TEXT,
    etag           TEXT,
    last_modified  TEXT,
    failures       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    next_poll_at   TEXT NOT NULL,
    last_polled_at TEXT,
    include_kw     TEXT NOT NULL DEFAULT '[]',
    exclude_kw     TEXT NOT NULL DEFAULT '[]',
    instant        INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    UNIQUE (chat_id, url)
);
CREATE INDEX feeds_due ON feeds (next_poll_at);

CREATE TABLE feed_items (
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid       TEXT NOT NULL,
    article_id INTEGER,
    seen_at    TEXT NOT NULL,
    PRIMARY KEY (feed_id, guid)
);

-- A digest is recorded (with its rendered messages) before anything is sent; each message is
-- marked delivered as Telegram accepts it, so a restart resumes without skipping or repeating.
CREATE TABLE digests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id       INTEGER NOT NULL,
    slot          TEXT NOT NULL,
    period_start  TEXT,
    period_end    TEXT NOT NULL,
    stories       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    completed_at  TEXT,
    UNIQUE (chat_id, slot)
);

CREATE TABLE digest_messages (
    digest_id    INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    html         TEXT NOT NULL,
    message_id   INTEGER,
    delivered_at TEXT,
    PRIMARY KEY (digest_id, seq)
);
