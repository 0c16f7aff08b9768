"""Progress of a long job (``/reindex``) edited into one message, at a pace Telegram
accepts; each edit goes through the send path's :func:`~bot.telegram.send.cosmetic`."""

from __future__ import annotations

import asyncio
import time

from telegram import Message

from bot.telegram.send import cosmetic

EDIT_EVERY = 2.0  # seconds between progress edits of a long-running job


class ThrottledEdit:
    """Edit one message with progress at most every ``EDIT_EVERY`` seconds.

    ``update`` is the synchronous ``progress(n, total)`` callback the repository calls;
    it schedules the edit on the event loop instead of awaiting it.
    """

    def __init__(self, message: Message, template: str):
        self.message = message
        self.template = template
        self.last = time.monotonic()
        self.tasks: set[asyncio.Task[None]] = set()

    def update(self, n: int, total: int) -> None:
        if time.monotonic() - self.last < EDIT_EVERY:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called from a worker thread: skip this tick
            return
        self.last = time.monotonic()
        task = loop.create_task(self._edit(self.template.format(n=n, total=total)))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _edit(self, text: str) -> None:
        await cosmetic(lambda: self.message.edit_text(text), what="editMessageText")

    async def flush(self) -> None:
        """Wait for scheduled edits, so the final text is edited in last."""
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)
