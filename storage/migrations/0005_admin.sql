-- Admin: bans, allowlist (+ allow-only flag), daily quotas, audit log, broadcasts.
-- Owner: admin. Times are ISO-8601 UTC text, like the other migrations.

CREATE TABLE bans (
    user_id   INTEGER PRIMARY KEY,
    reason    TEXT,
    banned_by INTEGER NOT NULL,
    banned_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE allowlist (
    user_id  INTEGER PRIMARY KEY,
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Bot-wide switches set by admins (e.g. allow_only = '1').
CREATE TABLE admin_flags (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE quotas (
    user_id     INTEGER PRIMARY KEY,
    daily_limit INTEGER NOT NULL CHECK (daily_limit >= 0),
    set_by      INTEGER NOT NULL,
    set_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

-- Articles counted against a quota, per user and UTC day (consumed before ingest).
CREATE TABLE quota_usage (
    user_id INTEGER NOT NULL,
    day     TEXT NOT NULL,
    used    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    admin_id INTEGER NOT NULL,
    action   TEXT NOT NULL,
    args     TEXT NOT NULL DEFAULT '{}',
    origin   TEXT NOT NULL DEFAULT 'telegram' CHECK (origin IN ('telegram', 'shell'))
);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TABLE broadcasts (
    id          INTEGER PRIMARY KEY,
    text        TEXT NOT NULL,
    audience    TEXT NOT NULL CHECK (audience IN ('users', 'chats')),
    state       TEXT NOT NULL DEFAULT 'draft'
                CHECK (state IN ('draft', 'sending', 'done', 'cancelled')),
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    started_at  TEXT,
    finished_at TEXT,
    -- Where the progress message lives, so a resumed run keeps editing the same one.
    progress_chat_id    INTEGER,
    progress_message_id INTEGER
);

-- One row per recipient, created when the broadcast is confirmed. 'sending' marks a
-- send in flight: after a crash it is not retried (no duplicates), it becomes 'failed'.
CREATE TABLE broadcast_deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    recipient_id INTEGER NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'sending', 'sent', 'blocked', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    updated_at   TEXT,
    PRIMARY KEY (broadcast_id, recipient_id)
);
CREATE INDEX broadcast_deliveries_status ON broadcast_deliveries(broadcast_id, status);

-- Recipients that blocked the bot or left: skipped by later broadcasts.
CREATE TABLE unreachable_recipients (
    recipient_id INTEGER PRIMARY KEY,
    reason       TEXT NOT NULL,
    since        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
