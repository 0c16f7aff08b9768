"""The article repository: analysed articles in, dataclasses out.

Every write keeps the row, its full-text entry and its LSH bands in one transaction, so a
crash mid-write leaves either all of them or none. Republished copies (same canonical
URL, or a MinHash-LSH candidate whose exact character-shingle overlap confirms it) join
the family of the first copy: they are stored, linked by ``duplicate_of`` to that first
copy, and left out of the full-text index, so search and related stories show a story
once. Copy detection is in :mod:`storage.dedup`, index writes in :mod:`storage.fulltext`,
ranking in :mod:`storage.related`, index forms in :mod:`storage.indexing`.

Storage does no language processing: an article's index words, MinHash signature and
copy test come with its analysis (``summarizer.analyze``); a search comes as words the
caller segmented; rebuilding index entries of stored articles (reindex, purge, a copy
between backends) asks the caller's ``Reanalyse`` for them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from storage.db import Connection, Database, Record, read_time
from storage.dedup import (
    BANDS,
    ROWS,
    Banded,
    BandIndex,
    band_keys,
    family_outlets,
    find_first_copy,
    parse_signature,
    signature_blob,
)
from storage.errors import NotFound, StorageError
from storage.fulltext import (
    IndexBatch,
    TermPrior,
    document_frequencies,
    index_root,
    unindex_root,
)
from storage.indexing import Reanalyse, Segmented, segment_article, term_vector
from storage.related import pairwise_similarity, rank_related
from storage.urls import canonical_url
from summarizer.model import Analysis, Article, CopyCheck, EntityCount, IndexTerms, ListedStory

__all__ = ["ArticleRepository", "SaveResult", "StoredArticle"]

_COLUMNS = (
    "id, duplicate_of, title, url, source, author, published_at, lang, summary, entities,"
    " keywords, created_at, text"
)


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    article: Article
    summary: tuple[str, ...]
    entities: tuple[EntityCount, ...]
    keywords: tuple[str, ...]
    duplicate_of: int | None
    created_at: datetime

    def listed(self) -> ListedStory:
        """This article as a list shows it (search results)."""
        a = self.article
        return ListedStory(
            self.id,
            a.title,
            a.url,
            a.source,
            a.published_at,
            duplicate_of=self.duplicate_of,
            keywords=self.keywords,
            entities=self.entities,
        )


@dataclass(frozen=True, slots=True)
class SaveResult:
    article_id: int
    created: bool
    duplicate_of: int | None  # the family's first copy when this is a republished copy
    outlets: int  # distinct copies/outlets in the family, >= 1


def _day(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp() / 86400.0


def _to_stored(row: Record) -> StoredArticle:
    published = row["published_at"]
    article = Article(
        title=row["title"],
        text=row["text"],
        url=row["url"],
        source=row["source"],
        author=row["author"],
        published_at=datetime.fromisoformat(published) if published else None,
        lang=row["lang"],
    )
    return StoredArticle(
        id=row["id"],
        article=article,
        summary=tuple(json.loads(row["summary"])),
        entities=tuple(EntityCount(t, k, n) for t, k, n in json.loads(row["entities"])),
        keywords=tuple(json.loads(row["keywords"])),
        duplicate_of=row["duplicate_of"],
        created_at=read_time(row["created_at"]),
    )


class ArticleRepository:
    """Articles with URL/fingerprint de-duplication, full-text search and related stories.

    ``prior`` is the document-frequency prior of a young store (see
    :mod:`storage.fulltext`; the bot passes ``summarizer.keywords.background_shares``);
    without one a young store's IDF is its own counts alone.
    """

    def __init__(self, db: Database, *, prior: TermPrior | None = None) -> None:
        self.db = db
        self.prior = prior

    # ----------------------------------------------------------------- writes
    async def save(self, analysis: Analysis) -> SaveResult:
        return (await self.save_many([analysis]))[0]

    async def save_many(self, analyses: Sequence[Analysis]) -> list[SaveResult]:
        """Bulk import: like :meth:`save` for each, in one transaction (all or nothing).

        Term vectors of a batch are weighted with the document frequencies as of the
        batch's start, and the frequencies are updated once per batch.
        """
        # counting words and hashing bands take a millisecond per article: off the event loop
        prepared = await asyncio.to_thread(lambda: [_prepare(a) for a in analyses])
        all_terms = sorted({t for p in prepared for t in p.segmented.term_ids})
        async with self.db.transaction() as conn:
            # what the batch looks up, read once: on PostgreSQL each statement is a round
            # trip, so per-article lookups would cost more than the writes
            batch = _Batch(
                await IndexBatch.load(conn, all_terms, self.prior),
                await BandIndex.load(conn, [k for p in prepared for k in p.keys]),
                await _same_urls(conn, [p.canonical for p in prepared if p.canonical]),
            )
            results = [await self._save_in(conn, p, batch) for p in prepared]
            await conn.executemany(
                "INSERT INTO article_bands (key, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
                batch.bands,
            )
            await batch.index.flush(conn)
            return results

    async def _save_in(self, conn: Connection, prepared: _Prepared, batch: _Batch) -> SaveResult:
        analysis, article = prepared.analysis, prepared.analysis.article
        if prepared.canonical is not None:
            same_url = batch.urls.get(prepared.canonical)
            if same_url is not None:
                first, first_root = same_url
                return SaveResult(
                    first, False, first_root, await family_outlets(conn, first_root or first)
                )
        keys = prepared.keys
        candidates = batch.bands_index.sharing(keys)
        root = await find_first_copy(conn, candidates, prepared.signature, prepared.check)
        if root is not None and prepared.canonical is None:
            # The same text pasted again (no URL): that article, not another outlet's copy.
            async with conn.execute(
                "SELECT id, duplicate_of FROM articles WHERE (id = ? OR duplicate_of = ?)"
                " AND text = ? AND title = ? AND source IS NOT DISTINCT FROM ? ORDER BY id LIMIT 1",
                (root, root, article.text, article.title, article.source),
            ) as cur:
                same_text = await cur.fetchone()
            if same_text is not None:
                return SaveResult(
                    same_text["id"],
                    False,
                    same_text["duplicate_of"],
                    await family_outlets(conn, root),
                )
        vector = batch.index.vector(prepared.segmented)
        now = datetime.now(UTC)
        cur = await conn.execute(
            "INSERT INTO articles (duplicate_of, story_day, title, url, canonical_url,"
            " source, published_at, terms, term_norm, entities, query_terms, author, lang,"
            " summary, keywords, fingerprint, created_at, text)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                root,
                _day(article.published_at or now),
                article.title,
                article.url,
                prepared.canonical,
                article.source,
                article.published_at.isoformat() if article.published_at else None,
                vector.blob(),
                vector.norm,
                _json([[c.text, c.type, c.count] for c in analysis.entity_counts]),
                _json(vector.words),
                article.author,
                article.lang,
                _json([s.text for s in analysis.summary]),
                _json(list(analysis.keywords)),
                signature_blob(prepared.signature),
                now,
                article.text,
            ),
        )
        inserted = await cur.fetchone()
        assert inserted is not None
        article_id = int(inserted[0])
        batch.bands.extend((k, article_id) for k in keys)
        batch.bands_index.add(keys, Banded(article_id, root, signature_blob(prepared.signature)))
        if prepared.canonical is not None:
            batch.urls[prepared.canonical] = (article_id, root)
        if root is None:
            batch.index.index(article_id, prepared.segmented)
            return SaveResult(article_id, True, None, 1)
        return SaveResult(article_id, True, root, await family_outlets(conn, root))

    async def purge(self, article_id: int, reanalyse: Reanalyse) -> None:
        """Delete an article and its index entries; its oldest copy becomes the new root.

        ``reanalyse`` gives the index words the article (and the copy promoted in its
        place) were indexed under: the ones its analysis gave when it was saved."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT id, duplicate_of, title, text, lang, fingerprint FROM articles"
                " WHERE id = ?",
                (article_id,),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                raise NotFound("article", article_id)
            keys = band_keys(parse_signature(row["fingerprint"]))
            await conn.executemany(
                "DELETE FROM article_bands WHERE key = ? AND article_id = ?",
                [(k, article_id) for k in keys],
            )
            if row["duplicate_of"] is None:
                await unindex_root(conn, article_id, _segmented(row, reanalyse))
                await self._promote_oldest_copy(conn, article_id, reanalyse)
            await conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    async def _promote_oldest_copy(self, conn: Connection, root: int, reanalyse: Reanalyse) -> None:
        async with conn.execute(
            "SELECT id, title, text, lang FROM articles WHERE duplicate_of = ? ORDER BY id LIMIT 1",
            (root,),
        ) as cur:
            heir = await cur.fetchone()
        if heir is None:
            return
        await conn.execute("UPDATE articles SET duplicate_of = NULL WHERE id = ?", (heir["id"],))
        await conn.execute(
            "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ?", (heir["id"], root)
        )
        await index_root(conn, heir["id"], _segmented(heir, reanalyse))

    async def reindex(
        self, reanalyse: Reanalyse, progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Rebuild the full-text index, LSH bands, document frequencies and term vectors
        from ``reanalyse``'s index words and signature for every stored article.

        Run after a change of segmenter or ranking method, or after a bulk import (term
        vectors are weighted with the IDF of their time). One write transaction, so the
        new index is swapped in whole at commit: until then readers (their own pooled
        connections) see the old one. ``progress(done, total)`` is called as articles
        are processed (each article is visited twice: frequencies, vectors).
        """
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT count(*) FROM articles") as cur:
                total = int((await cur.fetchone() or (0,))[0])
            await conn.backend.fulltext.clear(conn)
            await conn.execute("DELETE FROM article_bands")
            await conn.execute("DELETE FROM term_df")
            await conn.execute("UPDATE index_stats SET value = 0 WHERE name = 'indexed_docs'")
            done = 0
            # a batch of rows at a time: the caller's analysis off the event loop, and a
            # few statements per batch (on PostgreSQL each is a round trip)
            async for rows in _batches(conn, "id, duplicate_of, title, text, lang"):
                found = await asyncio.to_thread(_reanalysed, rows, reanalyse)
                for _terms, signature in found:
                    _check_signature(signature)
                await conn.executemany(
                    "UPDATE articles SET fingerprint = ? WHERE id = ?",
                    [(signature_blob(f[1]), r["id"]) for r, f in zip(rows, found, strict=True)],
                )
                await conn.executemany(
                    "INSERT INTO article_bands (key, article_id) VALUES (?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [
                        (k, r["id"])
                        for r, f in zip(rows, found, strict=True)
                        for k in band_keys(f[1])
                    ],
                )
                roots = IndexBatch({}, 0)
                for row, (terms, _signature) in zip(rows, found, strict=True):
                    if row["duplicate_of"] is None:
                        roots.index(row["id"], segment_article(terms))
                await roots.flush(conn)
                done = _advance(progress, done, len(rows), 2 * total)
            async for rows in _batches(conn, "id, title, text, lang"):
                found = await asyncio.to_thread(_reanalysed, rows, reanalyse)
                segs = [segment_article(terms) for terms, _signature in found]
                ids = sorted({t for seg in segs for t in seg.term_ids})
                df, docs = await document_frequencies(conn, ids, self.prior)
                vectors = [term_vector(seg, df, docs) for seg in segs]
                await conn.executemany(
                    "UPDATE articles SET terms = ?, term_norm = ?, query_terms = ? WHERE id = ?",
                    [
                        (v.blob(), v.norm, _json(v.words), r["id"])
                        for r, v in zip(rows, vectors, strict=True)
                    ],
                )
                done = _advance(progress, done, len(rows), 2 * total)
            await conn.backend.fulltext.optimize(conn)
        if progress is not None:
            progress(2 * total, 2 * total)
        return total

    async def rebuild_fulltext(self, reanalyse: Reanalyse) -> int:
        """Rebuild only the full-text index from the stored family roots, leaving rows,
        frequencies and vectors as they are (after a copy between backends, whose
        full-text indexes differ in form); one transaction. The roots indexed."""
        async with self.db.transaction() as conn:
            await conn.backend.fulltext.clear(conn)
            count = 0
            async for rows in _batches(conn, "id, title, text, lang", "duplicate_of IS NULL"):
                found = await asyncio.to_thread(_reanalysed, rows, reanalyse)
                entries = [
                    (r["id"], segment_article(f[0])) for r, f in zip(rows, found, strict=True)
                ]
                await conn.backend.fulltext.add(conn, entries)
                count += len(entries)
            await conn.backend.fulltext.optimize(conn)
        return count

    async def optimize_index(self) -> None:
        """Fold the full-text index into its fastest form for related-story lookups
        (SQLite: FTS5's segments merged into one; ~2 minutes at 1M articles, readers
        unaffected). Reindex and rebuild do it themselves; run it after a large import or
        from time to time on a store that grows by single saves."""
        async with self.db.transaction() as conn:
            await conn.backend.fulltext.optimize(conn)

    # ------------------------------------------------------------------ reads
    async def get(self, article_id: int) -> StoredArticle:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,))
        if row is None:
            raise NotFound("article", article_id)
        return _to_stored(row)

    async def count(self) -> int:
        """Stored articles, republished copies included."""
        return int(await self.db.scalar("SELECT count(*) FROM articles"))

    async def recent(self, limit: int = 20, since: datetime | None = None) -> list[StoredArticle]:
        """Newest stories first, one per duplicate family (the first copy)."""
        sql = f"SELECT {_COLUMNS} FROM articles WHERE duplicate_of IS NULL"
        params: list[object] = []
        if since is not None:
            sql += " AND created_at >= ?"
            params.append(since)
        sql += " ORDER BY id DESC LIMIT ?"
        params.append(limit)
        return [_to_stored(r) for r in await self.db.fetchall(sql, params)]

    async def duplicates(self, article_id: int) -> list[StoredArticle]:
        """The other members of the article's family (first copy and republished copies)."""
        row = await self.db.fetchone(
            "SELECT id, duplicate_of FROM articles WHERE id = ?", (article_id,)
        )
        if row is None:
            raise NotFound("article", article_id)
        root = row["duplicate_of"] or row["id"]
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM articles WHERE (id = ? OR duplicate_of = ?) AND id != ?"
            " ORDER BY id",
            (root, root, article_id),
        )
        return [_to_stored(r) for r in rows]

    async def search(self, words: Sequence[str], limit: int = 10) -> list[StoredArticle]:
        """Stories matching every one of ``words`` (any of them if none matches them all):
        a query as the caller segmented it (``summarizer.tokenize.search_words``).

        Words reach the index as bound values quoted for it (an FTS5 string, a
        ``phraseto_tsquery``), so quotes, AND/OR/NEAR, ``*``, ``^``, parentheses and column
        filters in user input are searched for, never executed.
        """
        words = [w for w in dict.fromkeys(words) if _searchable(w)]
        if not words or limit <= 0:
            return []
        # every word; failing that, any word long enough to mean something on its own
        for every, used in ((True, words), (False, [w for w in words if len(w) > 1])):
            if not used:
                continue
            async with self.db.reading() as conn:
                ids = await conn.backend.fulltext.search(conn, used, every=every, limit=limit)
                if ids:
                    return await _stored_in_order(conn, ids)
        return []

    async def related(self, article_id: int, limit: int = 5) -> list[ListedStory]:
        """Other stories about the same people, places or event: never the article itself
        or its copies, one entry per family, recent ones preferred."""
        async with self.db.reading() as conn:  # one snapshot for the whole lookup
            return await rank_related(conn, article_id, limit, self.prior)

    async def similarities(self, article_ids: Sequence[int]) -> list[list[float]]:
        """TF-IDF cosine between every two of ``article_ids`` (a matrix in their order)."""
        async with self.db.reading() as conn:
            return await pairwise_similarity(conn, article_ids, self.prior)


@dataclass(frozen=True, slots=True)
class _Prepared:
    analysis: Analysis
    canonical: str | None
    signature: tuple[int, ...]
    keys: list[int]  # LSH band keys of the signature
    segmented: Segmented
    check: CopyCheck


@dataclass(slots=True)
class _Batch:
    """A ``save_many`` transaction's lookups and deferred writes."""

    index: IndexBatch
    bands_index: BandIndex
    urls: dict[str, tuple[int, int | None]]  # canonical URL -> (id, duplicate_of)
    bands: list[tuple[int, int]] = field(default_factory=list)  # written at the end


async def _same_urls(conn: Connection, urls: Sequence[str]) -> dict[str, tuple[int, int | None]]:
    """Stored articles under any of the canonical ``urls``."""
    found: dict[str, tuple[int, int | None]] = {}
    wanted = sorted(set(urls))
    for start in range(0, len(wanted), 500):
        where, params = conn.backend.any_of("canonical_url", wanted[start : start + 500])
        rows = await conn.fetchall(
            f"SELECT canonical_url, id, duplicate_of FROM articles WHERE {where}", params
        )
        found.update((r[0], (r[1], r[2])) for r in rows)
    return found


def _prepare(analysis: Analysis) -> _Prepared:
    """The CPU part of a save (term frequencies), outside the write lock: from the
    analysis's own index words, signature and copy check (``analyze`` builds them)."""
    terms, check = analysis.index_terms, analysis.copy_check
    if terms is None or check is None:
        raise StorageError(
            "the analysis has no index terms or copy check: build it with summarizer.analyze"
        )
    _check_signature(analysis.fingerprint)
    return _Prepared(
        analysis=analysis,
        canonical=canonical_url(analysis.article.url),
        signature=tuple(analysis.fingerprint),
        keys=band_keys(analysis.fingerprint),
        segmented=segment_article(terms),
        check=check,
    )


def _advance(progress: Callable[[int, int], None] | None, done: int, more: int, total: int) -> int:
    """``done + more``, told to ``progress`` at every hundred passed."""
    if progress is not None and (done + more) // 100 > done // 100:
        progress((done + more) // 100 * 100, total)
    return done + more


def _check_signature(signature: Sequence[int]) -> None:
    if len(signature) < BANDS * ROWS:
        raise StorageError(
            f"a MinHash signature of {len(signature)} minima: at least {BANDS * ROWS} needed"
        )


def _article(row: Record) -> Article:
    return Article(title=row["title"], text=row["text"], lang=row["lang"])


def _reanalysed(
    rows: list[Record], reanalyse: Reanalyse
) -> list[tuple[IndexTerms, tuple[int, ...]]]:
    return [reanalyse(_article(r)) for r in rows]


def _segmented(row: Record, reanalyse: Reanalyse) -> Segmented:
    return segment_article(reanalyse(_article(row))[0])


async def _batches(
    conn: Connection, columns: str, where: str = "TRUE"
) -> AsyncIterator[list[Record]]:
    last = 0
    while True:
        async with conn.execute(
            f"SELECT {columns} FROM articles WHERE id > ? AND {where} ORDER BY id LIMIT 500",
            (last,),
        ) as cur:
            rows = list(await cur.fetchall())
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


async def _stored_in_order(conn: Connection, ids: Sequence[int]) -> list[StoredArticle]:
    where, params = conn.backend.any_of("id", ids)
    rows = await conn.fetchall(f"SELECT {_COLUMNS} FROM articles WHERE {where}", params)
    by_id = {r["id"]: _to_stored(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _searchable(word: str) -> bool:
    return any(ch.isalnum() for ch in word)
