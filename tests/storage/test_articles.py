from __future__ import annotations

import asyncio
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from storage import Database
from storage.articles import ArticleRepository
from storage.errors import NotFound
from storage.fulltext import PRIOR_DOCS, document_frequencies
from storage.indexing import idf
from storage.related import MIN_SIMILARITY, article_with_frequencies
from summarizer.analyze import index_analysis
from summarizer.keywords import background_shares
from summarizer.model import IndexTerms, term_id
from summarizer.tokenize import search_words
from tests.storage.conftest import fail_inserts, indexed_with, make_analysis, stop_failing
from tests.storage.corpus import (
    BASKETBALL,
    COOPERATION,
    FLOOD,
    FLOOD_FOLLOWUP,
    LAUNCH,
    LAUNCH_FOLLOWUP,
    LAUNCH_RETRO,
    MARKET,
    RECIPE,
    STORM,
    STORM_FOLLOWUP,
    republish,
)

DAY = datetime(2021, 7, 20, 8, 0, tzinfo=UTC)


fts_rows = indexed_with


async def band_rows(db: Database, article_id: int) -> int:
    return int(
        await db.scalar("SELECT count(*) FROM article_bands WHERE article_id = ?", (article_id,))
    )


async def test_save_get_recent_round_trip(repo: ArticleRepository) -> None:
    analysis = make_analysis(
        "郑州遭遇特大暴雨",
        FLOOD,
        url="https://news.example.com/a/1",
        source="示例新闻",
        published_at=DAY,
        entities=(("郑州市", "LOC"), ("河南省", "LOC")),
    )
    result = await repo.save(analysis)
    assert result.created and result.duplicate_of is None and result.outlets == 1
    stored = await repo.get(result.article_id)
    assert stored.article == analysis.article
    assert stored.summary == (analysis.summary[0].text,)
    assert {(e.text, e.type) for e in stored.entities} == {("郑州市", "LOC"), ("河南省", "LOC")}
    assert stored.keywords == analysis.keywords
    assert stored.duplicate_of is None
    second = await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    assert [a.id for a in await repo.recent()] == [second.article_id, result.article_id]
    assert [a.id for a in await repo.recent(limit=1)] == [second.article_id]
    future = datetime.now(UTC) + timedelta(days=1)
    assert await repo.recent(since=future) == []
    assert await repo.count() == 2


async def test_get_missing_raises_not_found(repo: ArticleRepository) -> None:
    with pytest.raises(NotFound):
        await repo.get(12345)
    with pytest.raises(NotFound):
        await repo.purge(12345, index_analysis)
    with pytest.raises(NotFound):
        await repo.related(12345)


async def test_same_url_with_tracking_is_one_article(repo: ArticleRepository) -> None:
    first = await repo.save(make_analysis("郑州暴雨", FLOOD, url="https://News.Example.com/a/1/"))
    again = await repo.save(
        make_analysis(
            "郑州暴雨（更新）",
            FLOOD_FOLLOWUP,
            url="https://news.example.com/a/1?utm_source=wechat&utm_medium=share#top",
        )
    )
    assert not again.created and again.article_id == first.article_id
    assert await repo.count() == 1


async def test_the_same_text_pasted_again_is_the_same_article(repo: ArticleRepository) -> None:
    first = await repo.save(make_analysis("郑州暴雨", FLOOD))
    again = await repo.save(make_analysis("郑州暴雨", FLOOD))
    assert (again.article_id, again.created, again.outlets) == (first.article_id, False, 1)
    # the same text from a named outlet is that outlet's copy
    copy = await repo.save(make_analysis("郑州暴雨", FLOOD, source="乙网"))
    assert copy.created and copy.duplicate_of == first.article_id and copy.outlets == 2
    assert await repo.count() == 2


async def test_republished_copy_links_to_first_copy(repo: ArticleRepository, db: Database) -> None:
    first = await repo.save(
        make_analysis("郑州暴雨", FLOOD, url="https://a.example/1", source="甲报")
    )
    copy1 = await repo.save(
        make_analysis("郑州暴雨", republish(FLOOD), url="https://b.example/2", source="乙网")
    )
    assert copy1.created and copy1.duplicate_of == first.article_id and copy1.outlets == 2
    # a copy of the copy still links to the FIRST copy, not to the copy it resembles most
    copy2 = await repo.save(
        make_analysis(
            "郑州暴雨", republish(republish(FLOOD)), url="https://c.example/3", source="丙台"
        )
    )
    assert copy2.duplicate_of == first.article_id and copy2.outlets == 3
    # a different story is not a duplicate
    other = await repo.save(make_analysis("郑州灾后", FLOOD_FOLLOWUP, url="https://d.example/4"))
    assert other.duplicate_of is None and other.outlets == 1
    dups = await repo.duplicates(first.article_id)
    assert [d.id for d in dups] == [copy1.article_id, copy2.article_id]
    assert [d.id for d in await repo.duplicates(copy1.article_id)] == [
        first.article_id,
        copy2.article_id,
    ]
    # copies are not indexed for full text: search shows the story once
    assert await fts_rows(db, "暴雨") == [first.article_id, other.article_id]
    assert [a.id for a in await repo.recent()] == [other.article_id, first.article_id]


async def test_purge_removes_index_entries_and_promotes_oldest_copy(
    repo: ArticleRepository, db: Database
) -> None:
    first = await repo.save(make_analysis("郑州暴雨", FLOOD, source="甲报"))
    copy = await repo.save(make_analysis("郑州暴雨", republish(FLOOD), source="乙网"))
    later = await repo.save(make_analysis("郑州暴雨", republish(republish(FLOOD)), source="丙台"))
    launch = await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    assert await band_rows(db, first.article_id) > 0

    await repo.purge(first.article_id, index_analysis)
    with pytest.raises(NotFound):
        await repo.get(first.article_id)
    assert await band_rows(db, first.article_id) == 0
    # the oldest copy is now the family's first copy, indexed in its place
    heir = await repo.get(copy.article_id)
    assert heir.duplicate_of is None
    assert (await repo.get(later.article_id)).duplicate_of == copy.article_id
    assert await fts_rows(db, "暴雨") == [copy.article_id]
    assert await fts_rows(db, "神舟") == [launch.article_id]

    # re-inserting the purged text joins the surviving family
    again = await repo.save(make_analysis("郑州暴雨", FLOOD, source="甲报"))
    assert again.duplicate_of == copy.article_id and again.outlets == 3

    for article_id in (copy.article_id, later.article_id, again.article_id):
        await repo.purge(article_id, index_analysis)
    assert await fts_rows(db, "暴雨") == []
    assert await db.scalar("SELECT count(*) FROM article_bands") == await band_rows(
        db, launch.article_id
    )
    fresh = await repo.save(make_analysis("郑州暴雨", FLOOD))
    assert fresh.duplicate_of is None and await fts_rows(db, "暴雨") == [fresh.article_id]
    if db.dialect == "sqlite":
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")


async def test_crash_mid_write_stores_nothing(repo: ArticleRepository, db: Database) -> None:
    await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    before = [
        await db.scalar(f"SELECT count(*) FROM {table}") for table in ("articles", "article_bands")
    ]

    class Boom(Exception):
        pass

    # the FTS insert is the last index write of save(); make it fail inside the transaction
    await fail_inserts(db, "articles", "NEW.title = '崩溃'")
    with pytest.raises(Exception, match="boom"):
        await repo.save(make_analysis("崩溃", FLOOD))
    # an exception raised by our own code half-way through a transaction also rolls back
    with pytest.raises(Boom):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO article_bands (key, article_id) VALUES (1, 999)")
            raise Boom
    after = [
        await db.scalar(f"SELECT count(*) FROM {table}") for table in ("articles", "article_bands")
    ]
    assert after == before
    assert await fts_rows(db, "暴雨") == []
    ok = await repo.save(make_analysis("郑州暴雨", FLOOD))
    assert ok.created and await fts_rows(db, "暴雨") == [ok.article_id]


async def test_crash_between_index_writes_rolls_back_row_and_bands(
    repo: ArticleRepository, db: Database
) -> None:
    # fail the LSH band insert, after the article row is already written
    await fail_inserts(db, "article_bands")
    with pytest.raises(Exception, match="boom"):
        await repo.save(make_analysis("郑州暴雨", FLOOD))
    await stop_failing(db, "article_bands")
    assert await repo.count() == 0
    assert await db.scalar("SELECT count(*) FROM article_bands") == 0
    assert await fts_rows(db, "暴雨") == []
    saved = await repo.save(make_analysis("郑州暴雨", FLOOD))
    assert await fts_rows(db, "暴雨") == [saved.article_id]


async def test_related_excludes_self_and_duplicates(repo: ArticleRepository) -> None:
    flood = await repo.save(
        make_analysis(
            "郑州遭遇特大暴雨",
            FLOOD,
            published_at=DAY,
            entities=(("郑州市", "LOC"), ("河南省", "LOC")),
        )
    )
    copy = await repo.save(
        make_analysis(
            "郑州遭遇特大暴雨",
            republish(FLOOD),
            published_at=DAY,
            entities=(("郑州市", "LOC"), ("河南省", "LOC")),
        )
    )
    followup = await repo.save(
        make_analysis(
            "郑州积水消退",
            FLOOD_FOLLOWUP,
            published_at=DAY + timedelta(days=2),
            entities=(("郑州市", "LOC"), ("河南省", "LOC")),
        )
    )
    await repo.save(make_analysis("神舟十三号发射", LAUNCH, published_at=DAY))
    await repo.save(make_analysis("三季度经济数据", MARKET, published_at=DAY))
    for query in (flood.article_id, copy.article_id):
        related = await repo.related(query)
        ids = [r.article_id for r in related]
        assert flood.article_id not in ids and copy.article_id not in ids
        assert ids[0] == followup.article_id
        assert related[0].reason.startswith("共同地点") or related[0].reason == "同一事件"
        assert all(r.score > 0 for r in related)
    back = await repo.related(followup.article_id)
    assert [r.article_id for r in back][:1] == [flood.article_id]  # the family, once
    assert copy.article_id not in [r.article_id for r in back]
    assert await repo.related(flood.article_id, limit=0) == []


async def test_related_prefers_the_recent_story(repo: ArticleRepository) -> None:
    launch = await repo.save(make_analysis("神舟十三号发射", LAUNCH, published_at=DAY))
    near = await repo.save(
        make_analysis("神舟十三号出舱", LAUNCH_FOLLOWUP, published_at=DAY + timedelta(days=5))
    )
    far = await repo.save(
        make_analysis("神舟十三号任务回顾", LAUNCH_RETRO, published_at=DAY + timedelta(days=900))
    )
    ids = [r.article_id for r in await repo.related(launch.article_id)]
    assert ids.index(near.article_id) < ids.index(far.article_id)


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        '""',
        '暴雨" OR "神舟',
        "暴雨 AND 神舟",
        "暴雨 OR",
        "NEAR(暴雨 神舟)",
        "暴*",
        "*",
        "(((",
        "title:暴雨",
        "^暴雨",
        "- 暴雨",
        "暴雨 NOT 郑州",
        "'; DROP TABLE articles; --",
        "",
        "   ",
        "\x00",
    ],
)
async def test_search_with_hostile_input_never_errors(
    repo: ArticleRepository, hostile: str
) -> None:
    await repo.save(make_analysis("郑州遭遇特大暴雨", FLOOD))
    await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    results = await repo.search(search_words(hostile))
    assert isinstance(results, list)
    assert await repo.count() == 2


async def test_search_finds_words_not_operators(repo: ArticleRepository) -> None:
    flood = await repo.save(make_analysis("郑州遭遇特大暴雨", FLOOD))
    launch = await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    assert [a.id for a in await repo.search(search_words("郑州暴雨"))] == [flood.article_id]
    assert [a.id for a in await repo.search(search_words("神舟十三号"))] == [launch.article_id]
    # "OR" is a word to look for, not an operator: no document has all the words, so the
    # any-word fallback finds both stories
    assert {a.id for a in await repo.search(search_words("暴雨 OR 神舟"))} == {
        flood.article_id,
        launch.article_id,
    }
    assert await repo.search(search_words("不存在的词语组合火星")) == []


async def test_reindex_rebuilds_indexes(repo: ArticleRepository, db: Database) -> None:
    flood = await repo.save(make_analysis("郑州暴雨", FLOOD))
    await repo.save(make_analysis("郑州暴雨", republish(FLOOD)))
    launch = await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    before = await db.scalar("SELECT count(*) FROM article_bands")
    async with db.transaction() as conn:  # simulate a stale index
        await conn.execute("DELETE FROM article_bands")
        await conn.backend.fulltext.clear(conn)
    assert await fts_rows(db, "暴雨") == []
    seen: list[tuple[int, int]] = []
    assert await repo.reindex(index_analysis, lambda done, total: seen.append((done, total))) == 3
    assert seen[-1] == (6, 6)  # two passes: frequencies, then vectors
    assert await db.scalar("SELECT count(*) FROM article_bands") == before
    assert await fts_rows(db, "暴雨") == [flood.article_id]
    assert await fts_rows(db, "神舟") == [launch.article_id]
    copy = await repo.save(make_analysis("郑州暴雨", republish(republish(FLOOD))))
    assert copy.duplicate_of == flood.article_id


async def test_save_many_links_copies_within_one_batch(repo: ArticleRepository) -> None:
    results = await repo.save_many(
        [
            make_analysis("郑州暴雨", FLOOD, source="甲报"),
            make_analysis("神舟十三号发射", LAUNCH),
            make_analysis("郑州暴雨", republish(FLOOD), source="乙网"),
        ]
    )
    assert [r.created for r in results] == [True, True, True]
    assert results[2].duplicate_of == results[0].article_id and results[2].outlets == 2
    assert results[1].duplicate_of is None


async def test_save_many_is_all_or_nothing(repo: ArticleRepository, db: Database) -> None:
    await fail_inserts(db, "articles", "NEW.title = '崩溃'")
    with pytest.raises(Exception, match="boom"):
        await repo.save_many([make_analysis("郑州暴雨", FLOOD), make_analysis("崩溃", LAUNCH)])
    assert await repo.count() == 0
    assert await db.scalar("SELECT count(*) FROM term_df") == 0
    assert await fts_rows(db, "暴雨") == []


async def test_document_frequencies_stay_exact_under_purge(
    repo: ArticleRepository, db: Database
) -> None:
    flood = await repo.save(make_analysis("郑州暴雨", FLOOD))
    await repo.save(make_analysis("郑州暴雨", republish(FLOOD)))
    await repo.save(make_analysis("郑州积水消退", FLOOD_FOLLOWUP))
    launch = await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    await repo.purge(flood.article_id, index_analysis)  # the copy is promoted and counted instead
    await repo.purge(launch.article_id, index_analysis)

    async def snapshot() -> tuple[list[tuple[int, int]], int]:
        rows = await db.fetchall("SELECT id, df FROM term_df ORDER BY id")
        docs = await db.scalar("SELECT value FROM index_stats WHERE name = 'indexed_docs'")
        return [(r[0], r[1]) for r in rows], int(docs)

    incremental = await snapshot()
    assert incremental[1] == 2
    await repo.reindex(index_analysis)
    assert await snapshot() == incremental


async def test_a_young_store_lists_no_unrelated_story(repo: ArticleRepository) -> None:
    """Three stories: with only the store's own counts every shared 的 and 了 looked
    informative and each story listed the others; the IDF prior and the similarity
    floor leave only the follow-up of the same flood."""
    flood = await repo.save(make_analysis("郑州遭遇特大暴雨", FLOOD, published_at=DAY))
    followup = await repo.save(
        make_analysis("郑州积水消退", FLOOD_FOLLOWUP, published_at=DAY + timedelta(days=2))
    )
    launch = await repo.save(make_analysis("神舟十三号发射", LAUNCH, published_at=DAY))
    assert [r.article_id for r in await repo.related(flood.article_id)] == [followup.article_id]
    assert await repo.related(launch.article_id) == []
    related = await repo.related(followup.article_id)
    assert [r.article_id for r in related] == [flood.article_id]
    assert related[0].similarity >= MIN_SIMILARITY


async def test_stories_sharing_only_a_place_and_common_words_are_not_related(
    repo: ArticleRepository,
) -> None:
    game = await repo.save(make_analysis("篮协介入调查", BASKETBALL, published_at=DAY))
    await repo.save(make_analysis("沪滇扶贫协作", COOPERATION, published_at=DAY))
    assert await repo.related(game.article_id) == []


async def test_english_stories_are_not_related_through_function_words(
    repo: ArticleRepository,
) -> None:
    storm = await repo.save(make_analysis("Storm Ciaran hits Cornwall", STORM, published_at=DAY))
    after = await repo.save(make_analysis("Power back after Storm Ciaran", STORM_FOLLOWUP))
    await repo.save(make_analysis("An easy pear jam for the holidays", RECIPE, published_at=DAY))
    assert [r.article_id for r in await repo.related(storm.article_id)] == [after.article_id]


async def test_similarities_are_the_related_cosines_in_a_symmetric_matrix(
    repo: ArticleRepository,
) -> None:
    flood = await repo.save(make_analysis("郑州遭遇特大暴雨", FLOOD, published_at=DAY))
    followup = await repo.save(make_analysis("郑州积水消退", FLOOD_FOLLOWUP, published_at=DAY))
    launch = await repo.save(make_analysis("神舟十三号发射", LAUNCH, published_at=DAY))
    ids = [flood.article_id, followup.article_id, launch.article_id, 999]
    matrix = await repo.similarities(ids)
    (related,) = await repo.related(flood.article_id)
    assert matrix[0][1] == pytest.approx(related.similarity, abs=0.01)
    assert matrix[0][1] == matrix[1][0]
    assert matrix[0][1] > 4 * max(matrix[0][2], matrix[1][2])
    assert [matrix[i][i] for i in range(4)] == [0.0] * 4 and matrix[3] == [0.0] * 4


async def test_the_idf_prior_fades_out_as_the_store_fills(db: Database) -> None:
    common, rare = term_id("的"), term_id("殡仪馆")
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO term_df (id, df) VALUES (?, 1), (?, 1)", (common, rare))
        await conn.execute("UPDATE index_stats SET value = 2 WHERE name = 'indexed_docs'")
    async with db.reading() as conn:
        df, docs = await document_frequencies(conn, [common, rare], background_shares)
    assert docs == PRIOR_DOCS
    assert idf(df[common], docs) < idf(df[rare], docs) - 3  # 的 is common, 殡仪馆 is not
    async with db.transaction() as conn:
        await conn.execute("UPDATE index_stats SET value = ? WHERE name = 'indexed_docs'",
                           (PRIOR_DOCS,))  # fmt: skip
    async with db.reading() as conn:
        df, docs = await document_frequencies(conn, [common, rare], background_shares)
    assert (df, docs) == ({common: 1, rare: 1}, PRIOR_DOCS)  # the store's own counts only


async def test_a_lookup_reads_its_words_frequencies_with_the_article(
    repo: ArticleRepository, db: Database
) -> None:
    """The one statement a related-story lookup starts with gives the frequencies the
    separate reads give, in a young store (prior added) and in a grown one (none)."""
    saved = [
        await repo.save(make_analysis(title, text))
        for title, text in (("郑州暴雨", FLOOD), ("郑州积水消退", FLOOD_FOLLOWUP), ("发射", LAUNCH))
    ]
    for docs in (3, PRIOR_DOCS + 5):
        async with db.transaction() as conn:
            await conn.execute(
                "UPDATE index_stats SET value = ? WHERE name = 'indexed_docs'", (docs,)
            )
        for result in saved:
            async with db.reading() as conn:
                row, vec, (df, n) = await article_with_frequencies(
                    conn, result.article_id, background_shares
                )
                ids = [int(i) for i in vec[0]]
                assert (df, n) == await document_frequencies(conn, ids, background_shares)
            assert row["id"] == result.article_id and len(ids) > 10
            assert n == max(docs, PRIOR_DOCS) and all(df[i] >= 1 for i in ids)
    async with db.reading() as conn:
        with pytest.raises(NotFound):
            await article_with_frequencies(conn, 999, None)


async def test_optimizing_the_index_merges_it_and_changes_no_answer(
    repo: ArticleRepository, db: Database
) -> None:
    saved = [
        await repo.save(make_analysis(title, text, published_at=DAY))
        for title, text in (
            ("郑州暴雨", FLOOD),
            ("郑州积水消退", FLOOD_FOLLOWUP),
            ("神舟十三号发射", LAUNCH),
            ("神舟十三号出舱", LAUNCH_FOLLOWUP),
            ("三季度经济数据", MARKET),
        )
    ]

    async def answers() -> list[object]:
        return [await repo.related(r.article_id) for r in saved] + [
            await repo.search(["郑州"]),
            await fts_rows(db, "暴雨"),
        ]

    async def segments() -> int:  # FTS5 keeps one idx row per leaf page and segment
        return int(await db.scalar("SELECT count(DISTINCT segid) FROM article_fts_idx"))

    before = await answers()
    if db.dialect == "sqlite":
        assert await segments() > 1  # a segment per write transaction, merged a few at a time
    await repo.optimize_index()
    assert await answers() == before and before[0]
    if db.dialect == "sqlite":
        assert await segments() == 1


async def test_readers_see_the_whole_old_index_while_a_reindex_runs(
    repo: ArticleRepository, db: Database
) -> None:
    words = [f"{a}{b}" for a in "春夏秋冬东南西北上下左右" for b in "山水田林湖海城村"]
    rng = random.Random(7)
    await repo.save_many(
        [
            make_analysis(f"第{i}号报道", "".join(rng.choice(words) for _ in range(40)) + "。")
            for i in range(300)
        ]
    )
    flood = await repo.save(make_analysis("郑州暴雨", FLOOD))
    expected = await fts_rows(db, "暴雨")
    assert expected == [flood.article_id]
    midway = asyncio.Event()
    reindex = asyncio.create_task(repo.reindex(index_analysis, lambda done, total: midway.set()))
    await midway.wait()  # the first progress call comes from inside the reindex transaction
    reads = 0
    while not reindex.done():
        assert await fts_rows(db, "暴雨") == expected
        assert [a.id for a in await repo.search(search_words("郑州暴雨"))] == [flood.article_id]
        reads += 1
    assert await reindex == 301
    assert reads > 0
    assert await fts_rows(db, "暴雨") == expected


async def test_save_indexes_the_words_the_analysis_carries(
    repo: ArticleRepository, db: Database
) -> None:
    # analyze() segments; storage indexes what it is given and segments nothing itself
    given = replace(
        make_analysis("郑州暴雨", FLOOD), index_terms=IndexTerms("郑州 暴雨", "暴雨 内涝 甲乙丙丁")
    )
    saved = await repo.save(given)
    assert await fts_rows(db, "甲乙丙丁") == [saved.article_id]  # not a word of the text
    assert await fts_rows(db, "地铁") == []  # a word of the text, not of the index terms


def test_analyze_builds_the_index_terms() -> None:
    from summarizer import analyze
    from summarizer.model import Article

    analysis = analyze(Article(title="郑州暴雨", text=FLOOD))
    assert analysis.index_terms is not None
    assert "暴雨" in analysis.index_terms.title.split()
    assert {"郑州", "地铁"} <= set(analysis.index_terms.body.split())
