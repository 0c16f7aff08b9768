-- The people and chats the bot has met, and their preferences.
-- lang NULL: follow the user's Telegram language; summary_sentences NULL: the default.
CREATE TABLE users (
    id                INTEGER PRIMARY KEY,          -- Telegram user id
    username          TEXT,
    first_name        TEXT,
    language_code     TEXT,                         -- as Telegram reports it
    lang              TEXT CHECK (lang IN ('zh', 'en')),
    summary_sentences INTEGER CHECK (summary_sentences BETWEEN 1 AND 10),
    first_seen        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_seen         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE chats (
    id         INTEGER PRIMARY KEY,                 -- Telegram chat id (groups are negative)
    type       TEXT NOT NULL,                       -- private, group, supergroup, channel
    title      TEXT,
    auto_mode  INTEGER NOT NULL DEFAULT 0 CHECK (auto_mode IN (0, 1)),
    lang       TEXT CHECK (lang IN ('zh', 'en')),
    first_seen TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_seen  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX users_last_seen ON users (last_seen);
CREATE INDEX chats_last_seen ON chats (last_seen);
