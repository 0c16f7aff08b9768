"""``NewsService.read(source, prefs)``: a link, a pasted text or an uploaded page to a
stored :class:`Report`, the one input of every card (chat, feeds, terminal, JSON).

    Link   ─► fetch: fetch_page (guarded HTTP) ─► clean: extract_article ┐
    Pasted ─► fetch: size cap ───────────────► clean: clean_text ──────┼─► analyze ─► store
    Upload ─► fetch: size cap ───────────────► clean: extract_article ┘     (save, related)

The CPU-bound NLP (extraction, jieba, NER) runs in a small thread pool, off the event
loop, so one slow page never stalls other chats. Every request is written to the
request log with its outcome and latency; typed ``SummarizerError``s are re-raised for
the caller to turn into one friendly sentence.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from bot.settings import Settings
from storage.articles import ArticleRepository, StoredArticle
from storage.requests import RequestLog
from storage.url_claims import reading
from storage.workers import worker_for
from summarizer.errors import BlockedAddress, InvalidURL, SummarizerError, TooLarge
from summarizer.fetch import FetchPolicy, GuardedClient, fetch_page
from summarizer.model import Analysis, Article, Entity, ListedStory, Sentence
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
    related: tuple[ListedStory, ...]
    created: bool = True

    @property
    def article(self) -> Article:
        return self.analysis.article

    @property
    def summary(self) -> tuple[str, ...]:
        return tuple(s.text for s in self.analysis.summary)


@dataclass(frozen=True, slots=True)
class Link:
    """A link to fetch."""

    url: str
    kind: ClassVar[str] = "url"  # the request log's kind and target

    @property
    def target(self) -> str:
        return self.url


@dataclass(frozen=True, slots=True)
class Pasted:
    """Text pasted (or forwarded, or a .txt file decoded) into a chat."""

    text: str
    kind: ClassVar[str] = "text"

    @property
    def target(self) -> str:
        return self.text[:80]


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded web page (.html file)."""

    data: str | bytes
    name: str = ""
    kind: ClassVar[str] = "file"

    @property
    def target(self) -> str:
        return self.name


Source = Link | Pasted | Upload


@dataclass(frozen=True, slots=True)
class ReadPrefs:
    """How the reader wants it: summary sentences (the user's /summary)."""

    sentences: int = DEFAULT_SENTENCES


@dataclass(frozen=True, slots=True)
class Raw:
    """What :meth:`NewsService.fetch` got: a page (``html``) or plain text."""

    content: str | bytes
    html: bool
    url: str | None = None


def source_of(body: str) -> Link | Pasted:
    """A message body: a single link is a :class:`Link`, anything else pasted text."""
    stripped = body.strip()
    return Link(stripped) if URL_RE.fullmatch(stripped) else Pasted(body)


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

    # -- the one entry point ---------------------------------------------------------
    async def read(
        self,
        source: Source,
        prefs: ReadPrefs = ReadPrefs(),
        *,
        user_id: int | None = None,
        chat_id: int | None = None,
    ) -> Report:
        """Read a link, a pasted text or an uploaded page into a stored :class:`Report`:
        :meth:`fetch` → :meth:`clean` + :meth:`analyze` (one worker job) → :meth:`store`,
        logged in the request log with its outcome and latency (``user_id``/``chat_id``:
        who asked). A link is read once however many workers get it at the same moment
        (:meth:`_read_link_once`)."""
        if isinstance(source, Link):
            return await self._read_link_once(source, prefs, user_id=user_id, chat_id=chat_id)
        return await self._read(source, prefs, user_id=user_id, chat_id=chat_id)

    async def _read(
        self, source: Source, prefs: ReadPrefs, *, user_id: int | None, chat_id: int | None
    ) -> Report:
        started = time.perf_counter()
        try:
            raw = await self.fetch(source)
            # The CPU part runs as one worker job: a request that got its turn in the pool
            # finishes, instead of every request's first stage queueing before any second.
            analysis = await self.run_in_worker(lambda: self.analyze(self.clean(raw), prefs))
            report = await self.store(analysis)
        except SummarizerError as err:
            outcome = "refused" if isinstance(err, BlockedAddress | InvalidURL) else "error"
            await self._record(source, user_id, chat_id, outcome, started, error=err)
            raise
        except Exception as err:
            await self._record(source, user_id, chat_id, "error", started, error=err)
            raise
        outcome = "ok" if report.created else "duplicate"
        await self._record(source, user_id, chat_id, outcome, started, article_id=report.article_id)
        return report

    async def _read_link_once(
        self, source: Link, prefs: ReadPrefs, *, user_id: int | None, chat_id: int | None
    ) -> Report:
        """A link read once however many workers are sent it at the same moment: the read
        holds a claim on the normalised URL (:mod:`storage.url_claims`); a worker that finds
        the link claimed waits, then answers from the stored article (logged as a
        ``duplicate`` request, as a link read earlier is), so both users get the card."""
        db = self.articles.db
        async with reading(db, source.url, await worker_for(db)) as stored_id:
            if stored_id is None:
                return await self._read(source, prefs, user_id=user_id, chat_id=chat_id)
        started = time.perf_counter()
        report = await self.stored_report(stored_id)
        await self._record(source, user_id, chat_id, "duplicate", started, article_id=stored_id)
        return report

    async def stored_report(self, article_id: int) -> Report:
        """The Report of an article already stored (what the card needs, without
        re-reading the page)."""
        stored = await self.articles.get(article_id)
        text = stored.article.text
        starts = [max(text.find(s), 0) for s in stored.summary]
        summary = tuple(
            Sentence(s, at, at + len(s)) for s, at in zip(stored.summary, starts, strict=True)
        )
        entities = tuple(
            Entity(e.text, e.type, 0, len(e.text)) for e in stored.entities for _ in range(e.count)
        )
        analysis = Analysis(stored.article, summary, summary, entities, stored.keywords)
        family = await self.articles.duplicates(article_id)
        related = await self.articles.related(article_id, limit=RELATED_ON_CARD)
        return Report(
            article_id=article_id,
            analysis=analysis,
            duplicate_of=stored.duplicate_of,
            outlets=1 + len(family),
            related=tuple(related),
            created=False,
        )

    # -- the steps ---------------------------------------------------------------------
    async def fetch(self, source: Source) -> Raw:
        """The network and size checks: a link is fetched (guarded HTTP), pasted text and
        uploaded files obey the same size cap as fetched pages."""
        if isinstance(source, Link):
            if self._client is None:
                self._client = GuardedClient(self.policy)
            page = await fetch_page(source.url, self.policy, client=self._client)
            return Raw(page.text, html=True, url=page.url)
        if isinstance(source, Pasted):
            self._within_limit(source.text)
            return Raw(source.text, html=False)
        self._within_limit(source.data)
        return Raw(source.data, html=True)

    @staticmethod
    def clean(raw: Raw) -> Article:
        """Page → article (extraction), or pasted text → article (cleaning). CPU-bound."""
        if raw.html:
            from summarizer.extract import extract_article

            return extract_article(raw.content, url=raw.url)
        from summarizer.clean import clean_text

        assert isinstance(raw.content, str)
        return clean_text(raw.content)

    def analyze(self, article: Article, prefs: ReadPrefs = ReadPrefs()) -> Analysis:
        """Summary, entities, keywords, fingerprint (CPU-bound; run in the worker pool)."""
        from summarizer.analyze import analyze

        budget = char_budget(self._max_chars(prefs.sentences), article.lang)
        return analyze(article, max_sentences=prefs.sentences, max_chars=budget)

    async def store(self, analysis: Analysis) -> Report:
        """Save (de-duplicated) and find the related stories for the card."""
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

    async def analyze_and_store(self, article: Article, prefs: ReadPrefs = ReadPrefs()) -> Report:
        """An Article built elsewhere (bulk import): analyse in the pool, store, relate."""
        return await self.store(await self.run_in_worker(lambda: self.analyze(article, prefs)))

    def _within_limit(self, data: str | bytes) -> None:
        size = len(data.encode()) if isinstance(data, str) else len(data)
        if size > self.settings.fetch_max_bytes:
            raise TooLarge(f"{size} bytes over {self.settings.fetch_max_bytes}")

    # -- lookups -----------------------------------------------------------------------
    async def get(self, article_id: int) -> StoredArticle:
        return await self.articles.get(article_id)

    async def related(self, article_id: int, limit: int = RELATED_ON_CARD) -> list[ListedStory]:
        return await self.articles.related(article_id, limit=limit)

    async def search(self, query: str, limit: int = 10) -> list[StoredArticle]:
        from summarizer.tokenize import search_words

        return await self.articles.search(search_words(query), limit=limit)

    async def _record(
        self,
        source: Source,
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
            source.kind,
            source.target,
            outcome,
            latency_ms,
            article_id=article_id,
            error=reason,
        )
