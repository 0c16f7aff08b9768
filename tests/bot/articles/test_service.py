"""``NewsService``: bad input is a typed error or a sensible article, nothing stored
half-way (issue 2, "Bad input"); a card's budget fits the article's script. Real SQLite
file, pages over loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.articles.service import Link, NewsService, Pasted, source_of
from bot.settings import Settings
from storage import connect
from storage.articles import ArticleRepository
from storage.requests import RequestLog
from summarizer.entities import load_ner
from summarizer.errors import (
    BlockedAddress,
    EmptyText,
    FetchTimeout,
    HTTPStatusError,
    NotAnArticle,
    SummarizerError,
    TooManyRedirects,
    UnsupportedContent,
)
from tests.helpers.pages import PageServer

ARTICLE = (
    "<html><head><title>新闻</title></head><body><h1>某市举行防汛演练</h1>"
    + "".join(
        f"<p>第{i}段：某市应急管理局组织多个部门开展防汛应急演练，检验预案的可操作性和队伍的反应速度。</p>"
        for i in range(8)
    )
    + "</body></html>"
)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[NewsService]:
    load_ner("jieba")  # the model backend is tested elsewhere
    settings = Settings(db=tmp_path / "z.db", fetch_allow_private=True, fetch_timeout=2.0)
    db = await connect(settings.db)
    service = NewsService(settings, ArticleRepository(db), RequestLog(db))
    try:
        yield service
    finally:
        await service.close()
        await db.close()
        load_ner("model")


async def stored(service: NewsService) -> int:
    return await service.articles.count()


@pytest.mark.parametrize("text", ["", "   \n\t  "])
async def test_empty_text_is_a_typed_error_and_stores_nothing(
    service: NewsService, text: str
) -> None:
    with pytest.raises(EmptyText):
        await service.read(Pasted(text))
    assert await stored(service) == 0


async def test_text_without_a_sentence_ending_still_makes_an_article(
    service: NewsService,
) -> None:
    text = "某市今天举行防汛应急演练 多个部门参加 检验预案的可操作性和队伍的反应速度 " * 3
    report = await service.read(Pasted(text))
    assert report.analysis.summary, "a summary even without 。"
    assert all(s.text in report.article.text for s in report.analysis.summary)
    assert await stored(service) == 1


async def test_a_megabyte_of_text_is_read_without_error(service: NewsService) -> None:
    paragraph = "某市应急管理局组织多个部门开展防汛应急演练，检验预案的可操作性。\n"
    text = paragraph * (1_000_000 // len(paragraph.encode()))
    report = await service.read(Pasted(text))
    assert len(report.analysis.summary) >= 1
    assert await stored(service) == 1


async def test_binary_garbage_is_refused(service: NewsService) -> None:
    garbage = bytes(range(256)).decode("latin-1") * 50
    with pytest.raises(SummarizerError):
        await service.read(Pasted(garbage))
    assert await stored(service) == 0


async def test_html_without_an_article_is_not_an_article(
    service: NewsService, page_server: PageServer
) -> None:
    links = "".join(f'<li><a href="/n{i}">新闻标题{i}</a></li>' for i in range(40))
    url = page_server.add_html("/list", f"<html><body><ul>{links}</ul></body></html>")
    with pytest.raises(NotAnArticle):
        await service.read(Link(url))
    assert await stored(service) == 0


async def test_fetch_failures_are_typed_and_store_nothing(
    service: NewsService, page_server: PageServer
) -> None:
    cases: list[tuple[str, type[SummarizerError]]] = [
        (
            page_server.add("/doc.pdf", b"%PDF-1.7\n...", content_type="application/pdf"),
            UnsupportedContent,
        ),
        (page_server.add("/gone", b"not here", status=404), HTTPStatusError),
        (page_server.add("/slow", ARTICLE.encode(), delay=5.0), FetchTimeout),
        (page_server.add_redirect("/loop", "/loop"), TooManyRedirects),
        (page_server.add_redirect("/meta", "http://169.254.169.254/latest/"), BlockedAddress),
    ]
    for url, error in cases:
        with pytest.raises(error):
            await service.read(Link(url))
    assert await stored(service) == 0


async def test_redirect_to_loopback_is_refused_when_private_addresses_are_off(
    tmp_path: Path, page_server: PageServer
) -> None:
    settings = Settings(db=tmp_path / "z.db", fetch_allow_private=False)
    db = await connect(settings.db)
    service = NewsService(settings, ArticleRepository(db), RequestLog(db))
    try:
        with pytest.raises(BlockedAddress):
            await service.read(Link(page_server.url("/anything")))
        assert page_server.requests == []  # refused before any connection
        assert await service.articles.count() == 0
    finally:
        await service.close()
        await db.close()


async def test_gbk_page_without_charset_reads_correctly(
    service: NewsService, page_server: PageServer
) -> None:
    url = page_server.add("/gbk", ARTICLE.encode("gbk"), content_type="text/html")
    report = await service.read(Link(url))
    assert report.article.title == "某市举行防汛演练"
    assert "应急管理局" in report.article.text
    assert await stored(service) == 1


async def test_failures_are_in_the_request_log(
    service: NewsService, page_server: PageServer
) -> None:
    url = page_server.add("/gone", b"", status=404)
    with pytest.raises(HTTPStatusError):
        await service.read(Link(url), user_id=7, chat_id=7)
    await asyncio.sleep(0)
    rows = await service.requests.recent(limit=5)
    assert rows and rows[0].outcome != "ok"


ENGLISH_ARTICLE = "\n".join(
    [
        "Storm Ciaran brought winds of more than 100 miles per hour to the coast of Cornwall, "
        "and thousands of homes lost power overnight as trees fell across the lines.",
        "The Met Office issued a rare red warning for the far south-west of England, telling "
        "people to stay indoors until the strongest gusts had passed on Thursday morning.",
        "Engineers from the regional network operator worked through the night, and by noon "
        "power had been restored to most of the homes that had lost it in the storm.",
        "Schools across the county stayed closed, and ferry crossings to the Isles of Scilly "
        "were cancelled for a second day while the sea remained too rough to sail.",
    ]
)


async def test_an_english_card_holds_more_than_one_sentence(service: NewsService) -> None:
    report = await service.read(source_of("Storm Ciaran hits Cornwall\n" + ENGLISH_ARTICLE))
    summary = [s.text for s in report.analysis.summary]
    assert len(summary) >= 2  # 200 characters would hold one of these sentences
    assert sum(map(len, summary)) <= 600
