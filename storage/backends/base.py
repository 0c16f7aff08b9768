"""What a backend provides (see :mod:`storage.backends`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

if TYPE_CHECKING:
    from storage.db import Connection, Database
    from storage.indexing import Segmented


class Backend(Protocol):
    name: str  # "sqlite" or "postgresql", as SQLAlchemy names the dialect

    def engine(self, url: str) -> AsyncEngine:
        """The SQLAlchemy async engine for ``url`` (pool, per-connection settings)."""
        ...

    def path(self, url: str) -> str | None:
        """The database file (SQLite), else None."""
        ...

    def placeholders(self, sql: str) -> str:
        """``sql`` with the repositories' ``?`` placeholders in the driver's style."""
        ...

    def adapt(self, params: Sequence[Any]) -> tuple[Any, ...]:
        """Parameters as the driver stores them (times, above all)."""
        ...

    async def database_bytes(self, db: Database) -> int:
        """The store's size on disk."""
        ...

    def any_of(self, column: str, values: Sequence[Any]) -> tuple[str, tuple[Any, ...]]:
        """``column`` is one of ``values``: the SQL and its parameters (one statement text
        whatever the number of values, where the driver caches prepared statements)."""
        ...

    def vector_frequencies(self, vector: str) -> str:
        """A scalar subquery: the ``term_df`` rows of the word ids in the stored term
        vector ``vector`` (a column of the outer statement, :mod:`storage.indexing`'s
        ``TermVector.blob``) as a JSON list of ``[id, df]`` (NULL or ``[]`` when none), so
        a related-story lookup reads an article and its words' frequencies in one
        statement."""
        ...

    async def lock_migrations(self, conn: AsyncConnection) -> None:
        """Hold the store's migration lock until ``conn``'s transaction ends."""
        ...

    async def integrity(self, conn: Connection) -> list[str]:
        """Problems the engine's own checks find (empty when none)."""
        ...

    async def after_copy(self, conn: Connection, table: str, key: Sequence[str]) -> None:
        """Rows with explicit keys were copied into ``table``: keep id generation ahead."""
        ...

    @property
    def fulltext(self) -> FullText: ...

    # -- several workers on one store (storage/workers.py) -------------------------------
    skip_locked: str
    """What ends a ``SELECT`` that claims rows so concurrent claimers pass over each
    other's (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite: nothing, a write transaction
    is already exclusive)."""

    async def hold_worker(self, db: Database, key: int) -> AsyncConnection | None:
        """Mark worker ``key`` alive for as long as this process lives (and the returned
        connection, if any, stays open)."""
        ...

    async def release_worker(self, key: int, held: AsyncConnection | None) -> None: ...

    def dead_worker(self, column: str) -> str:
        """SQL true where ``column`` names a worker that is no longer alive."""
        ...


class FullText(Protocol):
    """The full-text index over family roots' index words (``Segmented``): candidates for
    related stories, search, and what ``zhaiyao db check`` compares."""

    async def add(self, conn: Connection, entries: Sequence[tuple[int, Segmented]]) -> None:
        """Index family roots: (article id, its index words) each, in a few statements."""
        ...

    async def remove(self, conn: Connection, article_id: int, seg: Segmented) -> None: ...

    async def clear(self, conn: Connection) -> None: ...

    async def matching(self, conn: Connection, word: str) -> list[int]:
        """Indexed articles holding ``word``, by id."""
        ...

    async def search(
        self, conn: Connection, words: Sequence[str], *, every: bool, limit: int
    ) -> list[int]:
        """Ids of the best matches for all (``every``) or any of ``words``."""
        ...

    def nearby(
        self, heaviest: Sequence[tuple[float, str]], root: int, *, postings: int, limit: int
    ) -> tuple[str, list[Any]]:
        """Related-story candidates as SQL yielding ``(rid, s)`` rows, best first: for each
        (weight, word), the ``postings`` indexed articles holding it nearest to ``root``
        in id order on either side, scored (``s``) by the summed weights of their words;
        the best ``limit``. The caller joins the articles in the same statement."""
        ...

    async def indexed(self, conn: Connection) -> int:
        """How many articles the index holds."""
        ...

    async def optimize(self, conn: Connection) -> None:
        """Fold the index into its most compact form for reading (after a rebuild or a
        large import; a maintenance step, not needed for correctness)."""
        ...
