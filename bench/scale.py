"""Storage at scale: ingestion throughput, and related-story latency at N stored articles.

    nice -n 10 python bench/scale.py --data ../shared/data/related --sizes 100000 1000000 \
        [--distinct 100000] [--backends sqlite postgresql] [--ingest 2000] \
        [--db /tmp/zhaiyao-scale.db] [--pg-database zhaiyao_scale] [--reuse] [--drop] \
        [--lookups 300] [--json OUT]

Synthetic articles are built by sampling and recombining real sentences: sentences of the
corpus are segmented with jieba once (so the vocabulary and its term distribution are
real news's, ~40k distinct words); each article takes one "story" (a source document's
story label) and draws 8-20 sentences, 85 % from that story's pool, in 3-5 paragraphs,
with a title sentence and a date within two years. Its analysis carries the recombined
words as index terms and, as MinHash signature, the element-wise minimum of its
sentences' signatures (MinHash of a union): no analysis cost in the measured figures.

Two measurements per backend:

* ingestion throughput: ``--ingest`` articles through ``ArticleRepository.save_many``
  (500 per transaction, the normal path: copy detection, vectors, bands, full-text
  index) into a fresh store; articles/s in wall time, and this process's CPU per article.
* lookups at scale: a named store (the SQLite file ``--db``, the PostgreSQL database
  ``--pg-database``; kept for ``--reuse``, ``--drop`` removes it at the end) is filled in
  bulk to each of ``--sizes``. The first ``--distinct`` articles are generated: chunks of
  ``CHUNK`` articles, each written in one transaction straight into the tables and index
  structures the normal path writes (``articles`` rows with their term vectors,
  ``article_bands``, the full-text index, ``term_df``, ``index_stats``) with
  ``executemany`` (SQLite) or ``COPY`` (PostgreSQL), term vectors weighted with the
  document frequencies as of the chunk (every synthetic article is a family root); their
  index words also go to a seed file beside ``--db`` (FTS5 is contentless). Larger sizes
  are grown from them in SQL: copy k of article i is article i + k x distinct, its row
  and term vector the same, its full-text entries (FTS5 rows, PostgreSQL postings)
  without a fifth of its words (``DROP_PERCENT``, chosen per word and copy by one rule
  on both backends), document frequencies scaled to match; no LSH bands and (PostgreSQL)
  no search ``tsvector`` for copies, which lookups do not read. Then ``related()``
  through the repository API over random articles: p50/p95 after ``WARMUP`` lookups,
  and (PostgreSQL) the candidate query's ``EXPLAIN ANALYZE`` for one of them;
  ``--optimize`` first folds the full-text index (SQLite: FTS5's segments into one).

Re-measure lookups only, on the kept stores (no loading, no corpus):

    nice -n 10 python bench/scale.py --data ../shared/data/related --sizes 1000000 \
        --ingest 0 --reuse --db /tmp/w20/scale.db --pg-database zhaiyao_w20_scale
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.related import POSTGRES_URL, fresh_postgres
from storage import Database, connect
from storage.articles import ArticleRepository
from storage.backends.postgres import posting_term, posting_terms
from storage.dedup import band_keys, signature_blob
from storage.indexing import segment_article, term_vector
from storage.urls import canonical_url
from summarizer.fingerprint import ShingleCheck, minhash_signature
from summarizer.keywords import background_shares
from summarizer.model import Analysis, Article, IndexTerms
from summarizer.tokenize import segment_for_index

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
BATCH = 500  # articles per save_many (ingestion)
CHUNK = 5000  # articles per bulk-load transaction
WARMUP = 20
BACKENDS = ("sqlite", "postgresql")
START = datetime(2023, 1, 1, tzinfo=UTC)


def load_sentences(data: Path, max_docs: int, rng: random.Random) -> dict[str, list[str]]:
    """Real sentences (8-120 chars) grouped by story label."""
    import gzip

    docs = []
    for f in sorted(data.glob("docs-*.jsonl*")):
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            docs.extend(json.loads(line) for line in fh)
    rng.shuffle(docs)
    pools: dict[str, list[str]] = defaultdict(list)
    for d in docs[:max_docs]:
        for s in _SENTENCE.findall(d["text"]):
            if 8 <= len(s.strip()) <= 120:
                pools[d.get("story") or "misc"].append(s.strip())
    return {k: v for k, v in pools.items() if len(v) >= 20}


class Corpus:
    """Segmented sentences and their MinHash signatures, and the recombination."""

    def __init__(self, pools: dict[str, list[str]]) -> None:
        self.stories = list(pools)
        self.sentences: list[str] = []
        self.pool_ids: dict[str, list[int]] = {}
        for story, sents in pools.items():
            start = len(self.sentences)
            self.sentences.extend(sents)
            self.pool_ids[story] = list(range(start, len(self.sentences)))
        t0 = time.perf_counter()
        self.segmented = [segment_for_index(s) for s in self.sentences]
        self.signatures = np.array([minhash_signature(s) for s in self.sentences], np.uint32)
        print(
            f"{len(self.sentences)} sentences in {len(self.stories)} stories, segmented and"
            f" fingerprinted in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )

    def article(self, rng: random.Random, n: int) -> Analysis:
        story = rng.choice(self.stories)
        own = self.pool_ids[story]
        picks = [
            rng.choice(own) if rng.random() < 0.85 else rng.randrange(len(self.sentences))
            for _ in range(rng.randint(8, 20))
        ]
        title_id = rng.choice(own)
        cuts = sorted(rng.sample(range(1, len(picks)), k=min(len(picks) - 1, rng.randint(2, 4))))
        paragraphs, last = [], 0
        for cut in [*cuts, len(picks)]:
            paragraphs.append(picks[last:cut])
            last = cut
        text = "\n".join("".join(self.sentences[i] for i in p) for p in paragraphs)
        title = self.sentences[title_id][:40]
        body_words = " ".join(self.segmented[i] for i in picks)
        title_words = (
            self.segmented[title_id]
            if title == self.sentences[title_id]
            else segment_for_index(title)
        )
        signature = tuple(int(v) for v in self.signatures[picks].min(axis=0))
        published = START + timedelta(days=rng.randrange(730), minutes=n % 1440)
        article = Article(
            title=title,
            text=text,
            url=f"https://synthetic.example/{n}",
            source=f"outlet{rng.randrange(200)}",
            published_at=published,
        )
        return Analysis(
            article,
            (),
            (),
            (),
            (),
            signature,
            index_terms=IndexTerms(title_words, body_words),
            copy_check=ShingleCheck(text),
        )


async def measure(repo: ArticleRepository, rng: random.Random, count: int, n: int) -> list[float]:
    latencies = []
    for _ in range(n):
        article_id = rng.randint(1, count)
        t0 = time.perf_counter()
        await repo.related(article_id, limit=5)
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


@asynccontextmanager
async def open_sqlite(path: Path, cache_mb: int) -> AsyncIterator[Database]:
    """The SQLite store at ``path``, its page cache set to ``cache_mb``."""
    db = await connect(path, migrate=False)
    pragma = f"PRAGMA cache_size=-{cache_mb * 1024}"
    event.listen(db.engine.sync_engine, "connect", lambda c, _r: c.execute(pragma))
    await db.engine.dispose()  # connections from here on carry the pragma
    await db.migrate()
    try:
        yield db
    finally:
        await db.close()


@asynccontextmanager
async def open_postgres(server: str, name: str) -> AsyncIterator[Database]:
    """The PostgreSQL store in database ``name`` on ``server``, created when absent."""
    import asyncpg

    admin = await asyncpg.connect(server)
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    db = await connect(f"{server.rsplit('/', 1)[0]}/{name}")
    try:
        yield db
    finally:
        await db.close()


async def drop_postgres(server: str, name: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(server)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def ingestion(args: argparse.Namespace, backend: str, corpus: Corpus) -> dict[str, Any]:
    """``--ingest`` articles through ``save_many`` into a fresh store of ``backend``."""
    rng = random.Random(args.seed + 1)
    batches = [
        [corpus.article(rng, n + i) for i in range(min(BATCH, args.ingest - n))]
        for n in range(0, args.ingest, BATCH)
    ]

    async def timed(db: Database) -> tuple[float, float]:
        repo = ArticleRepository(db, prior=background_shares)
        wall, cpu = time.perf_counter(), time.process_time()
        for batch in batches:
            await repo.save_many(batch)
        return time.perf_counter() - wall, time.process_time() - cpu

    if backend == "sqlite":
        path = args.db.with_name(args.db.stem + "-ingest.db")
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        async with open_sqlite(path, args.cache_mb) as db:
            wall, cpu = await timed(db)
            size = await db.backend.database_bytes(db)
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
    else:
        async with fresh_postgres(args.postgres_url) as db:
            wall, cpu = await timed(db)
            size = await db.backend.database_bytes(db)
    row = {
        "backend": backend,
        "ingested": args.ingest,
        "articles_per_s": args.ingest / wall,
        "cpu_ms_per_article": cpu / args.ingest * 1000,
        "db_mb": size / 2**20,
    }
    print(json.dumps(row), flush=True)
    return row


def seed_path(db: Path) -> Path:
    """Where the bulk loader keeps its articles' index words (SQLite's FTS5 table is
    contentless), so a store can be grown from them later."""
    return db.with_name(db.stem + "-seed.db")


class BulkLoader:
    """Writes synthetic articles straight into what ``save_many`` writes (see the module
    docstring), for every open store at once (one generation, several backends)."""

    def __init__(self, corpus: Corpus, seed: int) -> None:
        self.corpus = corpus
        self.rng = random.Random(seed)
        self.df: Counter[int] = Counter()
        self.docs = 0

    def chunk(self, first_id: int, count: int) -> dict[str, list[tuple[Any, ...]]]:
        analyses = [self.corpus.article(self.rng, first_id + i) for i in range(count)]
        segs = []
        for a in analyses:
            assert a.index_terms is not None
            segs.append(segment_article(a.index_terms))
        for seg in segs:
            self.df.update(seg.term_ids)
        self.docs += count
        now = datetime.now(UTC)
        out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for i, (a, seg) in enumerate(zip(analyses, segs, strict=True)):
            article_id = first_id + i
            art = a.article
            vector = term_vector(seg, self.df, self.docs)
            assert art.published_at is not None
            out["articles"].append(
                (
                    article_id,
                    art.published_at.timestamp() / 86400.0,
                    art.title,
                    art.url,
                    canonical_url(art.url),
                    art.source,
                    art.published_at.isoformat(),
                    vector.blob(),
                    vector.norm,
                    json.dumps(vector.words, ensure_ascii=False),
                    signature_blob(a.fingerprint),
                    now,
                    art.text,
                )
            )
            out["bands"].extend((k, article_id) for k in band_keys(a.fingerprint))
            out["fts"].append((article_id, seg.fts_title, seg.fts_body))
            out["postings"].extend((t, article_id) for t in posting_terms(seg))
            out["term_df"].extend((t, 1) for t in seg.term_ids)
        return out


ARTICLE_COLUMNS = (
    "id",
    "story_day",
    "title",
    "url",
    "canonical_url",
    "source",
    "published_at",
    "terms",
    "term_norm",
    "query_terms",
    "fingerprint",
    "created_at",
    "text",
)


async def write_chunk(db: Database, rows: dict[str, list[tuple[Any, ...]]]) -> None:
    """One chunk in one transaction (a crash leaves the chunk out whole)."""
    increments = Counter(t for t, _ in rows["term_df"])
    async with db.transaction() as conn:
        if db.dialect == "sqlite":
            marks = ", ".join("?" * len(ARTICLE_COLUMNS))
            await conn.executemany(
                f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) VALUES ({marks})",
                rows["articles"],
            )
            await conn.executemany(
                "INSERT INTO article_bands (key, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                rows["bands"],
            )
            await conn.executemany(
                "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)", rows["fts"]
            )
        else:
            raw = (await conn.raw.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.copy_records_to_table(
                "articles", records=rows["articles"], columns=ARTICLE_COLUMNS
            )
            await raw.copy_records_to_table(
                "article_bands", records=sorted(set(rows["bands"])), columns=("key", "article_id")
            )
            await raw.copy_records_to_table(
                "article_terms", records=sorted(rows["postings"]), columns=("term", "article_id")
            )
            await conn.executemany(
                "INSERT INTO article_search (article_id, doc) VALUES (?,"
                " setweight(to_tsvector('simple', ?), 'A') || to_tsvector('simple', ?))",
                rows["fts"],
            )
        await conn.executemany(
            "INSERT INTO term_df (id, df) VALUES (?, ?)"
            " ON CONFLICT (id) DO UPDATE SET df = term_df.df + excluded.df",
            sorted(increments.items()),
        )
        await conn.execute(
            "UPDATE index_stats SET value = value + ? WHERE name = 'indexed_docs'",
            (len(rows["articles"]),),
        )


# Growing a store past the distinct articles: copy k of base article i is article
# i + k * distinct, with DROP_SHARE of its index words left out (which ones depends on the
# word and the new id, the same rule on both backends), so copies are not identical in
# the full-text index; rows, term vectors and dates are the base article's.
DROP_PERCENT = 20  # of 101 buckets: 20/101 = 19.8 % of a copy's index words left out


def dropped(term: int, article_id: int) -> bool:
    """Whether copy ``article_id`` leaves out the word with posting key ``term``.
    ``KEEP_SQL`` is the same rule in SQL (PostgreSQL ``#`` is XOR)."""
    return ((term ^ (article_id * 40503)) % 1000003) * 7919 % 101 < DROP_PERCENT


KEEP_SQL = f"((s.term # (s.article_id + $1) * 40503) % 1000003) * 7919 % 101 >= {DROP_PERCENT}"


def copy_ranges(stored: int, size: int, distinct: int) -> list[tuple[int, int, int]]:
    """(shift, first base id, last base id) of each copy that takes the store from
    ``stored`` to ``size`` articles (copy k of base article i is i + k * distinct)."""
    out = []
    for k in range(max(1, stored // distinct), (size - 1) // distinct + 1):
        shift = k * distinct
        first, last = max(stored, shift) + 1 - shift, min(size, shift + distinct) - shift
        if first <= last:
            out.append((shift, first, last))
    return out


def kept_words(words: str, article_id: int, keys: dict[str, int]) -> str:
    out = []
    for w in words.split():
        key = keys.get(w)
        if key is None:
            key = keys[w] = posting_term(w)
        if not dropped(key, article_id):
            out.append(w)
    return " ".join(out)


def grow_sqlite(path: Path, stored: int, size: int, distinct: int) -> None:
    """Copies of the first ``distinct`` articles up to ``size``: rows and FTS5 entries
    (from the loader's seed file: FTS5 is contentless), then the frequencies scaled."""
    con = sqlite3.connect(path, isolation_level=None)
    keys: dict[str, int] = {}
    con.create_function("kept_words", 2, lambda w, i: kept_words(w, i, keys), deterministic=True)
    con.execute("ATTACH ? AS seed", (str(seed_path(path)),))
    columns = [r[1] for r in con.execute("PRAGMA main.table_info(articles)")]
    copied = ", ".join(
        {"id": "id + ?", "url": "url || ?", "canonical_url": "canonical_url || ?"}.get(c, c)
        for c in columns
    )
    for shift, first, last in copy_ranges(stored, size, distinct):
        t0 = time.perf_counter()
        tag = f"#copy{shift // distinct}"
        con.execute("BEGIN")
        con.execute(
            f"INSERT INTO articles ({', '.join(columns)}) SELECT {copied} FROM articles"
            " WHERE id BETWEEN ? AND ? ORDER BY id",
            (shift, tag, tag, first, last),
        )
        con.execute(
            "INSERT INTO article_fts (rowid, title, body) SELECT id + ?1,"
            " kept_words(title, id + ?1), kept_words(body, id + ?1) FROM seed.fts"
            " WHERE id BETWEEN ?2 AND ?3 ORDER BY id",
            (shift, first, last),
        )
        con.execute("COMMIT")
        print(f"sqlite: copy to {shift + last} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    _scale_frequencies_sqlite(con, size, distinct)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _df_factor(docs: int, size: int, distinct: int) -> float:
    """From frequencies counted over ``docs`` articles to ``size``: they grow with the
    copies, less the words the copies leave out."""

    def weight(n: int) -> float:
        return min(n, distinct) + max(0, n - distinct) * (1 - DROP_PERCENT / 101)

    return weight(size) / weight(docs)


def _scale_frequencies_sqlite(con: sqlite3.Connection, size: int, distinct: int) -> None:
    con.execute("BEGIN")
    (docs,) = con.execute("SELECT value FROM index_stats WHERE name = 'indexed_docs'").fetchone()
    con.execute(
        "UPDATE term_df SET df = max(1, CAST(round(df * ?) AS INTEGER))",
        (_df_factor(docs, size, distinct),),
    )
    con.execute("UPDATE index_stats SET value = ? WHERE name = 'indexed_docs'", (size,))
    con.execute("COMMIT")


async def grow_postgres(dsn: str, stored: int, size: int, distinct: int) -> None:
    """The same copies on PostgreSQL: rows and postings in SQL on the server (the
    postings' primary key dropped during the copy and rebuilt after, as a bulk load
    would), then the frequencies scaled. No ``article_search`` rows for copies (search
    only; related stories read the postings)."""
    import asyncpg

    con = await asyncpg.connect(dsn)
    try:
        await con.execute("SET maintenance_work_mem = '1GB'")
        columns = [
            r[0]
            for r in await con.fetch(
                "SELECT column_name FROM information_schema.columns WHERE table_name ="
                " 'articles' AND table_schema = current_schema() ORDER BY ordinal_position"
            )
        ]
        copied = ", ".join(
            {"id": "id + $1", "url": "url || $2", "canonical_url": "canonical_url || $2"}.get(c, c)
            for c in columns
        )
        await con.execute("DROP TABLE IF EXISTS grow_seed")
        await con.execute(
            "CREATE UNLOGGED TABLE grow_seed AS SELECT term, article_id FROM article_terms"
            f" WHERE article_id <= {distinct}"
        )
        await con.execute("ALTER TABLE article_terms DROP CONSTRAINT IF EXISTS article_terms_pkey")
        for shift, first, last in copy_ranges(stored, size, distinct):
            t0 = time.perf_counter()
            tag = f"#copy{shift // distinct}"
            async with con.transaction():
                await con.execute(
                    f"INSERT INTO articles ({', '.join(columns)}) SELECT {copied} FROM articles"
                    " WHERE id BETWEEN $3 AND $4 ORDER BY id",
                    shift,
                    tag,
                    first,
                    last,
                )
                await con.execute(
                    "INSERT INTO article_terms (term, article_id) SELECT s.term,"
                    f" s.article_id + $1 FROM grow_seed AS s WHERE s.article_id BETWEEN $2 AND $3"
                    f" AND {KEEP_SQL}",
                    shift,
                    first,
                    last,
                )
            print(
                f"postgresql: copy to {shift + last} ({time.perf_counter() - t0:.0f} s)",
                file=sys.stderr,
            )
        t0 = time.perf_counter()
        await con.execute(
            "ALTER TABLE article_terms ADD CONSTRAINT article_terms_pkey"
            " PRIMARY KEY (term, article_id)"
        )
        print(
            f"postgresql: postings key rebuilt ({time.perf_counter() - t0:.0f} s)", file=sys.stderr
        )
        await con.execute("DROP TABLE grow_seed")
        async with con.transaction():
            docs = await con.fetchval("SELECT value FROM index_stats WHERE name = 'indexed_docs'")
            await con.execute(
                "UPDATE term_df SET df = greatest(1, round(df * $1::float8))",
                _df_factor(docs, size, distinct),
            )
            await con.execute("UPDATE index_stats SET value = $1 WHERE name = 'indexed_docs'", size)
    finally:
        await con.close()


async def settle(db: Database) -> None:
    """What a running store has had time for: SQLite's WAL folded in; PostgreSQL's id
    sequence ahead of the loaded ids and ``VACUUM ANALYZE`` (statistics, visibility map)."""
    async with db.engine.connect() as raw:
        if db.dialect == "sqlite":
            driver = (await raw.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        auto = await raw.execution_options(isolation_level="AUTOCOMMIT")
        await auto.exec_driver_sql(
            "SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))"
        )
        await auto.exec_driver_sql("VACUUM ANALYZE")


async def explain(db: Database, article_id: int) -> str:
    """PostgreSQL's plan and timings of one lookup's candidate query."""
    from storage import related

    captured: list[tuple[str, Any]] = []
    original = related._candidates

    async def capture(conn: Any, heaviest: Any, root: int) -> list[Any]:
        best, params = conn.backend.fulltext.nearby(
            heaviest, root, postings=related.POSTINGS_PER_TERM, limit=related.CANDIDATES
        )
        captured.append((best, params))
        return await original(conn, heaviest, root)

    related._candidates = capture  # type: ignore[assignment]
    try:
        await ArticleRepository(db).related(article_id)
    finally:
        related._candidates = original  # type: ignore[assignment]
    best, params = captured[0]
    async with db.reading() as conn:
        rows = await conn.fetchall(f"EXPLAIN (ANALYZE, BUFFERS) {best}", params)
    return "\n".join(r[0] for r in rows)


async def scale(args: argparse.Namespace, corpus: Callable[[], Corpus]) -> list[dict[str, Any]]:
    stores: dict[str, Database] = {}
    out: list[dict[str, Any]] = []
    async with AsyncExitStack() as stack:
        for backend in args.backends:
            if backend == "sqlite":
                if not args.reuse:
                    for leftover in [*args.db.parent.glob(args.db.name + "*"), seed_path(args.db)]:
                        leftover.unlink(missing_ok=True)
                stores[backend] = await stack.enter_async_context(
                    open_sqlite(args.db, args.cache_mb)
                )
            else:
                if not args.reuse:
                    await drop_postgres(args.postgres_url, args.pg_database)
                stores[backend] = await stack.enter_async_context(
                    open_postgres(args.postgres_url, args.pg_database)
                )
        counts = {b: await ArticleRepository(db).count() for b, db in stores.items()}
        if len(set(counts.values())) > 1:
            raise SystemExit(f"--reuse: the stores hold different counts {counts}")
        stored = next(iter(counts.values()))
        loader: BulkLoader | None = None
        seed: sqlite3.Connection | None = None
        for size in sorted(args.sizes):
            t0 = time.perf_counter()
            while stored < min(size, args.distinct):
                if loader is None:
                    seed = sqlite3.connect(seed_path(args.db))
                    seed.execute(
                        "CREATE TABLE IF NOT EXISTS fts (id INTEGER PRIMARY KEY, title, body)"
                    )
                    loader = BulkLoader(corpus(), args.seed)
                    # --reuse: the generator and frequencies as if it had loaded the store
                    for n in range(0, stored, CHUNK):
                        loader.chunk(n + 1, min(CHUNK, stored - n))
                count = min(CHUNK, min(size, args.distinct) - stored)
                rows = loader.chunk(stored + 1, count)
                for db in stores.values():
                    await write_chunk(db, rows)
                assert seed is not None
                with seed:
                    seed.executemany("INSERT OR REPLACE INTO fts VALUES (?, ?, ?)", rows["fts"])
                stored += count
                if stored % 50_000 == 0:
                    print(f"bulk: {stored} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
            if stored < size:
                for backend in stores:
                    t1 = time.perf_counter()
                    if backend == "sqlite":
                        await asyncio.to_thread(grow_sqlite, args.db, stored, size, args.distinct)
                    else:
                        dsn = f"{args.postgres_url.rsplit('/', 1)[0]}/{args.pg_database}"
                        await grow_postgres(dsn, stored, size, args.distinct)
                    print(
                        f"{backend}: grown to {size} in {time.perf_counter() - t1:.0f} s",
                        file=sys.stderr,
                    )
                stored = size
            for backend, db in stores.items():
                await settle(db)
                if args.optimize:
                    t1 = time.perf_counter()
                    await ArticleRepository(db).optimize_index()
                    print(
                        f"{backend}: index optimized in {time.perf_counter() - t1:.0f} s",
                        file=sys.stderr,
                    )
                repo = ArticleRepository(db, prior=background_shares)
                rng = random.Random(args.seed + 2)
                await measure(repo, rng, stored, WARMUP)
                lat = sorted(await measure(repo, rng, stored, args.lookups))
                row = {
                    "backend": backend,
                    "articles": stored,
                    "db_mb": await db.backend.database_bytes(db) / 2**20,
                    "related_p50_ms": lat[len(lat) // 2],
                    "related_p95_ms": lat[int(len(lat) * 0.95)],
                    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                }
                print(json.dumps(row), flush=True)
                if backend == "postgresql":
                    print(await explain(db, rng.randint(1, stored)), file=sys.stderr)
                out.append(row)
    if args.drop:
        for leftover in [*args.db.parent.glob(args.db.name + "*"), seed_path(args.db)]:
            leftover.unlink(missing_ok=True)
        await drop_postgres(args.postgres_url, args.pg_database)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--ingest", type=int, default=2000, help="articles through save_many")
    parser.add_argument("--db", type=Path, default=Path("/tmp/zhaiyao-scale.db"))
    parser.add_argument("--pg-database", default="zhaiyao_scale")
    parser.add_argument("--reuse", action="store_true", help="grow the kept stores")
    parser.add_argument("--drop", action="store_true", help="remove the stores at the end")
    parser.add_argument(
        "--optimize",
        action="store_true",
        help="fold the full-text index (ArticleRepository.optimize_index) before measuring",
    )
    parser.add_argument(
        "--distinct",
        type=int,
        default=100_000,
        help="articles generated; larger sizes are grown from them by copies",
    )
    parser.add_argument("--source-docs", type=int, default=3000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--cache-mb", type=int, default=256)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS), help="stores to build"
    )
    parser.add_argument(
        "--postgres-url", default=POSTGRES_URL, help="the PostgreSQL server (its maintenance db)"
    )
    args = parser.parse_args(argv)
    corpus = cache(
        lambda: Corpus(load_sentences(args.data, args.source_docs, random.Random(args.seed)))
    )
    ingest = (
        [asyncio.run(ingestion(args, b, corpus())) for b in args.backends] if args.ingest else []
    )
    rows = asyncio.run(scale(args, corpus)) if args.sizes else []
    print("| backend | articles/s (save_many) | CPU ms/article | DB MB |")
    print("|---|---|---|---|")
    for r in ingest:
        print(
            f"| {r['backend']} | {r['articles_per_s']:.0f} | {r['cpu_ms_per_article']:.1f} |"
            f" {r['db_mb']:.0f} |"
        )
    print()
    print("| backend | articles | DB MB | related p50 ms | p95 ms | max RSS MB |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['backend']} | {r['articles']:,} | {r['db_mb']:.0f} |"
            f" {r['related_p50_ms']:.1f} | {r['related_p95_ms']:.1f} | {r['max_rss_mb']:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps({"ingest": ingest, "scale": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
