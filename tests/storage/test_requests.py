from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import Database
from storage.articles import ArticleRepository
from storage.requests import RequestLog
from summarizer.analyze import index_analysis
from tests.storage.conftest import make_analysis
from tests.storage.corpus import FLOOD


async def test_record_and_query(db: Database) -> None:
    log = RequestLog(db)
    start = datetime.now(UTC) - timedelta(seconds=1)
    await log.record(1, 10, "url", "https://example.com/a", "ok", 120.0)
    await log.record(1, 10, "url", "https://example.com/b", "error", 30.5, error="FetchTimeout")
    await log.record(2, 20, "search", "郑州", "ok", 5.0)
    assert await log.count_since(start) == 3
    assert await log.count_since(start, user_id=1) == 2
    assert await log.count_since(datetime.now(UTC) + timedelta(minutes=1)) == 0
    newest = await log.recent(limit=2)
    assert [r.target for r in newest] == ["郑州", "https://example.com/b"]
    errors = await log.errors(start)
    assert [(e.outcome, e.error) for e in errors] == [("error", "FetchTimeout")]
    stats = await log.stats(start)
    assert stats.total == 3 and stats.users == 2
    assert stats.by_outcome == {"ok": 2, "error": 1}
    assert stats.latency_p50_ms == 30.5 and stats.latency_p95_ms == 120.0
    url_stats = await log.stats(start, kind="url")
    assert url_stats.total == 2


async def test_purged_article_is_unlinked_from_log(db: Database) -> None:
    repo = ArticleRepository(db)
    saved = await repo.save(make_analysis("郑州暴雨", FLOOD))
    log = RequestLog(db)
    await log.record(1, 1, "url", "x", "ok", 1.0, article_id=saved.article_id)
    await repo.purge(saved.article_id, index_analysis)
    (entry,) = await log.recent()
    assert entry.article_id is None
