"""``zhaiyao``: the bot and its tools on the command line (also ``python -m bot``).

    zhaiyao run [--webhook URL]          the Telegram bot (long polling by default;
                                         --webhook: one of several workers)
    zhaiyao webhook set URL|delete|info  point Telegram at the workers (once)
    zhaiyao summarize URL|FILE|- [--json] [--store]
                                         one card in the terminal; nothing is stored
                                         unless --store (then: "stored as #N in PATH")
    zhaiyao ingest FILE.jsonl [--strict] bulk import {"url"?, "title"?, "text"|"html"};
                                         each bad line reported with its number and why
    zhaiyao related ID [--json]          related stories of a stored article
    zhaiyao reindex                      rebuild the search index
    zhaiyao admin ...                    admin commands on the local database
    zhaiyao doctor                       check the store, the model, the token, the webhook

The database is ``ZHAIYAO_DB`` (see ``bot.settings``). Errors print one sentence on stderr
and exit non-zero (1: the request failed, 2: usage or configuration); never a traceback or
a Python class name (``ZHAIYAO_DEBUG=1`` shows the traceback). Subcommands are registered
in one place, :data:`SUBCOMMANDS`; another package adds one with :func:`subcommand`.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from bot.errors import EXIT_FAILED, EXIT_USAGE, CLIError

log = logging.getLogger("zhaiyao")


def load_settings(db: Path | None = None) -> Any:
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        settings = Settings()
    except ValidationError as err:
        first = err.errors()[0]
        where = "ZHAIYAO_" + "_".join(str(p) for p in first["loc"]).upper()
        raise CLIError(f"invalid setting {where}: {first['msg']}", EXIT_USAGE) from None
    return settings.model_copy(update={"db": db, "database_url": None}) if db else settings


# -- run ---------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from telegram import Update

    from bot.app import build_application
    from bot.errors import MissingToken, MissingWebhookSecret

    settings = load_settings(args.db)
    config = None
    if args.webhook:
        from bot.webhook.worker import config_for

        try:
            config = config_for(settings, args.webhook, listen=args.listen, port=args.port)
        except MissingWebhookSecret as err:
            raise CLIError(str(err), EXIT_USAGE) from None
    worker = f"[{config.worker_id.replace('%', '%%')}] " if config else ""
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s %(levelname)s {worker}%(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token
    try:
        app = build_application(settings, webhook=config is not None)
    except MissingToken as err:
        raise CLIError(str(err), EXIT_USAGE) from None
    if config is not None:
        from bot.webhook.worker import WebhookWorker

        asyncio.run(WebhookWorker(app, config).run())
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def cmd_webhook(args: argparse.Namespace) -> int:
    """``zhaiyao webhook set URL|delete|info``: the one process that talks to Telegram
    about the webhook (workers set it only when Telegram has none or another URL)."""
    from telegram import Bot, Update
    from telegram.error import TelegramError

    from bot.errors import MissingToken, MissingWebhookSecret

    settings = load_settings()
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        raise CLIError(str(MissingToken()), EXIT_USAGE)

    async def work() -> int:
        bot = Bot(settings.telegram_token.get_secret_value(), base_url=settings.telegram_base_url)
        async with bot:
            if args.webhook_command == "set":
                from bot.webhook.worker import config_for

                try:
                    config = config_for(settings, args.url)
                except MissingWebhookSecret as err:
                    raise CLIError(str(err), EXIT_USAGE) from None
                await bot.set_webhook(
                    config.url,
                    secret_token=config.secret,
                    allowed_updates=Update.ALL_TYPES,
                    drop_pending_updates=args.drop_pending_updates,
                    max_connections=args.max_connections,
                )
                print(f"webhook set: Telegram posts updates to {config.url}")
            elif args.webhook_command == "delete":
                await bot.delete_webhook(drop_pending_updates=args.drop_pending_updates)
                print("webhook deleted: zhaiyao run (long polling) can take updates now")
            info = await bot.get_webhook_info()
            print(f"url: {info.url or '(none)'}")
            print(f"pending updates: {info.pending_update_count}")
            if info.last_error_message:
                print(f"last error: {info.last_error_message}")
        return 0

    try:
        return asyncio.run(work())
    except TelegramError as err:
        raise CLIError(f"Telegram refused: {err.message}") from None


# -- summarize / ingest / related / reindex ----------------------------------------------
async def _with_services(settings: Any, work: Callable[[Any], Awaitable[int]]) -> int:
    from bot.app import close_services, open_services
    from summarizer.entities import use_ner

    services = await open_services(settings)
    # Chosen now, loaded on first use: bad input fails before any model loads.
    use_ner(settings.ner_backend, settings.ner_model)  # ZHAIYAO_NER_BACKEND / _MODEL
    try:
        return await work(services)
    finally:
        await close_services(services)


def _store_name(settings: Any) -> str:
    """The store as a user knows it: the SQLite file, or the URL without its password."""
    from sqlalchemy.engine import make_url

    from bot.settings import store_url

    url = make_url(store_url(settings))
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def _read_source(source: str) -> tuple[str, str | bytes]:
    """("url" | "html" | "text", payload) for a URL, a file or ``-`` (stdin)."""
    if source.startswith(("http://", "https://")):
        return "url", source
    if source == "-":
        data = sys.stdin.buffer.read()
        text = data.decode("utf-8", errors="replace")
        return ("html", data) if text.lstrip()[:1] == "<" else ("text", text)
    path = Path(source)
    if not path.is_file():
        raise CLIError(f"no such file: {source}", EXIT_USAGE)
    data = path.read_bytes()
    if path.suffix.lower() in (".html", ".htm", ".xhtml"):
        return "html", data
    from summarizer.charset import decode_html

    return "text", decode_html(data)[0]


def cmd_summarize(args: argparse.Namespace) -> int:
    kind, payload = _read_source(args.source)
    settings = load_settings(args.db)
    if args.store:
        return asyncio.run(_with_services(settings, lambda s: _summarize(args, kind, payload, s)))
    # Not stored: no database at all (bot.cli.summarize), so no id and no related stories.
    from bot.cli.summarize import analyze_unstored

    a = analyze_unstored(kind, payload, settings, sentences=args.sentences)
    _print_card(args, a, [s.text for s in a.summary])
    return 0


def _print_card(
    args: argparse.Namespace, a: Any, summary: Sequence[str], report: Any = None
) -> None:
    """The card of an analysis on stdout; ``report``: what storing it gave (``--store``)."""
    from bot.cli.terminal import card_json, card_renderable

    fields: dict[str, Any] = {}
    if report is not None:
        fields = dict(article_id=report.article_id, outlets=report.outlets, related=report.related)
    if args.json:
        data = card_json(
            a.article,
            summary,
            a.entity_counts,
            article_id=fields.pop("article_id", None),
            keywords=a.keywords,
            duplicate_of=report.duplicate_of if report is not None else None,
            **fields,
        )
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        Console().print(card_renderable(a.article, summary, a.entity_counts, **fields))


async def _summarize(
    args: argparse.Namespace, kind: str, payload: str | bytes, services: Any
) -> int:
    """``summarize --store``: through the bot's service (stored, related stories)."""
    from bot.articles.service import Link, Pasted, ReadPrefs, Source, Upload

    source: Source = (
        Link(str(payload))
        if kind == "url"
        else Upload(payload, args.source)
        if kind == "html"
        else Pasted(str(payload))
    )
    report = await services.news.read(source, ReadPrefs(args.sentences))
    _print_card(args, report.analysis, report.summary, report)
    where = _store_name(services.settings)
    seen = "" if report.created else " (already there)"
    print(f"stored as article #{report.article_id}{seen} in {where}", file=sys.stderr)
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from bot.cli.jsonl import read_jsonl_record, why

    path = Path(args.file)
    if not path.is_file():
        raise CLIError(f"no such file: {args.file}", EXIT_USAGE)
    lines = path.read_text(encoding="utf-8").splitlines()
    settings = load_settings(args.db)
    console = Console(stderr=True)

    async def work(services: Any) -> int:
        created = duplicates = failed = 0
        with Progress(console=console, transient=False) as progress:
            task = progress.add_task(f"ingest {path.name}", total=len(lines))
            for number, line in enumerate(lines, start=1):
                progress.advance(task)
                if not line.strip():
                    continue
                try:
                    read = functools.partial(read_jsonl_record, line)
                    article = await services.news.run_in_worker(read)
                    report = await services.news.analyze_and_store(article)
                except Exception as err:  # one bad record must not stop a bulk import
                    failed += 1
                    progress.console.print(f"line {number}: {why(err)}", markup=False)
                    if args.strict:
                        break
                    continue
                created += report.created
                duplicates += not report.created
        print(f"imported {created}, duplicates {duplicates}, failed {failed}")
        if args.strict and failed:
            return EXIT_FAILED
        return EXIT_FAILED if failed and not (created or duplicates) else 0

    return asyncio.run(_with_services(settings, work))


def cmd_related(args: argparse.Namespace) -> int:
    from bot.cli.terminal import related_json

    settings = load_settings(args.db)

    async def work(services: Any) -> int:
        from storage.errors import NotFound

        try:
            stored = await services.articles.get(args.id)
        except NotFound:
            raise CLIError(
                f"no article #{args.id} in {_store_name(services.settings)} "
                "(ids are printed by `zhaiyao summarize --store` and `zhaiyao ingest`)"
            ) from None
        related = await services.articles.related(args.id, limit=args.limit)
        if args.json:
            print(json.dumps([related_json(r) for r in related], ensure_ascii=False, indent=2))
            return 0
        console = Console()
        console.print(f"[bold]#{stored.id} {stored.article.title}[/bold]", highlight=False)
        if not related:
            console.print("no related stories yet")
        for r in related:
            when = r.published_at.date().isoformat() if r.published_at else ""
            console.print(
                f"  {r.score or 0.0:5.2f}  #{r.article_id} {r.title}  {r.source or ''} {when}",
                highlight=False,
                markup=False,
            )
        return 0

    return asyncio.run(_with_services(settings, work))


def cmd_reindex(args: argparse.Namespace) -> int:
    """``zhaiyao reindex`` is ``zhaiyao admin reindex``: one audited implementation."""
    from bot.cli.admin import run

    return run(argparse.Namespace(db=args.db, admin_command="reindex"))


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.cli.doctor import run

    return run(load_settings(args.db))


# -- parser ------------------------------------------------------------------------------
Subcommand = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _add(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    func: Callable[[argparse.Namespace], int],
    summary: str,
    examples: str,
) -> argparse.ArgumentParser:
    """One subcommand: its one-line summary, a description for people, and examples."""
    p = sub.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog="examples:\n" + examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--db", type=Path, help="SQLite file to use (default: $ZHAIYAO_DB)")
    p.set_defaults(func=func)
    return p


def _run_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = _add(
        sub,
        "run",
        cmd_run,
        "run the Telegram bot (long polling, or a webhook with --webhook)",
        "  export ZHAIYAO_TELEGRAM_TOKEN=123456:ABC...   # from @BotFather\n"
        "  zhaiyao run\n"
        "  zhaiyao run --webhook https://bot.example.com/telegram",
    )
    run.add_argument("--webhook", metavar="URL", help="public HTTPS URL Telegram posts to")
    run.add_argument(
        "--listen",
        metavar="ADDR",
        help="with --webhook: address to listen on ($ZHAIYAO_WEBHOOK_LISTEN)",
    )
    run.add_argument(
        "--port", type=int, help="with --webhook: port to listen on ($ZHAIYAO_WEBHOOK_PORT)"
    )


def _webhook_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    hook = sub.add_parser(
        "webhook",
        help="point Telegram at the webhook workers, or back to long polling",
        description="Point Telegram at the webhook workers (set), or back to long polling "
        "(delete), or show what Telegram has (info). Run it once per deployment, not per "
        "worker.",
        epilog="examples:\n"
        "  export ZHAIYAO_WEBHOOK_SECRET=$(openssl rand -hex 32)   # the workers' too\n"
        "  zhaiyao webhook set https://bot.example.org/telegram\n"
        "  zhaiyao webhook info\n"
        "  zhaiyao webhook delete",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hook.set_defaults(func=cmd_webhook)
    actions = hook.add_subparsers(dest="webhook_command", required=True, metavar="ACTION")

    def action(name: str, summary: str, examples: str) -> argparse.ArgumentParser:
        return actions.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog="examples:\n" + examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    set_ = action(
        "set",
        "Telegram posts updates to URL, with the secret token ($ZHAIYAO_WEBHOOK_SECRET)",
        "  zhaiyao webhook set https://bot.example.org/telegram\n"
        "  zhaiyao webhook set --max-connections 80 https://bot.example.org/telegram",
    )
    set_.add_argument("url", metavar="URL")
    set_.add_argument(
        "--max-connections",
        type=int,
        default=40,
        help="updates Telegram delivers at once (1-100, default 40)",
    )
    delete = action(
        "delete",
        "no webhook: long polling (zhaiyao run) works again",
        "  zhaiyao webhook delete\n  zhaiyao webhook delete --drop-pending-updates",
    )
    for p in (set_, delete):
        p.add_argument(
            "--drop-pending-updates", action="store_true", help="forget updates not delivered yet"
        )
    action(
        "info",
        "the URL Telegram posts to, the updates waiting, the last delivery error",
        "  zhaiyao webhook info",
    )


def _summarize_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    summ = _add(
        sub,
        "summarize",
        cmd_summarize,
        "print the card of one article: a link, an .html/.txt file, or - for stdin",
        "  zhaiyao summarize examples/seed_page.txt\n"
        "  zhaiyao summarize -n 1 https://news.example.cn/2024/0301.html\n"
        "  pbpaste | zhaiyao summarize --json -\n"
        "  zhaiyao summarize --store page.html   # keep it: related stories, zhaiyao related ID",
    )
    summ.add_argument("source", metavar="URL|FILE|-")
    summ.add_argument("--json", action="store_true", help="print JSON instead of a card")
    summ.add_argument(
        "--store",
        action="store_true",
        help="also store the article in the database (default: nothing is written)",
    )
    summ.add_argument(
        "-n",
        "--sentences",
        type=int,
        default=3,
        choices=range(1, 11),
        metavar="N",
        help="summary sentences (1-10, default 3)",
    )


def _ingest_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ing = _add(
        sub,
        "ingest",
        cmd_ingest,
        'store many articles from a JSON-lines file, one {"url"?, "title"?, "text"|"html"} '
        "object a line",
        "  zhaiyao ingest examples/news.jsonl\n"
        "  zhaiyao ingest --strict export.jsonl   # stop at the first bad line\n"
        "each bad line is reported with its number and the reason; the rest are imported",
    )
    ing.add_argument("file", metavar="FILE.jsonl")
    ing.add_argument("--strict", action="store_true", help="stop at the first bad line (exit 1)")


def _related_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rel = _add(
        sub,
        "related",
        cmd_related,
        "list the stored stories related to a stored article",
        "  zhaiyao related 1\n  zhaiyao related 1 --limit 10 --json",
    )
    rel.add_argument("id", type=int, help="article id (printed by summarize --store / ingest)")
    rel.add_argument("--limit", type=int, default=5, help="how many (default 5)")
    rel.add_argument("--json", action="store_true", help="print JSON")


def _reindex_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add(
        sub,
        "reindex",
        cmd_reindex,
        "rebuild the full-text search and related-story index",
        "  zhaiyao reindex",
    )


def _doctor_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    _add(
        sub,
        "doctor",
        cmd_doctor,
        "check that the bot can run here: the store, the NER model, the bot token and the "
        "webhook settings (offline; exit 1 on a problem)",
        "  zhaiyao doctor\n  zhaiyao doctor --db /srv/zhaiyao/zhaiyao.db",
    )


def _admin_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.cli.admin import add_parser

    add_parser(sub)


def _db_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.cli.db import add_parser
    from bot.settings import store_url

    add_parser(sub, default_url=lambda: store_url(load_settings()))


#: Every subcommand, in the order ``zhaiyao --help`` lists them. To add one (``zhaiyao
#: db``, say), append a function that adds its parser, or call :func:`subcommand`.
SUBCOMMANDS: list[Subcommand] = [
    _run_parser,
    _webhook_parser,
    _summarize_parser,
    _ingest_parser,
    _related_parser,
    _reindex_parser,
    _admin_parser,
    _db_parser,
    _doctor_parser,
]


def subcommand(add_parser: Subcommand) -> Subcommand:
    """Register another subcommand (its parser's ``func`` default runs it)."""
    SUBCOMMANDS.append(add_parser)
    return add_parser


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("zhaiyao")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zhaiyao",
        description="摘要 Zhaiyao: Chinese news, summarised. The Telegram bot and its tools.",
        epilog="examples:\n  zhaiyao summarize examples/seed_page.txt\n  zhaiyao run\n"
        "Settings are environment variables (ZHAIYAO_*), see the README.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"zhaiyao {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add_parser in SUBCOMMANDS:
        add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import warnings

    # jieba imports pkg_resources, whose deprecation notice is noise on a user's terminal
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
    # a terminal card should not come with model-loading progress bars
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    # NER runs in worker threads beside the event loop; busy-waiting OpenMP threads would
    # steal the cores they share (measured ~10x slower on a loaded 2-core machine)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CLIError as err:
        print(f"zhaiyao: {err}", file=sys.stderr)
        return err.code
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        if os.environ.get("ZHAIYAO_DEBUG"):
            raise
        print(f"zhaiyao: {_sentence(err)}", file=sys.stderr)
        return EXIT_FAILED


def _sentence(err: Exception) -> str:
    """An error as a sentence for people: its own reason when it has one, else its
    message and where to look; never the class name."""
    reason = getattr(err, "user_message", None)
    if callable(reason):
        return str(reason("en"))
    detail = str(err).strip() or "no details"
    return f"unexpected failure ({detail}); ZHAIYAO_DEBUG=1 shows the traceback"
