"""Storage fixtures: every storage test runs on both backends, a real SQLite file and a
fresh PostgreSQL database of its own (see tests/helpers/postgres.py for when PostgreSQL
tests skip or fail); analysed articles built by hand."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from storage import Database, connect
from storage.articles import ArticleRepository
from summarizer.analyze import index_analysis
from summarizer.fingerprint import ShingleCheck
from summarizer.keywords import background_shares
from summarizer.model import Analysis, Article, Entity, Sentence
from tests.helpers.postgres import drop_template, fresh_database


def make_analysis(
    title: str,
    text: str,
    *,
    url: str | None = None,
    source: str | None = None,
    published_at: datetime | None = None,
    entities: tuple[tuple[str, str], ...] = (),
) -> Analysis:
    """An Analysis assembled directly (the NLP stages are not under test here; the index
    words and signature are what ``analyze`` gives)."""
    article = Article(title=title, text=text, url=url, source=source, published_at=published_at)
    first = text.split("。")[0] + "。"
    terms, signature = index_analysis(article)
    spans = []
    for name, type_ in entities:
        start = text.find(name)
        if start >= 0:
            spans.append(Entity(name, type_, start, start + len(name)))
    return Analysis(
        article=article,
        sentences=(Sentence(first, 0, len(first)),),
        summary=(Sentence(first, 0, len(first)),),
        entities=tuple(spans),
        keywords=(title[:4],),
        fingerprint=signature,
        index_terms=terms,
        copy_check=ShingleCheck(text),
    )


@pytest.fixture(scope="session", autouse=True)
def _postgres_template() -> Iterator[None]:
    yield
    asyncio.run(drop_template())


@pytest.fixture(params=["sqlite", "postgresql"])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh store, all migrations applied, on each backend."""
    if request.param == "sqlite":
        database = await connect(tmp_path / "zhaiyao.db")
        try:
            yield database
        finally:
            await database.close()
        return
    async with fresh_database(migrated=True) as url:
        database = await connect(url)
        try:
            yield database
        finally:
            await database.close()


async def fail_inserts(db: Database, table: str, when: str = "TRUE") -> None:
    """Make inserts into ``table`` matching ``when`` (on ``NEW``) fail with 'boom'."""
    async with db.transaction() as conn:
        if db.dialect == "sqlite":
            await conn.execute(
                f"CREATE TRIGGER boom BEFORE INSERT ON {table} WHEN {when}"
                " BEGIN SELECT RAISE(ABORT, 'boom'); END"
            )
            return
        await conn.execute(
            "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql"
            " AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$"
        )
        await conn.execute(
            f"CREATE TRIGGER boom BEFORE INSERT ON {table} FOR EACH ROW WHEN ({when})"
            " EXECUTE FUNCTION boom()"
        )


async def stop_failing(db: Database, table: str) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "DROP TRIGGER boom" if db.dialect == "sqlite" else f"DROP TRIGGER boom ON {table}"
        )


async def indexed_with(db: Database, word: str) -> list[int]:
    """Articles the backend's full-text index holds ``word`` for."""
    async with db.reading() as conn:
        return await db.backend.fulltext.matching(conn, word)


@pytest.fixture
def repo(db: Database) -> ArticleRepository:
    return ArticleRepository(db, prior=background_shares)
