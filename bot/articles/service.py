"""``NewsService``: from a link, a pasted page or an uploaded file to a stored :class:`Report`.

    url  ─► fetch_page (guarded HTTP) ─► extract_article ┐
    text ─► clean_text ──────────────────────────────────┼─► analyze ─► save ─► related
    html ─► extract_article ─────────────────────────────┘

The CPU-bound NLP (extraction, jieba, NER) runs in a small thread pool, off the event
loop, so one slow page never stalls other chats. Every request is written to the
request log with its outcome and latency; typed ``SummarizerError``s are re-raised for
the caller to turn into one friendly sentence.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from bot.settings import Settings
from storage.articles import ArticleRepository, RelatedStory, StoredArticle
from storage.requests import RequestLog
from summarizer.errors import BlockedAddress, InvalidURL, SummarizerError, TooLarge
from summarizer.fetch import FetchPolicy, GuardedClient, fetch_page
from summarizer.model import Analysis, Article
from summarizer.summarize import char_budget

T = TypeVar("T")
URL_RE = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]+", re.I)
DEFAULT_SENTENCES = 3
RELATED_ON_CARD = 5
# Workers for the NLP: the deployment target is a small CPU box; more threads than cores
# only adds contention (jieba and the NER model hold the GIL most of the time).
NLP_WORKERS = 2


@dataclass(frozen=True, slots=True)
class Report:
    """What the bot learned about one article, ready to render."""

    article_id: int
    analysis: Analysis
    duplicate_of: int | None
    outlets: int
    related: tuple[RelatedStory, ...]
    created: bool = True

    @property
    def article(self) -> Article:
        return self.analysis.article

    @property
    def summary(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.analysis.summary)


def find_urls(text: str) -> list[str]:
    """http(s) links in a message, in order, without duplicates or trailing punctuation."""
    seen: dict[str, None] = {}
    for match in URL_RE.finditer(text):
        seen.setdefault(match.group(0).rstrip(".,;:!?)]}>"), None)
    return list(seen)


class NewsService:
    def __init__(
        self,
        settings: Settings,
        articles: ArticleRepository,
        requests: RequestLog,
        *,
        workers: int = NLP_WORKERS,
    ) -> None:
        self.settings = settings
        self.articles = articles
        self.requests = requests
        self.policy = FetchPolicy.from_settings(settings)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nlp")
        self._client: GuardedClient | None = None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def run_in_worker(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

    def _max_chars(self, sentences: int) -> int:
        return max(self.settings.summary_chars * sentences // DEFAULT_SENTENCES, 40)

    # -- entry points ------------------------------------------------------------------
    async def ingest(
        self,
        source: str,
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        sentences: int = DEFAULT_SENTENCES,
    ) -> Report:
        """A message body: a single link is fetched, anything else is read as pasted text."""
        stripped = source.strip()
        if URL_RE.fullmatch(stripped):
            return await self.ingest_url(
                stripped, user_id=user_id, chat_id=chat_id, sentences=sentences
            )
        return await self.ingest_text(source, user_id=user_id, chat_id=chat_id, sentences=sentences)

    async def ingest_url(
        self,
        url: str,
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        sentences: int = 3,
    ) -> Report:
        async def load() -> Callable[[], Article]:
            if self._client is None:
                self._client = GuardedClient(self.policy)
            page = await fetch_page(url, self.policy, client=self._client)
            from summarizer.extract import extract_article

            return lambda: extract_article(page.text, url=page.url)

        return await self._logged("url", url, user_id, chat_id, load, sentences)

    async def ingest_text(
        self,
        text: str,
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
        sentences: int = 3,
    ) -> Report:
        async def load() -> Callable[[], Article]:
            from summarizer.clean import clean_text

            self._within_limit(text)
            return lambda: clean_text(text)

        return await self._logged("text", text[:80], user_id, chat_id, load, sentences)

    async def ingest_html(
        self,
        html: str | bytes,
        *,
        name: str = "",
        user_id: int | None = None,
        chat_id: int | None = None,
        sentences: int = 3,
    ) -> Report:
        async def load() -> Callable[[], Article]:
            from summarizer.extract import extract_article

            self._within_limit(html)
            return lambda: extract_article(html)

        return await self._logged("file", name, user_id, chat_id, load, sentences)

    def _within_limit(self, data: str | bytes) -> None:
        """Pasted text and files obey the same size cap as fetched pages."""
        size = len(data.encode()) if isinstance(data, str) else len(data)
        if size > self.settings.fetch_max_bytes:
            raise TooLarge(f"{size} bytes over {self.settings.fetch_max_bytes}")

    # -- lookups -----------------------------------------------------------------------
    async def get(self, article_id: int) -> StoredArticle:
        return await self.articles.get(article_id)

    async def related(self, article_id: int, limit: int = RELATED_ON_CARD) -> list[RelatedStory]:
        return await self.articles.related(article_id, limit=limit)

    async def search(self, query: str, limit: int = 10) -> list[StoredArticle]:
        from summarizer.tokenize import search_words

        return await self.articles.search(search_words(query), limit=limit)

    # -- the pipeline ------------------------------------------------------------------
    async def _logged(
        self,
        kind: str,
        target: str,
        user_id: int | None,
        chat_id: int | None,
        load: Callable[[], Awaitable[Callable[[], Article]]],
        sentences: int,
    ) -> Report:
        """``load`` does the async part (fetching) and returns the CPU part (extract/clean),
        which runs in the same worker job as the analysis: a request that got its turn in the
        pool finishes, instead of every request's first stage queueing before any second."""
        started = time.perf_counter()
        try:
            make_article = await load()
            analysis = await self.run_in_worker(lambda: self._analyze(make_article(), sentences))
            report = await self._store(analysis)
        except SummarizerError as err:
            outcome = "refused" if isinstance(err, BlockedAddress | InvalidURL) else "error"
            await self._record(kind, target, user_id, chat_id, outcome, started, error=err)
            raise
        except Exception as err:
            await self._record(kind, target, user_id, chat_id, "error", started, error=err)
            raise
        outcome = "ok" if report.created else "duplicate"
        await self._record(
            kind, target, user_id, chat_id, outcome, started, article_id=report.article_id
        )
        return report

    def _analyze(self, article: Article, sentences: int) -> Analysis:
        from summarizer.analyze import analyze

        budget = char_budget(self._max_chars(sentences), article.lang)
        return analyze(article, max_sentences=sentences, max_chars=budget)

    async def analyze_and_store(self, article: Article, *, sentences: int = 3) -> Report:
        """An Article built elsewhere (bulk import): analyse in the pool, store, relate."""
        return await self._store(
            await self.run_in_worker(lambda: self._analyze(article, sentences))
        )

    async def _store(self, analysis: Analysis) -> Report:
        saved = await self.articles.save(analysis)
        related = await self.articles.related(saved.article_id, limit=RELATED_ON_CARD)
        return Report(
            article_id=saved.article_id,
            analysis=analysis,
            duplicate_of=saved.duplicate_of,
            outlets=saved.outlets,
            related=tuple(related),
            created=saved.created,
        )

    async def _record(
        self,
        kind: str,
        target: str,
        user_id: int | None,
        chat_id: int | None,
        outcome: str,
        started: float,
        *,
        article_id: int | None = None,
        error: BaseException | None = None,
    ) -> None:
        latency_ms = (time.perf_counter() - started) * 1000
        reason = f"{type(error).__name__}: {error}"[:300] if error is not None else None
        await self.requests.record(
            user_id,
            chat_id,
            kind,
            target,
            outcome,
            latency_ms,
            article_id=article_id,
            error=reason,
        )
