"""The same link sent to two workers at the same moment is fetched, analysed and stored
once, and both users get the card (issue 21): two NewsServices on two stores opened on one
database (two pools, as two worker processes have), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.articles.service import Link, NewsService
from bot.settings import Settings
from bot.telegram.render import render_card
from storage import Database, connect
from storage.articles import ArticleRepository
from storage.requests import RequestLog
from summarizer.entities import load_ner
from summarizer.errors import HTTPStatusError
from tests.helpers.pages import PageServer

PARAGRAPHS = [
    "中国人民银行12月5日宣布，决定于12月15日下调金融机构存款准备金率0.5个百分点。",
    "此次降准共计释放长期资金约1万亿元，将进一步增强金融机构资金配置能力。",
    "中国人民银行有关负责人表示，稳健的货币政策要灵活适度、精准有效。",
    "市场人士认为，降准有助于降低银行资金成本，支持实体经济特别是小微企业融资。",
]
ARTICLE = (
    "<html><head><title>央行宣布降准_新华网</title></head><body><article><h1>央行宣布降准</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article></body></html>"
)


@pytest.fixture(params=["sqlite", "postgresql"])
async def two_workers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[NewsService, NewsService]]:
    from tests.helpers.postgres import fresh_database

    load_ner("jieba")
    async with AsyncExitStack() as stack:
        stack.callback(load_ner, "model")
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'z.db'}"
        else:
            url = await stack.enter_async_context(fresh_database(migrated=True))
        settings = Settings(database_url=url, fetch_allow_private=True, fetch_timeout=10.0)
        services = []
        for _ in range(2):
            db: Database = await connect(url)
            stack.push_async_callback(db.close)
            news = NewsService(settings, ArticleRepository(db), RequestLog(db))
            stack.push_async_callback(news.close)
            services.append(news)
        yield services[0], services[1]


async def test_one_link_sent_to_two_workers_at_once_is_read_once(
    two_workers: tuple[NewsService, NewsService], page_server: PageServer
) -> None:
    first, second = two_workers
    page_server.add("/news/1", ARTICLE.encode(), delay=1.0)  # both ask while it loads
    link = page_server.url("/news/1")
    a, b = await asyncio.gather(
        first.read(Link(link), user_id=1, chat_id=1),
        second.read(Link(link + "?utm_source=wechat"), user_id=2, chat_id=2),  # same article
    )
    assert [r.path for r in page_server.requests].count("/news/1") == 1  # fetched once
    assert a.article_id == b.article_id and await first.articles.count() == 1
    assert sorted([a.created, b.created]) == [False, True]  # analysed and stored once
    for report in (a, b):  # both users get the card
        assert report.article.title == "央行宣布降准" and report.summary
        card = render_card(report.article, report.summary, report.analysis.entity_counts)
        assert "央行宣布降准" in card and report.summary[0][:10] in card
    outcomes = await first.articles.db.fetchall(
        "SELECT user_id, outcome, article_id FROM requests ORDER BY user_id"
    )
    assert sorted(r[1] for r in outcomes) == ["duplicate", "ok"]
    assert {r[2] for r in outcomes} == {a.article_id}  # both chats' digests will see it
    assert await first.articles.db.fetchall("SELECT * FROM url_claims") == []  # released


async def test_a_failed_read_releases_the_link_for_the_next_try(
    two_workers: tuple[NewsService, NewsService], page_server: PageServer
) -> None:
    first, second = two_workers
    link = page_server.add("/gone", b"", status=503)
    with pytest.raises(HTTPStatusError):
        await first.read(Link(link))
    page_server.add("/gone", ARTICLE.encode())
    report = await second.read(Link(link))
    assert report.created and report.article.title == "央行宣布降准"
