"""A loopback fake Telegram Bot API server for end-to-end tests of the real PTB stack.

The real ``telegram.ext.Application`` talks HTTP to it through ``base_url``::

    async with FakeBotAPI() as api:                 # aiohttp on 127.0.0.1, random port
        app = (ApplicationBuilder().token(api.token)
               .base_url(api.base_url).base_file_url(api.base_file_url).build())
        async with api.polling(app):                # initialize, start, start_polling
            api.send_text(chat_id=1, text="/start")  # inject an update
            msg = await api.wait_for_message(chat_id=1)

What it does like Telegram: ``getUpdates`` long polling with offsets (an update is
delivered until a later offset confirms it); ``sendMessage``/``editMessageText`` parse
HTML the way Telegram does (see ``telegram_html``; stricter about bare ``&``/``>``) and
answer 400s shaped like Telegram's; the 4096 limit counts UTF-16 units after parsing;
inline keyboards are checked (callback_data 1–64 bytes); ``sendDocument`` stores the
uploaded bytes, which ``getFile`` + the file URL serve back. ``fail_next(method, n,
retry_after=1, after=0)`` answers ``n`` calls with 429 (after letting ``after`` through);
``fail_next_with(method, code, description)`` any other error (502, 403, ...); ``storm(
too_many=.3, dropped=.1)`` answers that share of *every* call with 429 (``retry_after``) and
drops that share of connections before answering (nothing done). Every call is
recorded in ``api.calls`` (failed ones too, with their error code) so tests can assert
exactly-once delivery. Unknown methods answer 404 and are recorded in ``api.unknown_methods``.

Injecting updates (see ``fake_updates.UpdateFactory``): ``send_text``, ``edit_text``,
``send_document``, ``forward_channel_post``, ``channel_post``, ``click`` (callback query),
``my_chat_member``, or ``add_update(any_dict)``. Waiting: ``wait_for(predicate)``,
``wait_for_messages(chat, n)``, ``wait_for_final(chat, n)`` (placeholders edited away),
``settle()`` (no call for a while). State: ``sent(chat)``, ``messages``, ``commands[(scope,
lang)]``, ``webhook``, ``files``; ``set_chat_member`` / ``set_chat`` configure lookups.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.helpers.fake_updates import UpdateFactory
from tests.helpers.telegram_html import TEXT_LIMIT, EntityParseError, parse_html, utf16_len

TOKEN = "123456789:TEST-token_for_the_fake_bot_api"
BOT_ID = 123456789
BOT_USERNAME = "zhaiyao_test_bot"
# Parameters PTB sends JSON-encoded inside form fields.
_JSON_PARAMS = {
    "reply_markup",
    "entities",
    "caption_entities",
    "commands",
    "scope",
    "allowed_updates",
    "link_preview_options",
    "reply_parameters",
}


class BotAPIError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


@dataclass(slots=True)
class Call:
    """One request the bot made; ``ok`` False for answered errors (``error_code``)."""

    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None = None
    description: str | None = None
    result: Any = None
    at: float = field(default_factory=time.monotonic)


@dataclass(slots=True)
class StoredMessage:
    chat_id: int
    message_id: int
    text: str  # plain text after entity parsing
    raw: str  # what the bot sent
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    parse_mode: str | None
    edits: int = 0
    document: dict[str, Any] | None = None


class FakeBotAPI(UpdateFactory):
    def __init__(self, *, token: str = TOKEN, strict_html: bool = True) -> None:
        super().__init__(bot_id=BOT_ID, bot_username=BOT_USERNAME)
        self.token = token
        self.strict_html = strict_html
        self.calls: list[Call] = []
        self.unknown_methods: list[str] = []
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, bytes)
        self.chat_members: dict[tuple[int, int], str] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self._failures: dict[str, list[tuple[int, int, str]]] = {}
        self._skip: dict[str, int] = {}
        self._storm: tuple[random.Random, list[str], int] | None = None
        self._storm_plan: dict[str, list[str]] = {}
        self.polls = 0  # getUpdates calls answered (the bot is polling)
        self._updates: list[dict[str, Any]] = []
        self._confirmed = 0  # every update_id below this has been confirmed
        self._changed = asyncio.Condition()
        self._ids = itertools.count(1)
        self._closing = False
        self._draining = False
        self.webhook: dict[str, Any] | None = None  # setWebhook's url and secret_token
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        self._closing = True
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def polling(self, app: Any, *, timeout: int = 1) -> AsyncIterator[Any]:
        """Run a PTB Application with long polling against this server for the block."""
        await app.initialize()
        if app.post_init:
            await app.post_init(app)
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=timeout)
        try:
            yield app
        finally:
            # answer the in-flight long poll now, so PTB's stop finds its connection free
            self._draining = True
            await self._notify()
            await asyncio.sleep(0.05)
            await app.updater.stop()
            self._draining = False
            await app.stop()
            if app.post_stop:
                await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown:
                await app.post_shutdown(app)

    # -- test controls -------------------------------------------------------------------
    def add_update(self, update: dict[str, Any]) -> int:
        """Queue any update dict (``update_id`` is assigned); returns the id."""
        update_id = self._next_update_id()
        update = {**update, "update_id": update_id}
        self._updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update_id

    def fail_next(
        self, method: str, times: int = 1, *, retry_after: int = 1, after: int = 0
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 Too Many Requests,
        after letting ``after`` calls through first (a 429 in the middle of a reply)."""
        description = f"Too Many Requests: retry after {retry_after}"
        self._failures.setdefault(method, []).extend([(429, retry_after, description)] * times)
        self._skip[method] = after

    def fail_next_with(self, method: str, code: int, description: str, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with any error (e.g. 403, 400)."""
        self._failures.setdefault(method, []).extend([(code, 0, description)] * times)

    def storm(
        self, *, too_many: float = 0.3, dropped: float = 0.1, retry_after: int = 1, seed: int = 0
    ) -> None:
        """From now on, answer a ``too_many`` share of the calls of *every* method with 429
        and drop a ``dropped`` share of connections before doing anything (``calm()``
        stops it). The shares are exact per method in each block of ten calls (so a method
        called ten times is struck), at positions shuffled by ``seed``."""
        block = [*["drop"] * round(10 * dropped), *["429"] * round(10 * too_many)]
        self._storm = (random.Random(seed), block + ["ok"] * (10 - len(block)), retry_after)
        self._storm_plan = {}

    def calm(self) -> None:
        self._storm = None

    def _storm_strikes(self, request: web.Request, call: Call) -> None:
        """Raise the storm's 429, or drop the connection; ``call`` records which."""
        if self._storm is None:
            return
        rng, block, retry_after = self._storm
        plan = self._storm_plan.setdefault(call.method, [])
        if not plan:
            plan.extend(rng.sample(block, len(block)))
        fate = plan.pop()
        if fate == "drop":
            call.error_code, call.description = 0, "connection dropped"
            if call.method != "getUpdates":
                self.calls.append(call)
            if request.transport is not None:
                request.transport.close()
            raise ConnectionResetError("dropped by the storm")
        if fate == "429":
            description = f"Too Many Requests: retry after {retry_after}"
            raise BotAPIError(429, description, {"retry_after": retry_after})

    def set_chat_member(self, chat_id: int, user_id: int, status: str) -> None:
        """``status``: creator, administrator, member, restricted, left, kicked."""
        self.chat_members[(chat_id, user_id)] = status

    def set_chat(self, chat_id: int, **fields: Any) -> None:
        self.chats[chat_id] = fields

    def add_file(self, data: bytes, file_name: str) -> str:
        file_id = f"file{next(self._ids)}"
        self.files[file_id] = (f"documents/{file_id}_{file_name}", data)
        return file_id

    # -- queries -------------------------------------------------------------------------
    def calls_to(self, method: str, *, ok: bool | None = True) -> list[Call]:
        return [c for c in self.calls if c.method == method and (ok is None or c.ok == ok)]

    def sent(self, chat_id: int | None = None) -> list[StoredMessage]:
        """Messages the bot sent (successfully), in order, with their current text."""
        keys = [
            (int(c.params["chat_id"]), c.result["message_id"])
            for c in self.calls
            if c.ok and c.method in ("sendMessage", "sendDocument")
        ]
        found = [self.messages[k] for k in keys if k in self.messages]  # minus deleted ones
        return [m for m in found if chat_id is None or m.chat_id == chat_id]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked on every call); return it."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
                return value

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 15.0
    ) -> list[StoredMessage]:
        result: list[StoredMessage] = await self.wait_for(
            lambda: len(self.sent(chat_id)) >= count and self.sent(chat_id), timeout
        )
        return result

    async def wait_for_message(self, chat_id: int, timeout: float = 15.0) -> StoredMessage:
        return (await self.wait_for_messages(chat_id, 1, timeout))[-1]

    async def wait_for_final(
        self, chat_id: int, count: int = 1, timeout: float = 30.0, *, pending: str = "正在读取…"
    ) -> list[StoredMessage]:
        """Like ``wait_for_messages``, but placeholders (text ``pending``) must have been
        edited into their final text first."""
        result: list[StoredMessage] = await self.wait_for(
            lambda: (
                len(found := self.sent(chat_id)) >= count
                and all(m.raw != pending for m in found)
                and found
            ),
            timeout,
        )
        return result

    async def settle(self, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Wait until no call has arrived for ``quiet`` seconds (for 'nothing more' checks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.calls[-1].at if self.calls else 0.0
            if time.monotonic() - last >= quiet:
                return
            await asyncio.sleep(quiet / 3)

    # -- HTTP ----------------------------------------------------------------------------
    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json() if request.can_read_body else {}
            params.update(body)
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = (value.filename, value.file.read(), value.content_type)
            elif key in _JSON_PARAMS and isinstance(value, str):
                params[key] = json.loads(value)
            else:
                params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params = await self._params(request)
        handler = getattr(self, f"_m_{method}", None)
        call = Call(method, params, ok=False)
        try:
            if handler is None:
                self.unknown_methods.append(method)
                raise BotAPIError(404, "Not Found")
            self._storm_strikes(request, call)
            pending = self._failures.get(method)
            if pending and self._skip.get(method, 0) > 0:
                self._skip[method] -= 1
            elif pending:
                code, retry_after, description = pending.pop(0)
                extra = {"retry_after": retry_after} if code == 429 else None
                raise BotAPIError(code, description, extra)
            result = await handler(params)
        except BotAPIError as err:
            call.error_code, call.description = err.code, err.description
            if method != "getUpdates":
                self.calls.append(call)
                await self._notify()
            body: dict[str, Any] = {
                "ok": False,
                "error_code": err.code,
                "description": err.description,
            }
            if err.parameters:
                body["parameters"] = err.parameters
            return web.json_response(body, status=err.code)
        call.ok, call.result = True, result
        if method != "getUpdates" or result:
            self.calls.append(call)
            await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        path = request.match_info["path"]
        for file_path, data in self.files.values():
            if file_path == path:
                return web.Response(body=data)
        return web.Response(status=404, text="Not Found")

    # -- methods -------------------------------------------------------------------------
    async def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if str(params.get("drop_pending_updates", "")).lower() == "true":
            self._confirmed = self._last_update_id() + 1
        return True

    async def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        url = self.webhook["url"] if self.webhook else ""
        return {"url": url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if url and not url.startswith("https://") and not url.startswith("http://127."):
            raise BotAPIError(400, "Bad Request: bad webhook: An HTTPS URL must be provided")
        self.webhook = {"url": url, "secret_token": params.get("secret_token")}
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        self.polls += 1
        await self._notify()  # wake wait_for(lambda: api.polls ...)
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            self._confirmed = max(self._confirmed, offset)

        def pending() -> list[dict[str, Any]]:
            return [u for u in self._updates if u["update_id"] >= self._confirmed][:limit]

        deadline = time.monotonic() + timeout
        async with self._changed:
            while not pending() and not self._closing and not self._draining:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    break
        return pending()

    def _chat_id(self, params: dict[str, Any]) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise BotAPIError(400, "Bad Request: chat_id is empty")
        if isinstance(raw, str) and raw.startswith("@"):  # a public chat's username
            for chat_id, fields in self.chats.items():
                if fields.get("username", "").lower() == raw[1:].lower():
                    return chat_id
            raise BotAPIError(400, "Bad Request: chat not found")
        try:
            return int(raw)
        except ValueError:
            raise BotAPIError(400, "Bad Request: chat not found") from None

    def _parse_text(self, params: dict[str, Any], key: str = "text") -> tuple[str, list[Any]]:
        raw = str(params.get(key, ""))
        mode = params.get("parse_mode")
        if mode == "HTML":
            try:
                text, entities = parse_html(raw, strict=self.strict_html)
            except EntityParseError as err:
                raise BotAPIError(400, f"Bad Request: {err.description}") from None
        else:
            text, entities = raw, list(params.get(key.replace("text", "entities"), []) or [])
        if key == "text" and not text.strip():
            raise BotAPIError(400, "Bad Request: message text is empty")
        limit = TEXT_LIMIT if key == "text" else 1024
        if utf16_len(text) > limit:
            what = "message is too long" if key == "text" else "message caption is too long"
            raise BotAPIError(400, f"Bad Request: {what}")
        return text, entities

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise BotAPIError(400, "Bad Request: BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and not re.match(r"^(https?|tg)://\S+$", url):
                    raise BotAPIError(400, "Bad Request: BUTTON_URL_INVALID")
        return dict(markup)

    def _message_json(self, msg: StoredMessage) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": int(time.time()),
            "chat": self.chat_json(msg.chat_id),
            "from": self.bot_user,
        }
        if msg.document is not None:
            out["document"] = msg.document
            if msg.text:
                out["caption"] = msg.text
        else:
            out["text"] = msg.text
        if msg.entities:
            out["caption_entities" if msg.document else "entities"] = msg.entities
        if msg.edits:
            out["edit_date"] = int(time.time())
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            out["reply_markup"] = msg.reply_markup  # Telegram echoes inline keyboards only
        return out

    async def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        text, entities = self._parse_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        msg = StoredMessage(
            chat_id,
            self.next_message_id(chat_id),
            text,
            str(params["text"]),
            entities,
            markup,
            params.get("parse_mode"),
        )
        self.messages[(chat_id, msg.message_id)] = msg
        return self._message_json(msg)

    async def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | bool:
        chat_id = self._chat_id(params)
        key = (chat_id, int(params.get("message_id") or 0))
        if key not in self.messages:
            raise BotAPIError(400, "Bad Request: message to edit not found")
        text, entities = self._parse_text(params)
        markup = self._check_markup(params.get("reply_markup"))
        msg = self.messages[key]
        if (text, entities, markup) == (msg.text, msg.entities, msg.reply_markup):
            raise BotAPIError(
                400,
                "Bad Request: message is not modified: specified new message content and "
                "reply markup are exactly the same as a current content and reply markup of "
                "the message",
            )
        msg.text, msg.raw, msg.entities, msg.reply_markup = text, params["text"], entities, markup
        msg.parse_mode = params.get("parse_mode")
        msg.edits += 1
        return self._message_json(msg)

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (self._chat_id(params), int(params.get("message_id") or 0))
        if key not in self.messages:
            raise BotAPIError(400, "Bad Request: message to edit not found")
        self.messages[key].reply_markup = self._check_markup(params.get("reply_markup"))
        return self._message_json(self.messages[key])

    async def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        key = (self._chat_id(params), int(params.get("message_id") or 0))
        if self.messages.pop(key, None) is None:
            raise BotAPIError(400, "Bad Request: message to delete not found")
        return True

    async def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        if not params.get("callback_query_id"):
            raise BotAPIError(400, "Bad Request: query is too old and response timeout expired")
        return True

    async def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat_id(params)
        return True

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        key = scope["type"]
        for extra in ("chat_id", "user_id"):
            if extra in scope:
                key += f":{scope[extra]}"
        return key, str(params.get("language_code") or "")

    async def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands") or []
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", c.get("command", "")):
                raise BotAPIError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise BotAPIError(400, "Bad Request: command description is invalid")
        self.commands[self._scope_key(params)] = list(commands)
        return True

    async def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self.commands.get(self._scope_key(params), [])

    async def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    async def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        upload = params.get("document")
        if isinstance(upload, tuple):
            file_name, data, mime = upload
            file_id = self.add_file(data, file_name or "document")
        elif isinstance(upload, str) and upload in self.files:
            file_id, file_name, mime = upload, self.files[upload][0].rsplit("_", 1)[-1], None
            data = self.files[upload][1]
        else:
            raise BotAPIError(400, "Bad Request: there is no document in the request")
        caption, entities = ("", [])
        if params.get("caption"):
            caption, entities = self._parse_text(params, "caption")
        document = {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_name": file_name,
            "mime_type": mime or "application/octet-stream",
            "file_size": len(data),
        }
        msg = StoredMessage(
            chat_id,
            self.next_message_id(chat_id),
            caption,
            str(params.get("caption", "")),
            entities,
            self._check_markup(params.get("reply_markup")),
            params.get("parse_mode"),
            document=document,
        )
        self.messages[(chat_id, msg.message_id)] = msg
        return self._message_json(msg)

    def document_bytes(self, msg: StoredMessage) -> bytes:
        assert msg.document is not None
        return self.files[msg.document["file_id"]][1]

    async def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            raise BotAPIError(400, "Bad Request: invalid file_id")
        path, data = self.files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(data),
            "file_path": path,
        }

    async def _m_getChatMember(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id, user_id = self._chat_id(params), int(params.get("user_id") or 0)
        status = self.chat_members.get((chat_id, user_id), "member")
        return self.chat_member_json(user_id, status)

    async def _m_getChatAdministrators(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        chat_id = self._chat_id(params)
        return [
            self.chat_member_json(user_id, status)
            for (c, user_id), status in self.chat_members.items()
            if c == chat_id and status in ("creator", "administrator")
        ]

    async def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        return {
            **self.chat_json(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
            **self.chats.get(chat_id, {}),
        }

    async def _m_leaveChat(self, params: dict[str, Any]) -> bool:
        self._chat_id(params)
        return True

    async def _m_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _m_logOut(self, params: dict[str, Any]) -> bool:
        return True
