"""``NewsService`` budgets: a card's character budget is meant for Chinese text."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.service import NewsService
from bot.settings import Settings
from storage import connect
from storage.articles import ArticleRepository
from storage.requests import RequestLog
from summarizer.entities import load_ner

ENGLISH = "\n".join(
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


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[NewsService]:
    load_ner("jieba")  # entities are not under test here
    settings = Settings(db=tmp_path / "z.db", summary_chars=200)
    db = await connect(settings.db)
    service = NewsService(settings, ArticleRepository(db), RequestLog(db))
    try:
        yield service
    finally:
        await service.close()
        await db.close()
        load_ner("model")


async def test_an_english_card_holds_more_than_one_sentence(service: NewsService) -> None:
    report = await service.ingest("Storm Ciaran hits Cornwall\n" + ENGLISH)
    summary = [s.text for s in report.analysis.summary]
    assert len(summary) >= 2  # 200 characters would hold one of these sentences
    assert sum(map(len, summary)) <= 600
