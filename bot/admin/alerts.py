"""Unhandled errors to the admin chat, rate-limited so an outage does not flood it.

:func:`ambiguous_report` tells the admin chat about outbox messages a worker died sending
(they may have arrived; they are not sent again).

At most one alert per error type per ``interval`` seconds; the alerts held back are
counted and the count rides on the next alert of that type. The last few errors are
kept in memory for ``/health``.
"""

from __future__ import annotations

import html
import logging
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.telegram.outbox import ReportAmbiguous
    from storage.outbox import OutboxEntry

from bot.texts import Lang, t

log = logging.getLogger(__name__)

ALERT_INTERVAL = 60.0
TRACEBACK_CHARS = 2500
RECENT_ERRORS = 10

Send = Callable[[int, str], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class RecordedError:
    at: datetime
    kind: str
    message: str


class ErrorAlerts:
    """Call :meth:`report` from the bot's error handler."""

    def __init__(
        self,
        chat_id: int | None,
        send: Send | None = None,
        *,
        interval: float = ALERT_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        lang: Lang = "zh",  # the admin chat is shared: the bot's default language
    ) -> None:
        self.chat_id = chat_id
        self.lang = lang
        self.send = send
        self.interval = interval
        self.clock = clock
        self.recent: deque[RecordedError] = deque(maxlen=RECENT_ERRORS)
        self._last_sent: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def alert_text(self, error: BaseException, where: str | None, suppressed: int) -> str:
        kind = type(error).__qualname__
        tb = "".join(traceback.format_exception(error))
        lines = [f"⚠️ <b>{html.escape(kind)}</b>: {html.escape(str(error)[:300])}"]
        if where:
            lines.append(html.escape(where[:200]))
        if suppressed:
            lines.append(t("adm_alert_suppressed", self.lang, n=suppressed))
        if len(tb) > TRACEBACK_CHARS:
            tb = "…\n" + _innermost_frames(tb, TRACEBACK_CHARS)
        lines.append(f"<pre>{html.escape(tb)}</pre>")
        return "\n".join(lines)

    async def report(self, error: BaseException, where: str | None = None) -> bool:
        """Remember the error; send it unless this type was sent recently. True if sent."""
        kind = type(error).__qualname__
        self.recent.append(RecordedError(datetime.now(UTC), kind, str(error)[:200]))
        if self.chat_id is None or self.send is None:
            return False
        now = self.clock()
        last = self._last_sent.get(kind)
        if last is not None and now - last < self.interval:
            self._suppressed[kind] = self._suppressed.get(kind, 0) + 1
            return False
        suppressed = self._suppressed.pop(kind, 0)
        self._last_sent[kind] = now
        try:
            await self.send(self.chat_id, self.alert_text(error, where, suppressed))
        except Exception:  # the alert channel itself failing must not raise from the handler
            log.warning("could not send the error alert to the admin chat", exc_info=True)
            return False
        return True


def ambiguous_report(
    send: Callable[[int, str], Awaitable[object]],
    admin_chat: int | None,
    lang: Lang = "zh",  # the admin chat is shared: the bot's default language
) -> ReportAmbiguous | None:
    """The admin chat's notice about messages that may or may not have arrived."""
    if admin_chat is None:
        return None

    async def report(entries: Sequence[OutboxEntry]) -> None:
        lines = [t("adm_ambiguous", lang)]
        for e in entries:
            what = (
                t("adm_ambiguous_digest", lang, digest=e.digest_id, part=e.seq + 1)
                if e.digest_id
                else html.escape(e.key)
            )
            lines.append(t("adm_ambiguous_line", lang, chat=e.chat_id, what=what))
        await send(admin_chat, "\n".join(lines))

    return report


def _innermost_frames(tb: str, limit: int) -> str:
    """The tail of a traceback within `limit` chars, cut where a frame ("  File …") starts."""
    tail = tb[-limit:]
    frame = tail.find("\n  File ")
    return tail[frame + 1 :] if frame >= 0 else tail.split("\n", 1)[-1]
