"""``zhaiyao admin ...``: the admin commands on the database directly, for when the bot
is down. ``bot/cli/main.py`` registers :func:`add_parser`. Every action goes through the
bot's own :class:`~bot.admin.service.AdminService` (the one implementation), audited with
origin ``shell`` and the shell user's name.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the service, telegram and storage load when a command runs, not for --help
    from bot.admin.service import AdminService

#: Shell actions have no Telegram user; the audit row says who via ``args["shell_user"]``.
SHELL_ADMIN_ID = 0

Command = Callable[["AdminService", argparse.Namespace], Awaitable[int]]


_ADMIN_HELP = """\
The bot's admin commands, run on the database directly (for when the bot is down).
Each action is written to the audit log as done from the shell, with your user name."""

#: name -> (what it does, an example)
_HELP = {
    "stats": ("users, chats, articles, requests, latency and top domains", "stats"),
    "ban": ("ignore a user's messages from now on", "ban 123456789 spam links"),
    "unban": ("lift a ban", "unban 123456789"),
    "purge": ("remove a stored article and its index entries", "purge 42"),
    "reindex": ("rebuild the search and related-story indexes", "reindex"),
    "export": ("write articles and the request log as gzip JSON lines", "export -o dump.jsonl.gz"),
    "backup": ("write a consistent copy of the database", "backup -o zhaiyao-backup.db"),
}


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``zhaiyao admin``'s parser (registered in bot.cli.main's SUBCOMMANDS)."""
    examples = "\n".join(f"  zhaiyao admin {example}" for _, example in _HELP.values())
    admin = subparsers.add_parser(
        "admin",
        help="admin commands on the local database (stats, ban, purge, backup…)",
        description=_ADMIN_HELP,
        epilog=f"examples:\n{examples}\n  zhaiyao admin --db /data/zhaiyao.db stats",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    admin.add_argument("--db", type=Path, help="SQLite file to use (default: $ZHAIYAO_DB)")
    sub = admin.add_subparsers(dest="admin_command", required=True, metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        what, example = _HELP[name]
        return sub.add_parser(
            name,
            help=what,
            description=what[0].upper() + what[1:] + ".",
            epilog=f"example:\n  zhaiyao admin {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    command("stats")
    ban = command("ban")
    ban.add_argument("user_id", type=int, help="Telegram user id")
    ban.add_argument("reason", nargs="*", help="why (kept in the audit log)")
    command("unban").add_argument("user_id", type=int, help="Telegram user id")
    command("purge").add_argument("article_id", type=int, help="stored article id")
    command("reindex")
    for name in ("export", "backup"):
        command(name).add_argument(
            "-o", "--output", type=Path, help="file to write (default: a dated name here)"
        )
    admin.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point for ``zhaiyao admin``; returns the exit status."""
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    from bot.admin.alerts import ErrorAlerts
    from bot.admin.service import AdminService
    from storage import connect

    path = args.db
    if path is None:
        from bot.settings import Settings, store_url

        path = store_url(Settings())
    command = _COMMANDS[args.admin_command]
    db = await connect(path)
    try:
        service = AdminService(
            db,
            admin_ids=frozenset(),
            alerts=ErrorAlerts(None),
            origin="shell",
            actor={"shell_user": getpass.getuser()},
        )
        return await command(service, args)
    finally:
        await db.close()


async def _stats(service: AdminService, args: argparse.Namespace) -> int:
    from bot.admin.text import stats_text
    from storage.admin.stats import collect_stats

    print(stats_text(await collect_stats(service.db), "en", html=False))
    return 0


async def _ban(service: AdminService, args: argparse.Namespace) -> int:
    await service.ban(SHELL_ADMIN_ID, args.user_id, " ".join(args.reason) or None)
    print(f"banned {args.user_id}")
    return 0


async def _unban(service: AdminService, args: argparse.Namespace) -> int:
    was = await service.unban(SHELL_ADMIN_ID, args.user_id)
    print(f"unbanned {args.user_id}" if was else f"{args.user_id} was not banned")
    return 0


async def _purge(service: AdminService, args: argparse.Namespace) -> int:
    from storage.errors import NotFound

    try:
        await service.purge(SHELL_ADMIN_ID, args.article_id)
    except NotFound:
        print(f"no article {args.article_id}")
        return 1
    print(f"purged article {args.article_id}")
    return 0


async def _reindex(service: AdminService, args: argparse.Namespace) -> int:
    print(f"reindexed {await reindex_with_progress(service)} articles")
    return 0


async def reindex_with_progress(service: AdminService) -> int:
    """The audited reindex with a progress bar on stderr (also ``zhaiyao reindex``)."""
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reindexing", total=None)
        return await service.reindex(
            SHELL_ADMIN_ID, lambda n, total: bar.update(task, completed=n, total=total)
        )


def _default_name(kind: str, suffix: str) -> Path:
    return Path(f"zhaiyao-{kind}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}{suffix}")


async def _export(service: AdminService, args: argparse.Namespace) -> int:
    result = await service.export_to(
        SHELL_ADMIN_ID, args.output or _default_name("export", ".jsonl.gz")
    )
    print(f"wrote {result.path}: " + ", ".join(f"{n} {t}" for t, n in result.rows.items()))
    return 0


async def _backup(service: AdminService, args: argparse.Namespace) -> int:
    out = await service.backup_to(SHELL_ADMIN_ID, args.output or _default_name("backup", ".db"))
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


_COMMANDS: dict[str, Command] = {
    "stats": _stats,
    "ban": _ban,
    "unban": _unban,
    "purge": _purge,
    "reindex": _reindex,
    "export": _export,
    "backup": _backup,
}
