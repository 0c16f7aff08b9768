"""``zhaiyao db migrate | check | optimize | copy``: manage and move stores (the work is in
:mod:`storage.manage`; this module parses, shows progress and prints the outcome)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from typing import Any

# storage (SQLAlchemy, Alembic) is imported when a db command runs, not when
# ``zhaiyao --help`` or ``zhaiyao summarize`` builds the parser.

_HELP = {
    "migrate": ("apply the store's pending migrations", "zhaiyao db migrate"),
    "check": (
        "verify a store: the engine's integrity check, foreign keys, indexes agreeing with "
        "the articles (exit 1 on a problem)",
        "zhaiyao db check postgresql://zhaiyao@localhost/zhaiyao",
    ),
    "optimize": (
        "fold the full-text index into one piece so related-story lookups read less (SQLite; "
        "minutes on a large store, readers unaffected; PostgreSQL needs nothing): after a "
        "large import, or weekly on a busy store",
        "zhaiyao db optimize",
    ),
    "copy": (
        "copy a whole store into another, e.g. SQLite into a new PostgreSQL database "
        "(run it again to finish an interrupted copy)",
        "zhaiyao db copy sqlite:///data/zhaiyao.db postgresql://zhaiyao@localhost/zhaiyao",
    ),
}


def add_parser(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    default_url: Callable[[], str],
) -> None:
    """``zhaiyao db``'s parser (registered in bot.cli.main's SUBCOMMANDS)."""
    examples = "\n".join(f"  {example}" for _, example in _HELP.values())
    db = subparsers.add_parser(
        "db",
        help="migrate, check, optimize or copy a store (SQLite or PostgreSQL)",
        description="Manage stores. A store is named by its URL, sqlite:///path/to/file.db or\n"
        "postgresql://user@host:5432/dbname (default: ZHAIYAO_DATABASE_URL, else ZHAIYAO_DB).",
        epilog=f"examples:\n{examples}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    parsers = {}
    for name, (what, example) in _HELP.items():
        parsers[name] = sub.add_parser(
            name,
            help=what,
            description=what[0].upper() + what[1:] + ".",
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    for name in ("migrate", "check", "optimize"):
        parsers[name].add_argument("url", nargs="?", help="store URL (default: the bot's store)")
    parsers["copy"].add_argument("source", help="e.g. sqlite:///data/zhaiyao.db")
    parsers["copy"].add_argument("target", help="e.g. postgresql://zhaiyao@localhost/zhaiyao")
    parsers["copy"].add_argument("--batch", type=int, help="rows per transaction (default 500)")
    db.set_defaults(func=lambda args: run(args, default_url))


def run(args: argparse.Namespace, default_url: Callable[[], str]) -> int:
    from sqlalchemy.exc import DBAPIError

    from bot.errors import CLIError
    from storage.errors import StorageError
    from storage.manage import migrate

    try:
        if args.db_command == "copy":
            return asyncio.run(_copy_with_bar(args.source, args.target, args.batch))
        url = args.url or default_url()
        if args.db_command == "migrate":
            applied = asyncio.run(migrate(url))
            print(f"applied {', '.join(applied)}" if applied else "already up to date")
            return 0
        if args.db_command == "optimize":
            return asyncio.run(_optimize(url))
        return asyncio.run(_check(url))
    except StorageError as error:
        raise CLIError(str(error)) from error
    except (OSError, DBAPIError) as error:  # the server is down, refuses us, or no such file
        raise CLIError(f"cannot open the store: {getattr(error, 'orig', None) or error}") from error


async def _check(url: str) -> int:
    from storage import connect
    from storage.manage import check

    db = await connect(url, migrate=False)
    try:
        problems = await check(db)
    finally:
        await db.close()
    for problem in problems:
        print(problem)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


async def _optimize(url: str) -> int:
    from storage import connect
    from storage.articles import ArticleRepository

    db = await connect(url)
    try:
        await ArticleRepository(db).optimize_index()
    finally:
        await db.close()
    print("optimized")
    return 0


async def _copy_with_bar(source: str, target: str, batch: int | None) -> int:
    from rich.console import Console
    from rich.progress import Progress as Bar

    from storage.manage import copy
    from summarizer.analyze import index_analysis

    with Bar(console=Console(stderr=True)) as bar:
        tasks: dict[str, Any] = {}

        def step(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done)

        batching = {"batch": batch} if batch else {}
        result = await copy(source, target, index_analysis, progress=step, **batching)
    copied = sum(result.rows.values())
    print(f"copied: {copied} rows in {len(result.rows)} tables; {result.indexed} indexed")
    return 0
