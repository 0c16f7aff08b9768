-- Articles, their full-text index (jieba-segmented, see storage/indexing.py), the MinHash
-- LSH band table for near-duplicates; the term vector used to re-rank related stories
-- lives in the article row. storage/articles.py keeps all of them in step, one
-- transaction per write.

-- Column order matters: SQLite reads a row from the start, and the related-story ranker
-- reads the small columns of a few hundred rows per lookup, so the long text comes last.
CREATE TABLE articles (
    id            INTEGER PRIMARY KEY,
    duplicate_of  INTEGER REFERENCES articles(id),  -- the family's first copy, or NULL
    story_day     REAL NOT NULL,          -- days since 1970-01-01 of publication, else of storage
    title         TEXT NOT NULL,
    url           TEXT,
    canonical_url TEXT UNIQUE,            -- NULL for pasted text (no URL)
    source        TEXT,
    published_at  TEXT,                   -- ISO 8601 as given by extraction
    terms         BLOB NOT NULL,          -- term vector: uint32 word ids, then float32 tf weights
    term_norm     REAL NOT NULL,          -- |tf x idf| over those terms, idf as of indexing
    entities      TEXT NOT NULL DEFAULT '[]',   -- JSON list of [text, type, count]
    query_terms   TEXT NOT NULL DEFAULT '[]',   -- JSON: heaviest words, for the candidate query
    author        TEXT,
    lang          TEXT NOT NULL DEFAULT 'zh',
    summary       TEXT NOT NULL DEFAULT '[]',   -- JSON list of sentence texts
    keywords      TEXT NOT NULL DEFAULT '[]',   -- JSON list of strings
    fingerprint   BLOB NOT NULL,          -- MinHash signature, uint32 little-endian
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    text          TEXT NOT NULL
);

CREATE INDEX articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX articles_created_at ON articles(created_at);

-- Contentless: the segmented text is not stored twice. Deleting re-segments the stored
-- title/text (deterministic); `reindex` rebuilds everything after a change of segmenter.
-- Only family roots (duplicate_of IS NULL) are indexed: copies are found through their root.
CREATE VIRTUAL TABLE article_fts USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 0'
);

-- key = band number << 32 | 31-bit hash of that band's rows (summarizer.fingerprint).
-- No foreign key on purpose: it would need a second index to check deletes; purge removes
-- the rows it computed from the stored fingerprint, in the same transaction.
CREATE TABLE article_bands (
    key        INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;


-- Document frequency of each word (id = CRC-32 of the word) over the indexed articles, and
-- their number: the store's own IDF, kept exact under inserts, purges and reindexing.
CREATE TABLE term_df (
    id INTEGER PRIMARY KEY,
    df INTEGER NOT NULL
);

CREATE TABLE index_stats (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO index_stats (name, value) VALUES ('indexed_docs', 0);
