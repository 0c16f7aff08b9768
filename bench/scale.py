"""Storage at scale: insert cost, database size and related-story latency at N articles.

    nice -n 10 python bench/scale.py --data ../shared/data/related --sizes 100000 1000000 \
        [--db /tmp/scale.db] [--json OUT] [--backends sqlite postgresql] [--postgres-url URL]

A synthetic corpus is built by sampling and recombining real sentences: sentences of the
corpus are segmented with jieba once; each synthetic article takes one "story" (a source
document's story label) and draws 8-20 sentences mostly from that story's pool, in 3-5
paragraphs, with a title sentence and a date within two years. The repository gets the
article through ``save_many`` (500 per transaction) with a segmenter that returns the
already-segmented text, and a MinHash signature that is the element-wise minimum of its
sentences' signatures (MinHash of a union), so the analysis cost stays out of the
measured insert cost, as the issue asks. At each size the store is checkpointed and
measured: insert µs/article (mean over the last step), file size, related() p50/p95 over
random articles. One build serves every size (the store grows from one checkpoint to
the next). Each of ``--backends`` gets its own build: the SQLite file ``--db`` and a fresh
PostgreSQL database (dropped at the end); insert µs/article is the ingestion throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import resource
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.related import fresh_postgres
from storage import Database, connect
from storage.articles import ArticleRepository
from summarizer.fingerprint import minhash_signature
from summarizer.model import Analysis, Article
from summarizer.tokenize import segment_for_index

_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]?")
BATCH = 500
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
        self.pending: dict[str, str] = {}

    def segment(self, text: str) -> str:
        """The repository's segmenter: the recombined, already-segmented words."""
        seg = self.pending.pop(text, None)
        return seg if seg is not None else segment_for_index(text)

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
        self.pending[text] = " ".join(self.segmented[i] for i in picks)
        self.pending[title] = self.segmented[title_id] if title == self.sentences[title_id] else ""
        if not self.pending[title]:
            del self.pending[title]
        signature = tuple(int(v) for v in self.signatures[picks].min(axis=0))
        published = START + timedelta(days=rng.randrange(730), minutes=n % 1440)
        article = Article(
            title=title,
            text=text,
            url=f"https://synthetic.example/{n}",
            source=f"outlet{rng.randrange(200)}",
            published_at=published,
        )
        return Analysis(article, (), (), (), (), signature)


async def measure(repo: ArticleRepository, rng: random.Random, count: int, n: int) -> list[float]:
    latencies = []
    for _ in range(n):
        article_id = rng.randint(1, count)
        t0 = time.perf_counter()
        await repo.related(article_id, limit=5)
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


@asynccontextmanager
async def open_store(args: argparse.Namespace, backend: str) -> AsyncIterator[Database]:
    """The SQLite file ``--db`` (its page cache set to ``--cache-mb``), or a fresh
    PostgreSQL database on the ``--postgres-url`` server, dropped afterwards."""
    if backend == "sqlite":
        db = await connect(args.db, migrate=False)
        pragma = f"PRAGMA cache_size=-{args.cache_mb * 1024}"
        event.listen(db.engine.sync_engine, "connect", lambda c, _r: c.execute(pragma))
        await db.engine.dispose()  # connections from here on carry the pragma
        await db.migrate()
        try:
            yield db
        finally:
            await db.close()
        return
    async with fresh_postgres(args.postgres_url) as db:
        yield db


async def run(args: argparse.Namespace, backend: str) -> list[dict[str, float]]:
    rng = random.Random(args.seed)
    corpus = Corpus(load_sentences(args.data, args.source_docs, rng))
    rows: list[dict[str, float]] = []
    async with open_store(args, backend) as db:
        repo = ArticleRepository(db, segment=corpus.segment)
        segs: dict[int, tuple[str, str]] = {}  # roots' index words, for SQLite replication
        stored = await repo.count()
        for size in sorted(args.sizes):
            t_insert, inserted = 0.0, 0
            while stored < size:
                batch = [corpus.article(rng, stored + i) for i in range(min(BATCH, size - stored))]
                words = [
                    (corpus.pending.get(a.article.title, ""), corpus.pending[a.article.text])
                    for a in batch
                ]
                t0 = time.perf_counter()
                results = await repo.save_many(batch)
                t_insert += time.perf_counter() - t0
                if args.replicate_to:
                    segs.update(
                        (r.article_id, (t or a.article.title, b))
                        for r, a, (t, b) in zip(results, batch, words, strict=True)
                        if r.duplicate_of is None
                    )
                inserted += len(batch)
                stored += len(batch)
                corpus.pending.clear()
                if stored % 20_000 == 0:
                    rate = t_insert / max(1, inserted) * 1e6
                    print(f"{stored} stored, {rate:.0f} µs/article", file=sys.stderr, flush=True)
            if args.replicate_to and size == max(args.sizes):
                base = stored
                rows.append(await checkpoint(repo, db, rng, args, stored, t_insert, inserted))
                for target in args.replicate_to:
                    stored = await replicate(db, base, stored, target, segs)
                    # insert cost on the grown store: fresh articles through the repository
                    t_insert, inserted = 0.0, 0
                    for _ in range(args.probe_inserts // BATCH):
                        batch = [corpus.article(rng, stored + i) for i in range(BATCH)]
                        t0 = time.perf_counter()
                        await repo.save_many(batch)
                        t_insert += time.perf_counter() - t0
                        inserted += len(batch)
                        stored += len(batch)
                        corpus.pending.clear()
                    rows.append(await checkpoint(repo, db, rng, args, stored, t_insert, inserted))
                break
            rows.append(await checkpoint(repo, db, rng, args, stored, t_insert, inserted))
    return rows


async def replicate(
    db: Database, base: int, stored: int, target: int, segs: dict[int, tuple[str, str]]
) -> int:
    """Grow the store to ``target`` by copying its rows with shifted ids (SQL, no Python
    per row): articles, LSH bands and the full-text index (SQLite: FTS5 entries from the
    recorded index words; PostgreSQL: postings and search vectors), document frequencies
    scaled. Copies are distinct stories to the index (other URLs)."""
    t0 = time.perf_counter()
    first = stored // base  # copies of the base block already present (1 = the original)
    copies = target // base - 1
    cols = (
        "duplicate_of, story_day, title, url, canonical_url, source, published_at, terms,"
        " term_norm, entities, query_terms, author, lang, summary, keywords, fingerprint,"
        " created_at, text"
    )
    for k in range(first, copies + 1):
        shift = k * base + (stored - first * base)
        async with db.transaction() as conn:
            await conn.execute(
                f"INSERT INTO articles (id, {cols}) SELECT id + {shift}, duplicate_of + {shift},"
                f" story_day, title, url || '#{k}', canonical_url || '?copy={k}',"
                f" {cols.split(', canonical_url, ')[1]} FROM articles WHERE id <= {base}"
            )
            await conn.execute(
                f"INSERT INTO article_bands SELECT key, article_id + {shift} FROM article_bands"
                f" WHERE article_id <= {base}"
            )
            if db.dialect == "sqlite":
                await conn.executemany(
                    "INSERT INTO article_fts (rowid, title, body) VALUES (?, ?, ?)",
                    [(i + shift, t, b) for i, (t, b) in segs.items()],
                )
            else:
                for table in ("article_terms", "article_search"):
                    rest = "term" if table == "article_terms" else "doc"
                    await conn.execute(
                        f"INSERT INTO {table} (article_id, {rest}) SELECT article_id + {shift},"
                        f" {rest} FROM {table} WHERE article_id <= {base}"
                    )
        print(f"replicated x{k + 1} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    async with db.transaction() as conn:
        # frequencies as if each copy were indexed once more (bench approximation)
        await conn.execute(f"UPDATE term_df SET df = df * {copies + 1} / {first}")
        await conn.execute(
            f"UPDATE index_stats SET value = value * {copies + 1} / {first}"
            " WHERE name = 'indexed_docs'"
        )
        if db.dialect == "postgresql":
            await conn.execute("SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))")
    if db.dialect == "postgresql":
        async with db.engine.connect() as raw:
            auto = await raw.execution_options(isolation_level="AUTOCOMMIT")
            await auto.exec_driver_sql("VACUUM ANALYZE")  # visibility map: index-only scans
    return stored + (copies + 1 - first) * base


async def checkpoint(
    repo: ArticleRepository,
    db: Database,
    rng: random.Random,
    args: argparse.Namespace,
    stored: int,
    t_insert: float,
    inserted: int,
) -> dict[str, float]:
    if db.dialect == "sqlite":  # fold the WAL in, as a running bot's checkpoints do
        async with db.engine.connect() as raw:
            driver = (await raw.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    await measure(repo, rng, stored, 20)  # warm the page cache like a running bot
    lat = sorted(await measure(repo, rng, stored, args.lookups))
    row = {
        "backend": db.dialect,
        "articles": stored,
        "insert_us_per_article": t_insert / max(1, inserted) * 1e6,
        "db_mb": await db.backend.database_bytes(db) / 2**20,
        "related_p50_ms": lat[len(lat) // 2],
        "related_p95_ms": lat[int(len(lat) * 0.95)],
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(row), flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--db", type=Path, default=Path("/tmp/zhaiyao-scale.db"))
    parser.add_argument("--source-docs", type=int, default=3000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--cache-mb", type=int, default=256)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--replicate-to",
        type=int,
        nargs="*",
        default=[],
        help="after building the largest --sizes through the API, grow to this many by"
        " copying rows in SQL, then time --probe-inserts fresh inserts",
    )
    parser.add_argument("--probe-inserts", type=int, default=2000)
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS), help="stores to build"
    )
    parser.add_argument(
        "--postgres-url",
        default="postgresql://postgres@127.0.0.1:5432/test",
        help="server on which a fresh database is made (and dropped)",
    )
    args = parser.parse_args(argv)
    rows = [r for backend in args.backends for r in asyncio.run(run(args, backend))]
    print(
        "| backend | articles | insert µs/article | articles/s | DB MB | related p50 ms | p95 ms"
        " | max RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['backend']} | {r['articles']:,} | {r['insert_us_per_article']:.0f} |"
            f" {1e6 / max(1.0, r['insert_us_per_article']):.0f} | {r['db_mb']:.0f} |"
            f" {r['related_p50_ms']:.1f} | {r['related_p95_ms']:.1f} | {r['max_rss_mb']:.0f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
