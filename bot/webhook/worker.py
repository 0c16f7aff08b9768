"""One webhook worker: ``zhaiyao run --webhook URL``, any number of them on one database.

PTB's custom-webhook pattern (``Application.builder().updater(None)``, our own web server
feeding ``process_update``): a small tornado server — the one PTB's webhook extra already
installs — on one port serves ``POST /<path>`` (the updates Telegram or a load balancer
delivers) and ``GET /healthz``.

An update is handled by at most one worker: it is claimed in ``processed_updates``
(:mod:`storage.updates`) before anything else, and answered 200 right after; a duplicate
(Telegram redelivering, the balancer retrying) finds the claim and is answered 200 without
being handled. What happens at each failure point:

- killed before the claim committed: Telegram got no 200 and delivers the update again,
  to this or another worker;
- killed after the claim, before the update's first chat-changing Bot API call (or when
  Telegram had refused every such call, e.g. with 429): another worker's sweep (every
  :data:`SWEEP_S` s, or at once when the update is redelivered) sees the holder's
  liveness lock gone and handles the update itself;
- killed during or after a send (the claim says ``sending``): the call may have reached
  Telegram, so the update is not handled again; it is marked ambiguous and reported to
  the admin chat (at most once, never silently doubled);
- SIGTERM: new updates get 503 (Telegram delivers them elsewhere), updates in hand have
  :data:`DRAIN_S` s to finish, the rest are released (``claimed``: for another worker to
  handle) or reported (``sending``), and the process exits well within 30 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hmac
import json
import logging
import re
import signal
import time
from dataclasses import dataclass
from typing import Any

import tornado.web
from telegram import Update
from telegram.error import TelegramError
from tornado.httpserver import HTTPServer

from bot.context import BotApp
from bot.errors import MissingWebhookSecret
from bot.settings import Settings
from bot.telegram.send import retried
from bot.webhook.claims import current_sends
from storage.updates import AmbiguousUpdate, UpdateClaims
from storage.workers import worker_for

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
DRAIN_S = 20.0  # for updates in hand after SIGTERM; the rest of the 30 s is for closing
SWEEP_S = 2.0  # how often abandoned claims are looked for
EXPIRE_EVERY_S = 3600.0
HEALTH_TIMEOUT_S = 2.0


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    url: str  # the public URL Telegram posts to
    path: str  # its path, served here
    secret: str
    listen: str
    port: int
    worker_id: str


class ClaimedSends:
    """The chat-changing Bot API calls of one claimed update (see :mod:`bot.webhook.claims`):
    the claim is ``sending`` while one is in flight or once one was accepted, and back to
    ``claimed`` while every call so far was refused."""

    def __init__(self, claims: UpdateClaims, update_id: int) -> None:
        self.claims = claims
        self.update_id = update_id
        self.in_flight = 0
        self.accepted = False
        self.sending = False
        self._lock = asyncio.Lock()

    async def before(self) -> None:
        async with self._lock:
            self.in_flight += 1
            if not self.sending:
                await self.claims.sending(self.update_id)
                self.sending = True

    async def after(self, *, refused: bool) -> None:
        async with self._lock:
            self.in_flight -= 1
            self.accepted = self.accepted or not refused
            if self.sending and not self.accepted and not self.in_flight:
                await self.claims.unsend(self.update_id)
                self.sending = False


def chat_of(data: dict[str, Any]) -> int | None:
    """The chat an update is about, from its JSON (for the ambiguity report)."""
    for value in data.values():
        if isinstance(value, dict):
            chat = value.get("chat") or (value.get("message") or {}).get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    return None


class WebhookWorker:
    def __init__(self, app: BotApp, config: WebhookConfig) -> None:
        self.app = app
        self.config = config
        self.state = "starting"  # -> ready -> draining -> stopped
        self.claims: UpdateClaims | None = None
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._poke = asyncio.Event()
        self._stop = asyncio.Event()
        self._last_expiry = 0.0

    # -- HTTP ------------------------------------------------------------------------------
    def web_app(self) -> tornado.web.Application:
        return tornado.web.Application(
            [
                (rf"/{self.config.path}/?", _UpdateHandler, {"worker": self}),
                (r"/healthz", _HealthHandler, {"worker": self}),
            ],
            log_function=_quiet,
        )

    async def receive(self, body: bytes, secret: str | None) -> int:
        """The HTTP status for one delivered update (200: handled, or claimed before)."""
        if self.state != "ready" or self.claims is None:
            return 503  # starting or stopping: Telegram delivers it again, elsewhere
        if not hmac.compare_digest((secret or "").encode(), self.config.secret.encode()):
            log.warning("update refused: wrong or missing secret token")
            return 403
        try:
            data = json.loads(body)
            update_id = int(data["update_id"])
        except (ValueError, KeyError, TypeError):
            return 400
        try:
            won = await self.claims.claim(update_id, body.decode(), chat_of(data))
        except Exception:
            log.warning("update %s: could not be claimed", update_id, exc_info=True)
            return 503
        if not won:
            log.info("update %s: duplicate, claimed before", update_id)
            self._poke.set()  # its holder may be gone: look now, not at the next sweep
            return 200
        if self.state != "ready":  # SIGTERM came while claiming: leave it to the others
            await self.claims.release([update_id])
            return 503
        self._start(update_id, data)
        return 200

    async def health(self) -> tuple[int, dict[str, Any]]:
        report: dict[str, Any] = {"worker": self.config.worker_id, "state": self.state}
        ok = self.state == "ready"
        try:
            if not self.app.bot_data.ready:
                raise ConnectionError("not connected yet")
            db = self.app.bot_data.services.db
            await asyncio.wait_for(db.scalar("SELECT 1"), HEALTH_TIMEOUT_S)
            report["database"] = "ok"
        except Exception as exc:
            report["database"] = f"unreachable: {type(exc).__name__}"
            ok = False
        report["models"] = "loaded" if self.state in ("ready", "draining") else "loading"
        if report["database"] == "ok" and self.claims and not await self.claims.alive():
            report["database"], ok = "worker lock lost", False
        report["in_flight"] = len(self._tasks)
        return (200 if ok else 503), report

    # -- handling --------------------------------------------------------------------------
    def _start(self, update_id: int, data: dict[str, Any]) -> None:
        task = asyncio.create_task(self._handle(update_id, data), name=f"update {update_id}")
        self._tasks[update_id] = task

    async def _handle(self, update_id: int, data: dict[str, Any]) -> None:
        assert self.claims is not None
        current_sends.set(ClaimedSends(self.claims, update_id))  # this task's own context
        try:
            update = Update.de_json(data, self.app.bot)
            await self.app.update_processor.process_update(update, self.app.process_update(update))
            await self.claims.finish(update_id)
        except asyncio.CancelledError:
            raise  # stopping: drain() releases or reports it
        except Exception:
            log.exception("update %s: handled, but not recorded as done", update_id)
        self._tasks.pop(update_id, None)

    # -- abandoned claims ------------------------------------------------------------------
    async def sweep(self) -> None:
        """Take over the claims of workers that are gone; report the ambiguous ones."""
        assert self.claims is not None
        taken, ambiguous = await self.claims.take_abandoned()
        for update in taken:
            log.info("update %s: taken over from a stopped worker", update.update_id)
            self._start(update.update_id, json.loads(update.payload))
        await self.report(ambiguous)
        if time.monotonic() - self._last_expiry > EXPIRE_EVERY_S:
            self._last_expiry = time.monotonic()
            await self.claims.expire()

    async def _sweep_forever(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), SWEEP_S)
            self._poke.clear()
            try:
                if self.claims is not None and not await self.claims.alive():
                    log.error("this worker's liveness lock is gone: stopping")
                    self._stop.set()  # others may take our claims now; a restart is clean
                    return
                await self.sweep()
            except Exception:
                log.warning("sweep for abandoned updates failed", exc_info=True)

    async def report(self, ambiguous: list[AmbiguousUpdate]) -> None:
        admin_chat = self.app.bot_data.settings.admin_chat
        for item in ambiguous:
            line = (
                f"ambiguous: worker died during send: update {item.update_id}"
                f" (chat {item.chat_id}, worker {item.worker or '?'}) was not handled again"
            )
            log.warning("%s", line)
            if admin_chat is None:
                continue
            try:
                await retried(
                    functools.partial(self.app.bot.send_message, admin_chat, line, parse_mode=None),
                    what="sendMessage",
                )
            except TelegramError:
                log.warning("could not report update %s to the admin chat", item.update_id)

    # -- life ------------------------------------------------------------------------------
    async def run(self) -> None:
        """Serve until SIGTERM/SIGINT, then drain and close (within 30 s)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._stop.set)
        server = HTTPServer(self.web_app(), xheaders=True)
        server.listen(self.config.port, address=self.config.listen)
        log.info("listening on %s:%s", self.config.listen, self.config.port)
        try:
            await self._serve()
        finally:
            server.stop()
            await server.close_all_connections()
            log.info("stopped")

    async def _serve(self) -> None:
        app = self.app
        await app.initialize()
        assert app.post_init is not None and app.post_shutdown is not None
        try:
            await app.post_init(app)
            db = app.bot_data.services.db
            self.claims = UpdateClaims(db, await worker_for(db), self.config.worker_id)
            await app.start()
            await set_webhook_once(app, self.config)
            self.state = "ready"
            log.info("ready: taking updates at /%s", self.config.path)
            sweeper = asyncio.create_task(self._sweep_forever())
            await self._stop.wait()
            self.state = "draining"
            log.info("SIGTERM: taking no new updates, %d in hand", len(self._tasks))
            sweeper.cancel()
            await asyncio.gather(sweeper, return_exceptions=True)
            await self.drain()
            await app.stop()
        finally:
            self.state = "stopped"  # the liveness lock goes when post_shutdown closes the db
            await app.shutdown()
            await app.post_shutdown(app)

    async def drain(self) -> None:
        """Let the updates in hand finish for :data:`DRAIN_S` s; release the rest."""
        assert self.claims is not None
        pending = set(self._tasks.values())
        if pending:
            _, late = await asyncio.wait(pending, timeout=DRAIN_S)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        unfinished = list(self._tasks)
        self._tasks.clear()
        if unfinished:
            log.info("releasing %d unfinished updates", len(unfinished))
            await self.report(await self.claims.release(unfinished))


async def set_webhook_once(app: BotApp, config: WebhookConfig) -> None:
    """The first worker to start (under an advisory lock) points Telegram at the URL if
    Telegram has another; the others leave it alone. ``zhaiyao webhook set`` sets it
    unconditionally (a new secret token)."""
    from storage.updates import first_worker

    async with first_worker(app.bot_data.services.db) as first:
        if not first:
            return
        bot = app.bot
        info = await retried(bot.get_webhook_info, what="getWebhookInfo", idempotent=True)
        if info.url == config.url:
            return
        await retried(
            lambda: bot.set_webhook(
                config.url, secret_token=config.secret, allowed_updates=Update.ALL_TYPES
            ),
            what="setWebhook",
            idempotent=True,
        )
        log.info("webhook set (Telegram had %s)", info.url or "none")


def _quiet(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log would repeat every update; failures only, at debug."""
    if handler.get_status() >= 400:
        log.debug("%s %s -> %s", handler.request.method, handler.request.path, handler.get_status())


class _UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, worker: WebhookWorker) -> None:
        self.worker = worker

    async def post(self) -> None:
        secret = self.request.headers.get(SECRET_HEADER)
        self.set_status(await self.worker.receive(self.request.body, secret))


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, worker: WebhookWorker) -> None:
        self.worker = worker

    async def get(self) -> None:
        status, report = await self.worker.health()
        self.set_status(status)
        self.write(report)


def config_for(
    settings: Settings, url: str, *, listen: str | None = None, port: int | None = None
) -> WebhookConfig:
    """The worker's configuration from ``--webhook URL``, its options and settings. The
    local path is the URL's (``/telegram`` when it has none); the secret token is
    required (every worker must check the same one)."""
    import os
    import socket
    from urllib.parse import urlsplit

    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise MissingWebhookSecret()
    path = urlsplit(url).path.strip("/")
    return WebhookConfig(
        url=url if path else url.rstrip("/") + "/telegram",
        path=path or "telegram",
        secret=secret,
        listen=listen or settings.webhook_listen,
        port=port if port is not None else settings.webhook_port,
        worker_id=settings.worker_id or f"{socket.gethostname()}:{os.getpid()}",
    )
