"""Feed polling: conditional GET through the safe fetcher, feedparser, filters, backoff.

Each due feed is fetched with ``summarizer.fetch.fetch_page`` (the same address checks and
size/time limits as links users send) with ``If-None-Match`` / ``If-Modified-Since`` from the
last answer; a 304 ends the poll. Items never seen before pass the feed's keyword filters and
are handed to an ``ingest`` callable (the bot wires it to ``NewsService``: full article
fetched and analysed), then logged for the chat's next digest, with the instant post (if
any) owed to the chat in the outbox, all in one transaction (``FeedRepository.take_item``).

Several workers poll at once safely: :meth:`FeedPoller.poll_due` polls only the feeds it
claimed (``FeedRepository.claim_due``: one worker per due feed, a lease of
:data:`POLL_LEASE`), and an item two polls both read is taken by one (the other's
``take_item`` finds it taken and posts nothing). A worker that dies mid-poll leaves its
feed to be polled again when the lease ends; items it had taken stay taken, items it had
not are taken then.

A feed's failure stays that feed's: whatever one feed (or one of its items) raises, typed
or not, is counted on that feed, which backs off exponentially, and the round goes on to
the next feed. After :data:`FAILURES_BEFORE_ALERT` failures in a row the ``on_failing``
callable tells the chat that follows it (once per run of failures). Nothing here knows
about Telegram.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

import feedparser
import httpx
from lxml import etree

from storage.feeds import Feed, FeedRepository
from storage.subscriptions import SubscriptionRepository, utcnow
from summarizer.errors import FetchError, FetchTimeout, SummarizerError
from summarizer.fetch import FetchPolicy, fetch_page

log = logging.getLogger(__name__)

POLL_INTERVAL = timedelta(minutes=15)
POLL_LEASE = timedelta(minutes=15)  # a claimed feed is its worker's this long at most
MAX_BACKOFF = timedelta(hours=24)
FIRST_POLL_ITEMS = 5  # a newly added feed ingests its newest few; older items count as seen
MAX_ITEMS_PER_POLL = 50
# Items read from one feed document (newest first). feedparser is slow on huge documents
# (100,000 items: 57 s of CPU), so lxml cuts the rest away first.
MAX_FEED_ITEMS = 200
MAX_OPML_FEEDS = 100
FAILURES_BEFORE_ALERT = 5
_ENTRIES = frozenset({"item", "entry"})
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
    | {"application/xml", "text/xml"}
)


class FeedFormatError(SummarizerError):
    """The document is not an RSS/Atom feed (or not OPML)."""

    reason = "not a feed"
    reason_zh = "不是 RSS/Atom 订阅源"


@dataclass(frozen=True, slots=True)
class FeedItem:
    guid: str
    link: str | None
    title: str
    content: str  # the feed's own summary/content, plain-ish text (used by filters)
    published: datetime | None


@dataclass(frozen=True, slots=True)
class PollResult:
    feed_id: int
    status: Literal["new", "unchanged", "failed"]
    items: int = 0  # items in the document
    article_ids: tuple[int, ...] = ()
    skipped: int = 0  # filtered out or not articles
    error: str | None = None
    failure: BaseException | None = field(default=None, compare=False, repr=False)

    def reason(self, lang: str) -> str:
        """Why the poll failed, for a user: the typed error's sentence, else a generic one."""
        if isinstance(self.failure, SummarizerError):
            return self.failure.user_message(lang)
        return FetchError().user_message(lang)


@dataclass(frozen=True, slots=True)
class Ingested:
    article_id: int
    posts: tuple[str, ...] = ()  # the instant post's messages (Telegram HTML) the chat is owed


# (feed, item) -> the stored article id (and instant post); raises SummarizerError
# subclasses when unreadable.
Ingest = Callable[[Feed, FeedItem], Awaitable[int | Ingested]]
# (feed after the failure, the failed poll) -> tell the people who follow it.
OnFailing = Callable[[Feed, PollResult], Awaitable[None]]


def _first_items(text: str, keep: int = MAX_FEED_ITEMS) -> str:
    """The feed document with only its first ``keep`` items/entries (unchanged when it has
    fewer, or when lxml cannot read it and feedparser's lenient parser must)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    body = _XML_DECLARATION.sub("", text, count=1)
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return text
    entries = [e for e in root.iter() if isinstance(e.tag, str) and _local(e.tag) in _ENTRIES]
    if len(entries) <= keep:
        return text
    for entry in entries[keep:]:
        parent = entry.getparent()
        if parent is not None:
            parent.remove(entry)
    return str(etree.tostring(root, encoding="unicode"))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_feed(text: str) -> tuple[str | None, list[FeedItem]]:
    """Title and items (at most :data:`MAX_FEED_ITEMS`, in document order) of RSS/Atom."""
    parsed: Any = feedparser.parse(_first_items(text))
    if not parsed.get("version") and not parsed.entries:
        raise FeedFormatError(f"not an RSS/Atom document: {parsed.get('bozo_exception')}")
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = entry.get("link")
        title = (entry.get("title") or "").strip()
        content = entry.get("summary") or ""
        if entry.get("content"):
            content = max((c.get("value", "") for c in entry.content), key=len, default=content)
        guid = entry.get("id") or link or hashlib.sha256(f"{title}\n{content}".encode()).hexdigest()
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = datetime(*stamp[:6]).replace(tzinfo=utcnow().tzinfo) if stamp else None
        items.append(FeedItem(str(guid), link, title, _plain(content), published))
    return parsed.feed.get("title"), items


def _plain(fragment: str) -> str:
    if "<" not in fragment:
        return fragment.strip()
    try:
        return str(etree.HTML(f"<div>{fragment}</div>").xpath("string()")).strip()
    except (etree.ParserError, ValueError):
        return fragment.strip()


def parse_opml(data: bytes) -> list[tuple[str, str | None]]:
    """``(xmlUrl, title)`` of every feed outline; entities and DTDs are never resolved."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedFormatError(f"not an OPML document: {exc}") from exc
    found: dict[str, str | None] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url.startswith(("http://", "https://")) and url not in found:
            found[url] = outline.get("title") or outline.get("text")
            if len(found) == MAX_OPML_FEEDS:
                break
    return list(found.items())


def backoff(failures: int, interval: timedelta = POLL_INTERVAL) -> timedelta:
    return min(interval * (1 << min(failures, 16)), MAX_BACKOFF)


class FeedPoller:
    def __init__(
        self,
        feeds: FeedRepository,
        subscriptions: SubscriptionRepository,
        ingest: Ingest,
        policy: FetchPolicy,
        *,
        client: httpx.AsyncClient | None = None,
        interval: timedelta = POLL_INTERVAL,
        clock: Callable[[], datetime] = utcnow,
        on_failing: OnFailing | None = None,
    ) -> None:
        self.on_failing = on_failing
        self.feeds = feeds
        self.subscriptions = subscriptions
        self.ingest = ingest
        # Same address checks and limits as user links; feeds may also be XML.
        self.policy = replace(policy, extra_types=policy.extra_types | FEED_TYPES)
        self.client = client
        self.interval = interval
        self.clock = clock
        self._lock = asyncio.Lock()  # one poll round at a time (job overlap, /feed add)

    async def poll_due(self) -> list[PollResult]:
        """Poll the due feeds this worker claims (others' claims are skipped)."""
        async with self._lock:
            claimed = await self.feeds.claim_due(POLL_LEASE, self.clock())
            return [await self._poll_one(feed) for feed in claimed]

    async def poll(self, feed_id: int) -> PollResult:
        async with self._lock:
            return await self._poll_one(await self.feeds.claim(feed_id, POLL_LEASE, self.clock()))

    async def _poll_one(self, feed: Feed) -> PollResult:
        """Poll ``feed``; any failure is counted on it, never raised into the round."""
        try:
            return await self._poll(feed)
        except SummarizerError as exc:
            log.info("feed %s failed: %s", feed.id, exc)
            return await self._failed(feed, exc)
        except Exception as exc:  # a hostile feed must not stop the others
            log.warning("feed %s failed unexpectedly", feed.id, exc_info=True)
            return await self._failed(feed, exc)

    async def _failed(self, feed: Feed, exc: Exception) -> PollResult:
        failed = await self.feeds.polled_failed(
            feed.id,
            f"{type(exc).__name__}: {exc}"[:300],
            backoff=backoff(feed.failures + 1, self.interval),
            now=self.clock(),
        )
        result = PollResult(feed.id, "failed", error=str(exc)[:300], failure=exc)
        if failed.failures == FAILURES_BEFORE_ALERT and self.on_failing is not None:
            try:
                await self.on_failing(failed, result)
            except Exception:  # telling people is best effort; the loop goes on
                log.warning("feed %s: failure notice not delivered", feed.id, exc_info=True)
        return result

    async def _poll(self, feed: Feed) -> PollResult:
        now = self.clock()
        headers = {}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        page = await fetch_page(
            feed.url, self.policy, client=self.client, extra_headers=headers or None
        )
        # parsing is CPU work: off the event loop, so other chats are not held up
        title, items = (
            (None, []) if page.status == 304 else await asyncio.to_thread(parse_feed, page.text)
        )
        result = PollResult(feed.id, "unchanged")
        if page.status != 304:
            first = await self.feeds.seen_count(feed.id) == 0  # nothing seen yet: a new feed
            result = await self._take_new(feed, items, first=first)
        # The validators only once the items are taken: a poll that dies halfway must not
        # leave the next one a 304 for the items it never took.
        lowered = {k.lower(): v for k, v in page.headers.items()}
        await self.feeds.polled_ok(
            feed.id,
            etag=lowered.get("etag", feed.etag),
            last_modified=lowered.get("last-modified", feed.last_modified),
            title=title,
            next_poll_at=now + self.interval,
            now=now,
        )
        return result

    async def _take_new(self, feed: Feed, items: list[FeedItem], *, first: bool) -> PollResult:
        by_guid = {item.guid: item for item in items}
        new = await self.feeds.unseen(feed.id, [item.guid for item in items])
        if first:
            # Feeds list newest first; older items of a just-added feed are history, not news.
            for guid in new[FIRST_POLL_ITEMS:]:
                await self.feeds.mark_seen(feed.id, guid, None)
            new = new[:FIRST_POLL_ITEMS]
        article_ids: list[int] = []
        skipped = 0
        for guid in reversed(new[:MAX_ITEMS_PER_POLL]):  # oldest first, so logs keep order
            item = by_guid[guid]
            if not feed.accepts(f"{item.title}\n{item.content}"):
                await self.feeds.mark_seen(feed.id, guid, None)
                skipped += 1
                continue
            try:
                got = await self.ingest(feed, item)
            except FetchTimeout:
                continue  # transient: try again next poll
            except SummarizerError as exc:
                log.info("feed %s item %s not ingested: %s", feed.id, guid, exc)
                await self.feeds.mark_seen(feed.id, guid, None)
                skipped += 1
                continue
            except Exception:  # a hostile item must not stop the items after it
                log.warning("feed %s item %s failed unexpectedly", feed.id, guid, exc_info=True)
                await self.feeds.mark_seen(feed.id, guid, None)
                skipped += 1
                continue
            ingested = got if isinstance(got, Ingested) else Ingested(got)
            if await self.feeds.take_item(
                feed, guid, ingested.article_id, posts=ingested.posts, now=self.clock()
            ):
                article_ids.append(ingested.article_id)
        return PollResult(feed.id, "new", len(items), tuple(article_ids), skipped)
