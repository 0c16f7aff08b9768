"""A 429 and connection-drop storm against the real ``zhaiyao run`` process (issue 18).

Once the bot is up, the fake Bot API answers 30 % of *every* call with 429 (retry after
1 s) and drops 10 % of connections before answering. Every user message must still get
exactly one final answer (a card, not an apology), replying to it, and no 正在读取…
placeholder may be left behind. The default run sends 20 messages; the long form (``-m
slow``) sends 50, as in the report that found 12 of 50 unanswered.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.articles import NEWS, PRICES, article_html
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.pages import PageServer
from tests.helpers.zhaiyao_process import zhaiyao_run

PLACEHOLDER = "正在读取…"


def final(api: FakeBotAPI, chat: int) -> bool:
    found = api.sent(chat)
    return bool(found) and all(m.raw != PLACEHOLDER for m in found)


async def weather_the_storm(
    api: FakeBotAPI, pages: PageServer, workdir: Path, users: int, seed: int
) -> None:
    chats = list(range(3000, 3000 + users))
    titles: dict[int, str] = {}
    async with zhaiyao_run(api, workdir) as run:
        api.storm(too_many=0.3, dropped=0.1, retry_after=1, seed=seed)
        asked: dict[int, int] = {}
        for i, chat in enumerate(chats):
            titles[chat] = f"第{i}号新闻：物价温和上涨"
            paragraphs = [f"{p}（第{i}篇）" for p in (NEWS + PRICES if i % 2 else PRICES + NEWS)]
            if i % 3 == 0:  # a link: fetched from the loopback page server, slowly
                url = pages.add(
                    f"/s/{i}", article_html(titles[chat], paragraphs).encode(), delay=1.5
                )
                message = api.send_text(chat, url)
            else:
                message = api.send_text(chat, "\n".join([titles[chat], *paragraphs]))
            asked[chat] = message["message_id"]
        try:
            await api.wait_for(lambda: all(final(api, c) for c in chats), timeout=60 + 6 * users)
        except TimeoutError:
            for c in chats:
                print("CHAT", c, [m.raw[:30] for m in api.sent(c)])
            import collections

            print("CALLS", collections.Counter((x.method, x.error_code) for x in api.calls))
            raise
        await api.settle(quiet=3.0, timeout=60)
        api.calm()
    struck = [c for c in api.calls if not c.ok]
    import collections

    print("STRUCK", collections.Counter((c.method, c.error_code) for c in struck), len(api.calls))
    assert sum(c.error_code == 429 for c in struck) >= users // 2  # the storm did strike
    assert sum(c.error_code == 0 for c in struck) >= 1  # connections were dropped
    for chat in chats:
        (answer,) = api.sent(chat)  # exactly one message left in the chat
        assert answer.text.startswith(titles[chat]), (chat, answer.text[:80])
        replies = [
            c.params["reply_parameters"]["message_id"]
            for c in api.calls_to("sendMessage")
            if int(c.params["chat_id"]) == chat and c.params.get("reply_parameters")
        ]
        assert set(replies) == {asked[chat]}
    assert run.proc.returncode == 0, run.output[-3000:]


async def test_every_message_is_answered_once_through_a_storm(
    fake_bot_api: FakeBotAPI, page_server: PageServer, tmp_path: Path
) -> None:
    await weather_the_storm(fake_bot_api, page_server, tmp_path, users=20, seed=18)


@pytest.mark.slow
async def test_fifty_messages_through_a_storm(
    fake_bot_api: FakeBotAPI, page_server: PageServer, tmp_path: Path
) -> None:
    await weather_the_storm(fake_bot_api, page_server, tmp_path, users=50, seed=50)
