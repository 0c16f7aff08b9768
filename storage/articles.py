"""The article repository: analysed articles in, dataclasses out.

Every write keeps the row, its full-text entry and its LSH bands in one transaction, so a
crash mid-write leaves either all of them or none. Republished copies (same canonical
URL, or a MinHash-LSH candidate whose exact character-shingle overlap confirms it) join
the family of the first copy: they are stored, linked by ``duplicate_of`` to that first
copy, and left out of the full-text index, so search and related stories show a story
once. Copy detection is in :mod:`storage.dedup`, index writes in :mod:`storage.fulltext`,
ranking in :mod:`storage.related`, index forms in :mod:`storage.indexing`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from storage.db import Connection, Database, Record, read_time
from storage.dedup import family_outlets, find_first_copy, parse_signature, signature_blob
from storage.errors import NotFound
from storage.fulltext import IndexBatch, current_vector, index_root, unindex_root
from storage.indexing import Segmented, Segmenter, segment_article
from storage.related import pairwise_similarity, rank_related
from storage.urls import canonical_url
from summarizer.fingerprint import NUM_PERM, band_keys, minhash_signature
from summarizer.model import Analysis, Article, EntityCount, ListedStory
from summarizer.tokenize import segment_for_index

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

    ``segment`` turns text into the space-separated words the index stores; the default is
    jieba's search mode. Benchmarks pass a cached segmenter; production never needs to.
    """

    def __init__(self, db: Database, *, segment: Segmenter = segment_for_index) -> None:
        self.db = db
        self._segment = segment

    # ----------------------------------------------------------------- writes
    async def save(self, analysis: Analysis) -> SaveResult:
        return (await self.save_many([analysis]))[0]

    async def save_many(self, analyses: Sequence[Analysis]) -> list[SaveResult]:
        """Bulk import: like :meth:`save` for each, in one transaction (all or nothing).

        Term vectors of a batch are weighted with the document frequencies as of the
        batch's start, and the frequencies are updated once per batch.
        """
        # segmenting and hashing take milliseconds per article: keep them off the event loop
        prepared = await asyncio.to_thread(lambda: [self._prepare(a) for a in analyses])
        all_terms = sorted({t for p in prepared for t in p.segmented.term_ids})
        async with self.db.transaction() as conn:
            batch = await IndexBatch.load(conn, all_terms)
            results = [await self._save_in(conn, p, batch) for p in prepared]
            await batch.flush(conn)
            return results

    def _prepare(self, analysis: Analysis) -> _Prepared:
        """The CPU-heavy part of a save (term frequencies, band keys), outside the write
        lock. The index words and the signature are the analysis's own (``analyze``
        builds them); only a hand-built analysis without them is segmented or hashed
        here, with this repository's segmenter."""
        article = analysis.article
        signature = analysis.fingerprint
        if len(signature) != NUM_PERM:
            signature = minhash_signature(article.text)
        terms = analysis.index_terms
        if terms is None:
            segmented = segment_article(article.title, article.text, self._segment)
        else:
            segmented = segment_article(terms.title, terms.body, _as_given)
        return _Prepared(
            analysis=analysis,
            canonical=canonical_url(article.url),
            signature=tuple(signature),
            segmented=segmented,
        )

    async def _save_in(
        self, conn: Connection, prepared: _Prepared, batch: IndexBatch
    ) -> SaveResult:
        analysis, article = prepared.analysis, prepared.analysis.article
        if prepared.canonical is not None:
            async with conn.execute(
                "SELECT id, duplicate_of FROM articles WHERE canonical_url = ?",
                (prepared.canonical,),
            ) as cur:
                same_url = await cur.fetchone()
            if same_url is not None:
                root = same_url["duplicate_of"] or same_url["id"]
                return SaveResult(
                    same_url["id"],
                    False,
                    same_url["duplicate_of"],
                    await family_outlets(conn, root),
                )
        keys = band_keys(prepared.signature)
        root = await find_first_copy(conn, keys, prepared.signature, article.text)
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
        vector = batch.vector(prepared.segmented)
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
        await conn.executemany(
            "INSERT INTO article_bands (key, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(k, article_id) for k in keys],
        )
        if root is None:
            await batch.index(conn, article_id, prepared.segmented)
            return SaveResult(article_id, True, None, 1)
        return SaveResult(article_id, True, root, await family_outlets(conn, root))

    async def purge(self, article_id: int) -> None:
        """Delete an article and its index entries; its oldest copy becomes the new root."""
        async with self.db.transaction() as conn:
            async with conn.execute(
                "SELECT id, duplicate_of, title, text, fingerprint FROM articles WHERE id = ?",
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
                seg = segment_article(row["title"], row["text"], self._segment)
                await unindex_root(conn, article_id, seg)
                await self._promote_oldest_copy(conn, article_id)
            await conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))

    async def _promote_oldest_copy(self, conn: Connection, root: int) -> None:
        async with conn.execute(
            "SELECT id, title, text FROM articles WHERE duplicate_of = ? ORDER BY id LIMIT 1",
            (root,),
        ) as cur:
            heir = await cur.fetchone()
        if heir is None:
            return
        await conn.execute("UPDATE articles SET duplicate_of = NULL WHERE id = ?", (heir["id"],))
        await conn.execute(
            "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ?", (heir["id"], root)
        )
        await index_root(
            conn, heir["id"], segment_article(heir["title"], heir["text"], self._segment)
        )

    async def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the full-text index, LSH bands, document frequencies and term vectors.

        Run after a change of segmenter or ranking method, or after a bulk import (term
        vectors are weighted with the IDF of their time). One transaction: readers see
        the old index until the new one is complete. ``progress(done, total)`` is called
        as articles are processed (each article is visited twice: frequencies, vectors).
        """
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT count(*) FROM articles") as cur:
                total = int((await cur.fetchone() or (0,))[0])
            await conn.backend.fulltext.clear(conn)
            await conn.execute("DELETE FROM article_bands")
            await conn.execute("DELETE FROM term_df")
            await conn.execute("UPDATE index_stats SET value = 0 WHERE name = 'indexed_docs'")
            done = 0
            async for row in _batches(conn, "id, duplicate_of, title, text"):
                signature = minhash_signature(row["text"])
                await conn.execute(
                    "UPDATE articles SET fingerprint = ? WHERE id = ?",
                    (signature_blob(signature), row["id"]),
                )
                await conn.executemany(
                    "INSERT INTO article_bands (key, article_id) VALUES (?, ?)"
                    " ON CONFLICT DO NOTHING",
                    [(k, row["id"]) for k in band_keys(signature)],
                )
                if row["duplicate_of"] is None:
                    seg = segment_article(row["title"], row["text"], self._segment)
                    await index_root(conn, row["id"], seg)
                done += 1
                if progress is not None and done % 100 == 0:
                    progress(done, 2 * total)
            async for row in _batches(conn, "id, title, text"):
                seg = segment_article(row["title"], row["text"], self._segment)
                vector = await current_vector(conn, seg)
                await conn.execute(
                    "UPDATE articles SET terms = ?, term_norm = ?, query_terms = ? WHERE id = ?",
                    (vector.blob(), vector.norm, _json(vector.words), row["id"]),
                )
                done += 1
                if progress is not None and done % 100 == 0:
                    progress(done, 2 * total)
        if progress is not None:
            progress(2 * total, 2 * total)
        return total

    async def rebuild_fulltext(self) -> int:
        """Rebuild only the full-text index from the stored family roots, leaving rows,
        frequencies and vectors as they are (after a copy between backends, whose
        full-text indexes differ in form); one transaction. The roots indexed."""
        async with self.db.transaction() as conn:
            await conn.backend.fulltext.clear(conn)
            count = 0
            async for row in _batches(conn, "id, title, text", "duplicate_of IS NULL"):
                seg = segment_article(row["title"], row["text"], self._segment)
                await conn.backend.fulltext.add(conn, row["id"], seg)
                count += 1
        return count

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

    async def search(self, query: str, limit: int = 10) -> list[StoredArticle]:
        """Stories matching every word of ``query`` (any word if none matches them all).

        Words reach the index as bound values quoted for it (an FTS5 string, a
        ``phraseto_tsquery``), so quotes, AND/OR/NEAR, ``*``, ``^``, parentheses and column
        filters in user input are searched for, never executed.
        """
        words = [w for w in dict.fromkeys(self._segment(query).split()) if _searchable(w)]
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
            return await rank_related(conn, article_id, limit)

    async def similarities(self, article_ids: Sequence[int]) -> list[list[float]]:
        """TF-IDF cosine between every two of ``article_ids`` (a matrix in their order)."""
        async with self.db.reading() as conn:
            return await pairwise_similarity(conn, article_ids)


@dataclass(frozen=True, slots=True)
class _Prepared:
    analysis: Analysis
    canonical: str | None
    signature: tuple[int, ...]
    segmented: Segmented


async def _batches(conn: Connection, columns: str, where: str = "TRUE") -> AsyncIterator[Record]:
    last = 0
    while True:
        async with conn.execute(
            f"SELECT {columns} FROM articles WHERE id > ? AND {where} ORDER BY id LIMIT 500",
            (last,),
        ) as cur:
            rows = list(await cur.fetchall())
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1]["id"]


async def _stored_in_order(conn: Connection, ids: Sequence[int]) -> list[StoredArticle]:
    where, params = conn.backend.any_of("id", ids)
    rows = await conn.fetchall(f"SELECT {_COLUMNS} FROM articles WHERE {where}", params)
    by_id = {r["id"]: _to_stored(r) for r in rows}
    return [by_id[i] for i in ids if i in by_id]


def _as_given(words: str) -> str:
    return words


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _searchable(word: str) -> bool:
    return any(ch.isalnum() for ch in word)
