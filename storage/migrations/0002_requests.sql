-- Who asked what, when, and how it went: usage stats and error reports for operators.
CREATE TABLE requests (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER,
    chat_id    INTEGER,
    kind       TEXT NOT NULL,            -- 'url', 'text', 'search', 'related', 'digest', ...
    target     TEXT,                     -- the URL, query or article id asked about
    outcome    TEXT NOT NULL,            -- 'ok', 'duplicate', 'error', 'refused', ...
    error      TEXT,                     -- error class / reason when outcome is not 'ok'
    latency_ms REAL NOT NULL,
    article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE INDEX requests_created_at ON requests(created_at);
CREATE INDEX requests_user ON requests(user_id, created_at);
CREATE INDEX requests_kind_outcome ON requests(kind, outcome, created_at);
CREATE INDEX requests_article ON requests(article_id) WHERE article_id IS NOT NULL;
