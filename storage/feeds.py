"""News feeds a chat follows: conditional-GET validators, failure backoff, keyword filters,
instant mode, and the item ids already seen (so each item is ingested once).

With several workers, :meth:`FeedRepository.claim_due` hands each due feed to one of them:
it moves ``next_poll_at`` a lease ahead in the claiming transaction (rows other claimers
hold are skipped), so a worker that dies mid-poll only delays the feed by the lease.
:meth:`FeedRepository.take_item` records a new item, its place in the chat's story log and
its instant post (in the outbox, ``feed:<feed>:<guid hash>``) in one transaction; the first
worker to take an item wins, so each reaches the chat once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.db import Database, Record, read_time
from storage.errors import NotFound
from storage.subscriptions import aware, optional_time, utcnow


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    chat_id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    next_poll_at: datetime
    last_polled_at: datetime | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    instant: bool

    def accepts(self, text: str) -> bool:
        """Plain keyword filters (no user regex): every include word must appear in ``text``
        (title + summary) when any is set, and no exclude word may; case-insensitive."""
        folded = text.casefold()
        if self.include and not all(word.casefold() in folded for word in self.include):
            return False
        return not any(word.casefold() in folded for word in self.exclude)


def _feed(row: Record) -> Feed:
    return Feed(
        id=row["id"],
        chat_id=row["chat_id"],
        url=row["url"],
        title=row["title"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        failures=row["failures"],
        last_error=row["last_error"],
        next_poll_at=read_time(row["next_poll_at"]),
        last_polled_at=optional_time(row["last_polled_at"]),
        include=tuple(json.loads(row["include_kw"])),
        exclude=tuple(json.loads(row["exclude_kw"])),
        instant=bool(row["instant"]),
    )


class FeedRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self, chat_id: int, url: str, *, title: str | None = None, now: datetime | None = None
    ) -> tuple[Feed, bool]:
        """Follow ``url`` in the chat (due at once); ``(feed, created)``."""
        stamp = aware(now or utcnow())
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO feeds(chat_id, url, title, next_poll_at, created_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (chat_id, url, title, stamp, stamp),
            )
            created = cur.rowcount > 0
        row = await self.db.fetchone(
            "SELECT * FROM feeds WHERE chat_id = ? AND url = ?", (chat_id, url)
        )
        assert row is not None  # inserted or already there, inside the same connection
        return _feed(row), created

    async def get(self, feed_id: int) -> Feed:
        row = await self.db.fetchone("SELECT * FROM feeds WHERE id = ?", (feed_id,))
        if row is None:
            raise NotFound("feed", feed_id)
        return _feed(row)

    async def for_chat(self, chat_id: int) -> list[Feed]:
        """The chat's feeds in the order ``/feed list`` numbers them (1-based)."""
        rows = await self.db.fetchall(
            "SELECT * FROM feeds WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        return [_feed(r) for r in rows]

    async def nth(self, chat_id: int, number: int) -> Feed:
        feeds = await self.for_chat(chat_id)
        if not 1 <= number <= len(feeds):
            raise NotFound("feed number", number)
        return feeds[number - 1]

    async def remove(self, feed_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,))

    async def remove_chat(self, chat_id: int) -> int:
        async with self.db.transaction() as conn:
            cur = await conn.execute("DELETE FROM feeds WHERE chat_id = ?", (chat_id,))
            return cur.rowcount

    async def set_filters(
        self, feed_id: int, include: Iterable[str], exclude: Iterable[str]
    ) -> Feed:
        await self._set(
            feed_id,
            include_kw=json.dumps(sorted(set(include)), ensure_ascii=False),
            exclude_kw=json.dumps(sorted(set(exclude)), ensure_ascii=False),
        )
        return await self.get(feed_id)

    async def set_instant(self, feed_id: int, instant: bool) -> Feed:
        await self._set(feed_id, instant=int(instant))
        return await self.get(feed_id)

    async def due(self, now: datetime | None = None, *, exclude_gone: bool = True) -> list[Feed]:
        """Feeds whose next poll time has come (feeds of gone/paused chats are skipped)."""
        gone = (
            " AND chat_id NOT IN (SELECT chat_id FROM subscriptions WHERE state != 'active')"
            if exclude_gone
            else ""
        )
        rows = await self.db.fetchall(
            f"SELECT * FROM feeds WHERE next_poll_at <= ?{gone} ORDER BY next_poll_at",
            (aware(now or utcnow()),),
        )
        return [_feed(r) for r in rows]

    async def claim_due(
        self, lease: timedelta, now: datetime | None = None, *, limit: int = 100
    ) -> list[Feed]:
        """Due feeds of active chats, now this worker's for ``lease`` (their next poll
        time moved past it; the poll's outcome sets the real one)."""
        moment = now or utcnow()
        async with self.db.transaction() as conn:
            rows = await conn.fetchall(
                "UPDATE feeds SET next_poll_at = ? WHERE id IN (SELECT id FROM feeds"
                " WHERE next_poll_at <= ? AND chat_id NOT IN (SELECT chat_id FROM"
                " subscriptions WHERE state != 'active') ORDER BY next_poll_at LIMIT ?"
                f"{self.db.backend.skip_locked}) RETURNING *",
                (aware(moment + lease), aware(moment), limit),
            )
        feeds = [_feed(r) for r in rows]
        return sorted(feeds, key=lambda f: f.id)

    async def claim(self, feed_id: int, lease: timedelta, now: datetime | None = None) -> Feed:
        """This one feed, polled now (``/feed add``), held for ``lease``."""
        moment = now or utcnow()
        async with self.db.transaction() as conn:
            row = await conn.fetchone(
                "UPDATE feeds SET next_poll_at = ? WHERE id = ? RETURNING *",
                (aware(moment + lease), feed_id),
            )
        if row is None:
            raise NotFound("feed", feed_id)
        return _feed(row)

    async def take_item(
        self,
        feed: Feed,
        guid: str,
        article_id: int,
        *,
        posts: Sequence[str] = (),
        now: datetime | None = None,
    ) -> bool:
        """Record a new item: seen, in the chat's story log, its instant ``posts`` (the
        card's messages) owed to the chat; False (and nothing recorded) when another poll
        took it first."""
        from storage.outbox import add as owe

        stamp = aware(now or utcnow())
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO feed_items(feed_id, guid, article_id, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (feed_id, guid) DO NOTHING",
                (feed.id, guid, article_id, stamp),
            )
            if cur.rowcount == 0:
                return False
            await conn.execute(
                "INSERT INTO chat_stories(chat_id, article_id, shared_at, via)"
                " VALUES (?, ?, ?, 'feed') ON CONFLICT DO NOTHING",
                (feed.chat_id, article_id, stamp),
            )
            for seq, post in enumerate(posts):
                key = f"{post_key(feed.id, guid)}:{seq}"
                await owe(conn, feed.chat_id, key, post, seq=seq, now=stamp)
        return True

    async def polled_ok(
        self,
        feed_id: int,
        *,
        etag: str | None,
        last_modified: str | None,
        title: str | None,
        next_poll_at: datetime,
        now: datetime | None = None,
    ) -> None:
        await self._set(
            feed_id,
            etag=etag,
            last_modified=last_modified,
            failures=0,
            last_error=None,
            next_poll_at=aware(next_poll_at),
            last_polled_at=aware(now or utcnow()),
            **({"title": title} if title else {}),
        )

    async def polled_failed(
        self, feed_id: int, error: str, *, backoff: timedelta, now: datetime | None = None
    ) -> Feed:
        moment = now or utcnow()
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE feeds SET failures = failures + 1, last_error = ?, next_poll_at = ?,"
                " last_polled_at = ? WHERE id = ?",
                (error[:500], aware(moment + backoff), aware(moment), feed_id),
            )
        return await self.get(feed_id)

    async def unseen(self, feed_id: int, guids: Iterable[str]) -> list[str]:
        """The ids among ``guids`` this feed has not seen, in the order given."""
        wanted = list(dict.fromkeys(guids))
        seen: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = await self.db.fetchall(
                f"SELECT guid FROM feed_items WHERE feed_id = ? AND guid IN ({marks})",
                (feed_id, *chunk),
            )
            seen.update(r[0] for r in rows)
        return [g for g in wanted if g not in seen]

    async def mark_seen(
        self, feed_id: int, guid: str, article_id: int | None, *, now: datetime | None = None
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO feed_items(feed_id, guid, article_id, seen_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (feed_id, guid) DO UPDATE SET article_id = excluded.article_id,"
                " seen_at = excluded.seen_at",
                (feed_id, guid, article_id, aware(now or utcnow())),
            )

    async def seen_count(self, feed_id: int) -> int:
        return int(
            await self.db.scalar("SELECT count(*) FROM feed_items WHERE feed_id = ?", (feed_id,))
        )

    async def _set(self, feed_id: int, **values: object) -> None:
        # Column names are fixed by this module, never user input.
        assignments = ", ".join(f"{name} = ?" for name in values)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE feeds SET {assignments} WHERE id = ?", (*values.values(), feed_id)
            )
            if cur.rowcount == 0:
                raise NotFound("feed", feed_id)


def post_key(feed_id: int, guid: str) -> str:
    """The outbox key of a feed item's instant post in the feed's chat (``:<part>``
    follows)."""
    return f"feed:{feed_id}:{hashlib.sha256(guid.encode()).hexdigest()[:32]}"
