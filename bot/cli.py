"""``zhaiyao``: the bot and its tools on the command line (also ``python -m bot``).

    zhaiyao run [--webhook URL]          the Telegram bot (long polling by default)
    zhaiyao summarize URL|FILE|- [--json] one card in the terminal (.html or .txt files)
    zhaiyao ingest FILE.jsonl            bulk import {"url"?, "title"?, "text"|"html"}
    zhaiyao related ID [--json]          related stories of a stored article
    zhaiyao reindex                      rebuild the search index
    zhaiyao admin ...                    admin commands on the local database

The database is ``ZHAIYAO_DB`` (see ``bot.settings``). Errors print one line on stderr
and exit non-zero (1: the request failed, 2: usage or configuration); never a traceback.
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

EXIT_FAILED, EXIT_USAGE = 1, 2
log = logging.getLogger("zhaiyao")


class CLIError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


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
    from bot.errors import MissingToken

    settings = load_settings(args.db)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry the token
    try:
        app = build_application(settings)
    except MissingToken as err:
        raise CLIError(str(err), EXIT_USAGE) from None
    if args.webhook:
        from bot.app import webhook_options

        app.run_webhook(allowed_updates=Update.ALL_TYPES, **webhook_options(settings, args.webhook))
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


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
    from bot.terminal import card_json, card_renderable

    kind, payload = _read_source(args.source)
    settings = load_settings(args.db)

    async def work(services: Any) -> int:
        news = services.news
        if kind == "url":
            report = await news.ingest_url(str(payload), sentences=args.sentences)
        elif kind == "html":
            report = await news.ingest_html(payload, name=args.source, sentences=args.sentences)
        else:
            report = await news.ingest_text(str(payload), sentences=args.sentences)
        a = report.analysis
        fields = dict(article_id=report.article_id, outlets=report.outlets, related=report.related)
        if args.json:
            data = card_json(
                a.article,
                report.summary,
                a.entity_counts,
                keywords=a.keywords,
                duplicate_of=report.duplicate_of,
                **fields,
            )
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            Console().print(card_renderable(a.article, report.summary, a.entity_counts, **fields))
        return 0

    return asyncio.run(_with_services(settings, work))


def cmd_ingest(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from bot.ingest import read_jsonl_record

    path = Path(args.file)
    if not path.is_file():
        raise CLIError(f"no such file: {args.file}", EXIT_USAGE)
    lines = path.read_text(encoding="utf-8").splitlines()
    settings = load_settings(args.db)

    async def work(services: Any) -> int:
        created = duplicates = 0
        failures: list[str] = []
        with Progress(console=Console(stderr=True), transient=False) as progress:
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
                    failures.append(f"line {number}: {getattr(err, 'reason', None) or err}")
                    continue
                created += report.created
                duplicates += not report.created
        print(f"imported {created}, duplicates {duplicates}, failed {len(failures)}")
        for failure in failures[:20]:
            print(f"  {failure}", file=sys.stderr)
        return EXIT_FAILED if failures and not (created or duplicates) else 0

    return asyncio.run(_with_services(settings, work))


def cmd_related(args: argparse.Namespace) -> int:
    from bot.terminal import related_json

    settings = load_settings(args.db)

    async def work(services: Any) -> int:
        stored = await services.articles.get(args.id)
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
                f"  {r.score:5.2f}  #{r.article_id} {r.title}  {r.source or ''} {when}",
                highlight=False,
                markup=False,
            )
        return 0

    return asyncio.run(_with_services(settings, work))


def cmd_reindex(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    settings = load_settings(args.db)

    async def work(services: Any) -> int:
        with Progress(console=Console(stderr=True)) as progress:
            task = progress.add_task("reindex", total=None)

            def step(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            count = await services.articles.reindex(progress=step)
        print(f"reindexed {count} articles")
        return 0

    return asyncio.run(_with_services(settings, work))


# -- parser ------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zhaiyao", description="摘要 Zhaiyao: Chinese news, summarised."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> Any:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--db", type=Path, help="SQLite file (default: ZHAIYAO_DB)")
        p.set_defaults(func=func)
        return p

    run = add("run", cmd_run, "run the Telegram bot (long polling, or --webhook)")
    run.add_argument("--webhook", metavar="URL", help="public HTTPS URL Telegram posts to")
    summ = add("summarize", cmd_summarize, "summarise a URL, an .html/.txt file or - (stdin)")
    summ.add_argument("source", metavar="URL|FILE|-")
    summ.add_argument("--json", action="store_true", help="print JSON instead of a card")
    summ.add_argument(
        "-n",
        "--sentences",
        type=int,
        default=3,
        choices=range(1, 11),
        metavar="N",
        help="summary sentences (1-10, default 3)",
    )
    ing = add("ingest", cmd_ingest, 'bulk import JSON lines {"url"?, "title"?, "text"|"html"}')
    ing.add_argument("file", metavar="FILE.jsonl")
    rel = add("related", cmd_related, "related stories of a stored article")
    rel.add_argument("id", type=int)
    rel.add_argument("--limit", type=int, default=5)
    rel.add_argument("--json", action="store_true")
    add("reindex", cmd_reindex, "rebuild the full-text and related-story index")
    try:
        from bot import admin_cli
    except ImportError:
        pass
    else:
        admin_cli.add_parser(sub)
    from bot.settings import store_url
    from storage import manage

    manage.add_parser(sub, default_url=lambda: store_url(load_settings()))
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
        reason = getattr(err, "user_message", None)
        text = reason("en") if callable(reason) else f"{type(err).__name__}: {err}"
        print(f"zhaiyao: {text}", file=sys.stderr)
        return EXIT_FAILED
