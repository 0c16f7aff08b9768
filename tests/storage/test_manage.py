"""``zhaiyao db check`` and ``zhaiyao db copy`` (SQLite to PostgreSQL), the latter killed
with SIGKILL half-way and run again, as an operator would."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import Database
from storage.articles import ArticleRepository
from storage.manage import check
from tests.storage.conftest import make_analysis
from tests.storage.corpus import FLOOD, LAUNCH, republish

ARTICLES = 120
T0 = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


async def test_check_finds_a_healthy_store_healthy_and_names_what_drifted(db: Database) -> None:
    repo = ArticleRepository(db)
    first = await repo.save(make_analysis("郑州暴雨", FLOOD))
    await repo.save(make_analysis("郑州暴雨", republish(FLOOD), source="乙网"))
    await repo.save(make_analysis("神舟十三号发射", LAUNCH))
    assert await check(db) == []
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM article_bands WHERE article_id = ?", (first.article_id,))
        await conn.execute("UPDATE index_stats SET value = 7 WHERE name = 'indexed_docs'")
    problems = await check(db)
    assert "1 articles without near-duplicate bands" in problems
    assert any("the index counts 7" in p for p in problems)
