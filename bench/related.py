"""Related-story and near-duplicate quality, through Zhaiyao's own storage.

    python bench/related.py --data ../shared/data/related [--json OUT] [--no-anchors]
        [--db PATH [--reuse]] [--protocols related dedup young] [--young-trials N]
        [--backends sqlite postgresql] [--postgres-url URL] [--stories-share F]

The two protocols of ``../shared/data/related/README.md``, each on a fresh store of each
backend (a SQLite file; a new PostgreSQL database on the ``--postgres-url`` server,
dropped afterwards), and a third of our own (``young``, a new bot's store):

* related stories: every document is saved through ``ArticleRepository.save_many`` (in
  date order), ``reindex()`` refreshes the term vectors with the final IDF (what
  ``zhaiyao reindex`` does after a bulk import), then each query's ranking is what a card
  shows: the query's own republished copies ("also reported by"), then ``related()``
  with each result followed by its copies (``duplicates()``). ``--db PATH`` keeps this
  store; ``--reuse`` then skips the ingest when PATH exists (only ``reindex()`` and the
  queries run: what a ranking change needs, since reindex rebuilds every term vector).
* near-duplicates: the store is the corpus minus the ambiguous real copies of the
  originals; each variant is ``save()``d, flagged when ``SaveResult.duplicate_of`` is set,
  correct when that is its original, then purged again.
* young store: ``YOUNG_STORIES`` random stories, two articles each, saved one by one
  into an empty store (``--young-trials`` times, seeded). Each article's whole related
  list is checked against the story labels: precision = listed stories from the same
  story / all listed; recall = articles whose one same-story partner is listed. A
  big store says little about this case: every article there has dozens of same-story
  neighbours to crowd out the unrelated ones.

Analyses are built directly from the given text (no NER: entities only feed the
human-readable reason, never the ranking). Anchors (bench/related_anchors.py) are measured in
the same run on the same segmentation.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import math
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Database, connect
from storage.articles import ArticleRepository
from summarizer.fingerprint import ShingleCheck, minhash_signature, shingles
from summarizer.keywords import background_shares
from summarizer.model import Analysis, Article, IndexTerms
from summarizer.tokenize import segment_for_index

Doc = dict[str, Any]


BACKENDS = ("sqlite", "postgresql")
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@asynccontextmanager
async def open_store(backend: str, path: Path, server: str) -> AsyncIterator[Database]:
    """A store on ``backend``: the SQLite file ``path``, or a fresh PostgreSQL database on
    the ``server`` (dropped afterwards)."""
    if backend == "sqlite":
        db = await connect(path)
        try:
            yield db
        finally:
            await db.close()
        return
    async with fresh_postgres(server) as db:
        yield db


@asynccontextmanager
async def fresh_postgres(server: str) -> AsyncIterator[Database]:
    """A migrated store in a new database on the PostgreSQL ``server``, dropped afterwards."""
    import asyncpg

    admin = await asyncpg.connect(server)
    name = f"zhaiyao_bench_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        db = await connect(f"{server.rsplit('/', 1)[0]}/{name}")
        try:
            yield db
        finally:
            await db.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def read_jsonl(path: Path) -> list[Doc]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(
    data: Path,
) -> tuple[list[Doc], list[Doc], dict[str, dict[str, int]], list[str], list[Doc]]:
    docs = [d for f in sorted(data.glob("docs-*.jsonl*")) for d in read_jsonl(f)]
    queries = read_jsonl(data / "queries.jsonl")
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (data / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            qid, docid, grade = line.split("\t")
            qrels[qid][docid] = int(grade)
    originals = [
        line.split("\t")[1].strip()
        for line in (data / "dedup-originals.tsv").read_text(encoding="utf-8").splitlines()[1:]
        if line.strip()
    ]
    variants = read_jsonl(data / "dedup-variants.jsonl.gz")
    return docs, queries, qrels, originals, variants


class CachedSegmenter:
    """jieba search mode, memoised: the bench segments each text once, not per pass."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    def __call__(self, text: str) -> str:
        seg = self.cache.get(text)
        if seg is None:
            seg = self.cache[text] = segment_for_index(text)
        return seg

    def index_analysis(self, article: Article) -> tuple[IndexTerms, tuple[int, ...]]:
        """What the storage's reindex and purge ask for (``summarizer.analyze``'s
        ``index_analysis``, on the whole text and from the cache)."""
        return IndexTerms(self(article.title), self(article.text)), minhash_signature(article.text)


def analysis_of(doc: Doc, segment: CachedSegmenter) -> Analysis:
    date = doc.get("date")
    published = datetime.fromisoformat(date).replace(tzinfo=UTC) if date else None
    article = Article(
        title=doc.get("title") or "",
        text=doc["text"],
        source=doc.get("source"),
        published_at=published,
    )
    terms, signature = segment.index_analysis(article)
    return Analysis(
        article,
        (),
        (),
        (),
        (),
        signature,
        index_terms=terms,
        copy_check=ShingleCheck(article.text),
    )


def subset(
    share: float,
    docs: list[Doc],
    queries: list[Doc],
    qrels: dict[str, dict[str, int]],
    originals: list[str],
    variants: list[Doc],
) -> tuple[list[Doc], list[Doc], dict[str, dict[str, int]], list[str], list[Doc]]:
    """A smaller corpus for a quicker comparison (of backends, say): the documents of a
    seeded ``share`` of the stories, with their queries, judgements, dedup originals and
    variants. Figures on it are comparable with each other, not with the full corpus's."""
    stories = sorted({d["story"] for d in docs})
    kept = set(random.Random(0).sample(stories, max(1, round(share * len(stories)))))
    docs = [d for d in docs if d["story"] in kept]
    ids = {d["id"] for d in docs}
    queries = [q for q in queries if q["qid"] in ids]
    qrels = {q: {d: g for d, g in rel.items() if d in ids} for q, rel in qrels.items() if q in ids}
    originals = [o for o in originals if o in ids]
    variants = [v for v in variants if v["original"] in set(originals)]
    print(
        f"subset: {len(kept)} stories, {len(docs)} documents, {len(queries)} queries,"
        f" {len(variants)} dedup variants",
        file=sys.stderr,
    )
    return docs, queries, qrels, originals, variants


def by_date(docs: Iterable[Doc]) -> list[Doc]:
    return sorted(docs, key=lambda d: (d.get("date") is None, d.get("date") or ""))


async def ingest(
    repo: ArticleRepository, docs: list[Doc], label: str, segment: CachedSegmenter
) -> dict[str, int]:
    ids: dict[str, int] = {}
    start = time.perf_counter()
    for i in range(0, len(docs), 200):
        batch = docs[i : i + 200]
        results = await repo.save_many([analysis_of(d, segment) for d in batch])
        ids.update((d["id"], r.article_id) for d, r in zip(batch, results, strict=True))
        print(f"\r{label}: {i + len(batch)}/{len(docs)}", end="", file=sys.stderr, flush=True)
    print(f" ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return ids


# ------------------------------------------------------------------ metrics
def metrics(ranked: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    sums: dict[str, float] = defaultdict(float)
    for qid, ranking in ranked.items():
        rel = qrels.get(qid, {})
        grades = [rel.get(d, 0) for d in ranking[:100]]
        dcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(grades[:10]))
        ideal = sorted(rel.values(), reverse=True)[:10]
        idcg = sum((2**g - 1) / math.log2(r + 2) for r, g in enumerate(ideal))
        sums["ndcg@10"] += dcg / idcg if idcg else 0.0
        sums["p@5_story"] += sum(g >= 1 for g in grades[:5]) / 5
        sums["p@5_event"] += sum(g == 2 for g in grades[:5]) / 5
        n_event = sum(g == 2 for g in rel.values())
        sums["r@10_event"] += sum(g == 2 for g in grades[:10]) / n_event if n_event else 0.0
        sums["mrr_event"] += next((1 / (r + 1) for r, g in enumerate(grades) if g == 2), 0.0)
        hits, ap = 0, 0.0
        for r, g in enumerate(grades):
            if g >= 1:
                hits += 1
                ap += hits / (r + 1)
        n_story = sum(g >= 1 for g in rel.values())
        sums["map@100_story"] += ap / min(n_story, 100) if n_story else 0.0
    return {k: v / max(1, len(ranked)) for k, v in sums.items()}


# ------------------------------------------------------------------ protocols
async def stored_ids(repo: ArticleRepository, docs: list[Doc]) -> dict[str, int]:
    """Corpus id -> article id of a kept store (matched on title and text; identical
    copies in the order they were ingested, which is :func:`by_date` order)."""
    waiting: dict[tuple[str, str], deque[str]] = defaultdict(deque)
    for d in by_date(docs):
        waiting[(d.get("title") or "", d["text"])].append(d["id"])
    rows = await repo.db.fetchall("SELECT id, title, text FROM articles ORDER BY id")
    return {waiting[(r["title"], r["text"])].popleft(): r["id"] for r in rows}


async def related_protocol(
    docs: list[Doc],
    queries: list[Doc],
    path: Path,
    segment: CachedSegmenter,
    reuse: bool = False,
    backend: str = "sqlite",
    server: str = POSTGRES_URL,
) -> tuple[dict[str, list[str]], float]:
    kept = reuse and backend == "sqlite" and path.exists()
    async with open_store(backend, path, server) as db:
        repo = ArticleRepository(db, prior=background_shares)
        if kept:
            ids = await stored_ids(repo, docs)
            print(f"related: reusing {path} ({len(ids)} articles)", file=sys.stderr)
        else:
            ids = await ingest(repo, by_date(docs), "related: ingest", segment)
        start = time.perf_counter()
        await repo.reindex(segment.index_analysis)
        print(f"related: reindex ({time.perf_counter() - start:.0f} s)", file=sys.stderr)
        doc_of = {v: k for k, v in ids.items()}
        ranked: dict[str, list[str]] = {}
        latencies: list[float] = []
        for q in queries:
            qid = ids[q["qid"]]
            t0 = time.perf_counter()
            stories = await repo.related(qid, limit=100)
            latencies.append(time.perf_counter() - t0)
            ranking = [a.id for a in await repo.duplicates(qid)]
            for story in stories:
                ranking.append(story.article_id)
                ranking.extend(a.id for a in await repo.duplicates(story.article_id))
            ranked[q["qid"]] = [doc_of[i] for i in dict.fromkeys(ranking) if i != qid][:100]
        latencies.sort()
        return ranked, latencies[len(latencies) // 2] * 1000


def ambiguous_ids(docs: list[Doc], originals: list[str]) -> set[str]:
    """Real copies of an original: exact char-5 containment >= 0.3 (smaller side)."""
    by_id = {d["id"]: d for d in docs}
    owners: dict[str, list[int]] = defaultdict(list)
    sizes = []
    for n, oid in enumerate(originals):
        sh = shingles(by_id[oid]["text"])
        sizes.append(len(sh))
        for s in sh:
            owners[s].append(n)
    out = set()
    orig_set = set(originals)
    for d in docs:
        if d["id"] in orig_set:
            continue
        sh = shingles(d["text"])
        counts: dict[int, int] = defaultdict(int)
        for s in sh:
            for n in owners.get(s, ()):
                counts[n] += 1
        if any(c / max(1, min(len(sh), sizes[n])) >= 0.3 for n, c in counts.items()):
            out.add(d["id"])
    return out


async def dedup_protocol(
    docs: list[Doc],
    originals: list[str],
    variants: list[Doc],
    workdir: Path,
    segment: CachedSegmenter,
    backend: str = "sqlite",
    server: str = POSTGRES_URL,
) -> dict[str, float]:
    skip = ambiguous_ids(docs, originals)
    print(f"dedup: {len(skip)} ambiguous real copies left out of the store", file=sys.stderr)
    async with open_store(backend, workdir / "dedup.db", server) as db:
        repo = ArticleRepository(db, prior=background_shares)
        kept = by_date(d for d in docs if d["id"] not in skip)
        ids = await ingest(repo, kept, "dedup: ingest", segment)
        flags = true_flags = found = 0
        for v in variants:
            result = await repo.save(analysis_of({**v, "date": None, "source": None}, segment))
            if result.duplicate_of is not None:
                flags += 1
                if result.duplicate_of == ids.get(v["original"]):
                    true_flags += 1
                    found += 1
            if result.created:
                await repo.purge(result.article_id, segment.index_analysis)
        return {
            "precision": true_flags / flags if flags else 1.0,
            "recall": found / len(variants) if variants else 0.0,
        }


PROTOCOLS = ("related", "dedup", "young")
YOUNG_STORIES = 10  # stories in a young store, two articles each


async def young_store_protocol(
    docs: list[Doc],
    trials: int,
    segment: CachedSegmenter,
    backend: str = "sqlite",
    server: str = POSTGRES_URL,
) -> dict[str, float]:
    by_story: dict[str, list[Doc]] = defaultdict(list)
    for d in docs:
        by_story[d["story"]].append(d)
    stories = sorted(s for s, group in by_story.items() if len(group) >= 2)
    rng = random.Random(0)
    listed = same = partners = 0
    for _ in range(trials):
        picked = [d for s in rng.sample(stories, YOUNG_STORIES) for d in rng.sample(by_story[s], 2)]
        with tempfile.TemporaryDirectory(prefix="zhaiyao-young-") as tmp:
            async with open_store(backend, Path(tmp) / "young.db", server) as db:
                repo = ArticleRepository(db, prior=background_shares)
                story_of: dict[int, str] = {}
                for d in picked:
                    result = await repo.save(analysis_of(d, segment))
                    if result.duplicate_of is None:  # a copy is shown as a copy, not related
                        story_of[result.article_id] = d["story"]
                for article_id, story in story_of.items():
                    partners += sum(s == story for s in story_of.values()) - 1
                    for related in await repo.related(article_id, limit=len(picked)):
                        listed += 1
                        same += story_of.get(related.article_id) == story
    return {
        "precision": same / listed if listed else 1.0,
        "recall": same / partners if partners else 0.0,
    }


def table(rows: list[tuple[str, dict[str, float]]], cols: list[str]) -> str:
    out = ["| method | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, m in rows:
        out.append(
            f"| {name} | " + " | ".join(f"{m.get(c, float('nan')):.3f}" for c in cols) + " |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--db", type=Path, help="keep the SQLite related-stories store here")
    parser.add_argument("--reuse", action="store_true", help="with --db: skip the ingest")
    parser.add_argument(
        "--protocols", nargs="+", choices=PROTOCOLS, default=list(PROTOCOLS), help="which to run"
    )
    parser.add_argument("--young-trials", type=int, default=20, help="young stores to build")
    parser.add_argument(
        "--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS), help="stores to test"
    )
    parser.add_argument("--postgres-url", default=POSTGRES_URL, help="server for fresh databases")
    parser.add_argument(
        "--stories-share",
        type=float,
        default=1.0,
        help="keep this share of the stories (seeded): their documents, queries, originals",
    )
    args = parser.parse_args(argv)
    docs, queries, qrels, originals, variants = load(args.data)
    if args.stories_share < 1:
        docs, queries, qrels, originals, variants = subset(
            args.stories_share, docs, queries, qrels, originals, variants
        )
    segment = CachedSegmenter()
    report: dict[str, Any] = {"young": {}, "related": {}, "dedup": {}}
    if "young" in args.protocols:
        print(
            f"| young store ({YOUNG_STORIES} stories × 2 articles, {args.young_trials} trials)"
            " | precision | recall |\n|---|---|---|"
        )
        for backend in args.backends:
            young = asyncio.run(
                young_store_protocol(docs, args.young_trials, segment, backend, args.postgres_url)
            )
            report["young"][backend] = young
            print(f"| zhaiyao related() on {backend} | {young['precision']:.3f} |"
                  f" {young['recall']:.3f} |")  # fmt: skip
        print()
    if "related" in args.protocols:
        report["related"] = related_report(args, docs, queries, qrels, segment)
    if "dedup" in args.protocols:
        print("| near-duplicates | precision | recall |\n|---|---|---|")
        for backend in args.backends:
            with tempfile.TemporaryDirectory(prefix="zhaiyao-dedup-") as tmp:
                dedup = asyncio.run(
                    dedup_protocol(
                        docs, originals, variants, Path(tmp), segment, backend, args.postgres_url
                    )
                )
            report["dedup"][backend] = dedup
            print(
                f"| zhaiyao save() on {backend} (MinHash-LSH + exact check) |"
                f" {dedup['precision']:.3f} | {dedup['recall']:.3f} |"
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


def related_report(
    args: argparse.Namespace,
    docs: list[Doc],
    queries: list[Doc],
    qrels: dict[str, dict[str, int]],
    segment: CachedSegmenter,
) -> dict[str, dict[str, float]]:
    rows = []
    keep = ("ndcg@10", "p@5_story", "p@5_event", "mrr_event")
    out: dict[str, dict[str, float]] = {}
    for backend in args.backends:
        with tempfile.TemporaryDirectory(prefix="zhaiyao-related-") as tmp:
            path = args.db or Path(tmp) / "related.db"
            if args.db and not args.reuse:
                path.unlink(missing_ok=True)
            ranked, p50 = asyncio.run(
                related_protocol(
                    docs, queries, path, segment, args.reuse, backend, args.postgres_url
                )
            )
        ours = metrics(ranked, qrels)
        rows.append((f"zhaiyao storage on {backend} (related p50 {p50:.1f} ms)", ours))
        out[backend] = {k: ours[k] for k in keep}
    if not args.no_anchors:
        try:
            from bench.related_anchors import anchor_rankings
        except ImportError:  # run as a script: bench/ is on sys.path
            from related_anchors import anchor_rankings  # type: ignore[no-redef]

        seg: Callable[[str], str] = segment
        for name, ranking in anchor_rankings(docs, queries, seg):
            rows.append((name, metrics(ranking, qrels)))
    cols = ["ndcg@10", "p@5_story", "p@5_event", "r@10_event", "mrr_event", "map@100_story"]
    print(table(rows, cols))
    print()
    return out


if __name__ == "__main__":
    raise SystemExit(main())
