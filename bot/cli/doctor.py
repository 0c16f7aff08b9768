"""``zhaiyao doctor``: is this installation ready to run the bot? One line per check.

Checks, all offline (nothing is sent to Telegram): the settings parse; the store opens,
passes ``zhaiyao db check`` and has no pending migration; the NER backend loads; the
bot token is set and has a token's form; the webhook settings are ones Telegram and the
server accept. Prints ``ok`` or ``problem`` with what to do, and exits 1 when any check
found a problem.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# @BotFather's tokens: the bot's numeric id, a colon, 35 characters of [A-Za-z0-9_-]
TOKEN_RE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
# Telegram's rule for setWebhook's secret_token
SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    ok: bool
    detail: str


def check_store(settings: Any) -> Finding:
    from sqlalchemy.engine import make_url

    from bot.settings import store_url

    url = store_url(settings)
    shown = make_url(url).render_as_string(hide_password=True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        from pathlib import Path

        path = Path(parsed.database)
        if not path.exists():
            parent = next((p for p in path.parents if p.exists()), None)
            if parent is None or not parent.is_dir():
                return Finding("store", False, f"{path}: {parent} is not a directory")
            return Finding("store", True, f"{path} does not exist yet (created at first use)")
    try:
        problems, pending = asyncio.run(_inspect_store(url))
    except Exception as err:  # down, refused, not a database, no permission ...
        reason = getattr(err, "orig", None) or err
        return Finding("store", False, f"cannot open {shown}: {reason}")
    if problems:
        return Finding("store", False, f"{shown}: {'; '.join(problems)} (see zhaiyao db check)")
    if pending:
        return Finding(
            "store", True, f"{shown}: migrations pending (the bot applies them at start-up, "
            "or run zhaiyao db migrate)"
        )  # fmt: skip
    return Finding("store", True, f"{shown}: schema up to date, indexes consistent")


async def _inspect_store(url: str) -> tuple[list[str], bool]:
    from storage import connect
    from storage.db import _current_heads
    from storage.manage import check
    from storage.migrations.runner import head

    db = await connect(url, migrate=False)
    try:
        async with db.engine.connect() as conn:
            heads = await conn.run_sync(_current_heads)
        pending = head() not in heads
        problems = [] if pending else await check(db)  # check reads the current schema
    finally:
        await db.close()
    return problems, pending


def check_model(settings: Any) -> Finding:
    from summarizer.entities import BACKENDS, load_ner

    backend = settings.ner_backend
    if backend not in BACKENDS:
        choices = ", ".join(sorted(BACKENDS))
        return Finding("ner model", False, f"ZHAIYAO_NER_BACKEND={backend}: choose {choices}")
    try:
        load_ner(backend, settings.ner_model)
    except Exception as err:
        return Finding("ner model", False, f"backend {backend} does not load: {err}")
    model = settings.ner_model or ("the shipped model" if backend == "model" else None)
    return Finding("ner model", True, f"backend {backend}{f' ({model})' if model else ''} loads")


def check_token(settings: Any) -> Finding:
    token = settings.telegram_token.get_secret_value() if settings.telegram_token else ""
    if not token:
        return Finding(
            "token", False, "ZHAIYAO_TELEGRAM_TOKEN is not set: zhaiyao run needs the token "
            "@BotFather gave you (the other commands work without it)"
        )  # fmt: skip
    if not TOKEN_RE.fullmatch(token.strip()):
        return Finding(
            "token", False, "ZHAIYAO_TELEGRAM_TOKEN does not look like a bot token "
            "(digits, a colon, then about 35 letters, digits, _ or -)"
        )  # fmt: skip
    return Finding("token", True, f"set, for bot id {token.split(':')[0]} (not checked online)")


def check_webhook(settings: Any) -> Finding:
    problems = []
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    if secret is not None and not SECRET_RE.fullmatch(secret):
        problems.append(
            "ZHAIYAO_WEBHOOK_SECRET must be 1-256 letters, digits, _ or - (Telegram's rule)"
        )
    try:
        ipaddress.ip_address(settings.webhook_listen)
    except ValueError:
        problems.append(f"ZHAIYAO_WEBHOOK_LISTEN={settings.webhook_listen} is not an IP address")
    if not 0 < settings.webhook_port < 65536:
        problems.append(f"ZHAIYAO_WEBHOOK_PORT={settings.webhook_port} is not a port number")
    if problems:
        return Finding("webhook", False, "; ".join(problems))
    how = "a fixed secret" if secret else "a random secret at each start"
    listen = f"{settings.webhook_listen}:{settings.webhook_port}"
    return Finding("webhook", True, f"zhaiyao run --webhook URL listens on {listen}, {how}")


CHECKS: tuple[Callable[[Any], Finding], ...] = (
    check_store,
    check_model,
    check_token,
    check_webhook,
)


def run(settings: Any) -> int:
    findings = [check(settings) for check in CHECKS]
    for f in findings:
        print(f"{'ok' if f.ok else 'problem':8} {f.check:10} {f.detail}", flush=True)
    bad = [f.check for f in findings if not f.ok]
    print(f"{len(bad)} problem(s): {', '.join(bad)}" if bad else "all checks passed")
    return 1 if bad else 0
