"""A flaky connection to Telegram loses no answer and doubles none (issue 18, item 5).

Cosmetic calls (typing, deleting the placeholder) never abort the work; edits are retried;
an answer that cannot be edited into the placeholder is sent fresh, replying to the user.
"""

from __future__ import annotations

from tests.helpers.articles import NEWS, article_html
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.pages import PageServer

ARTICLE = "\n".join(["物价温和上涨", *NEWS])


def replied_to(api: FakeBotAPI, chat: int) -> list[int]:
    return [
        c.params["reply_parameters"]["message_id"]
        for c in api.calls_to("sendMessage")
        if int(c.params["chat_id"]) == chat and c.params.get("reply_parameters")
    ]


async def test_a_failing_typing_indicator_does_not_abort_the_card(
    running_bot: FakeBotAPI,
) -> None:
    running_bot.fail_next_with("sendChatAction", 502, "Bad Gateway", times=50)
    asked = running_bot.send_document(1701, ARTICLE.encode(), "news.txt")
    card = (await running_bot.wait_for_final(1701, timeout=60))[-1]
    await running_bot.settle(quiet=1.0)
    assert running_bot.calls_to("sendChatAction", ok=False)  # typing was tried, and failed
    assert card.text.startswith("物价温和上涨") and len(running_bot.sent(1701)) == 1
    assert replied_to(running_bot, 1701) == [asked["message_id"]]


async def test_a_pasted_article_costs_one_bot_api_call(running_bot: FakeBotAPI) -> None:
    """No chat action and no placeholder: under a burst, cards never wait on the Bot API
    budget for cosmetic calls (issue 21)."""
    running_bot.send_text(1704, ARTICLE)
    (card,) = await running_bot.wait_for_final(1704, timeout=60)
    await running_bot.settle(quiet=1.5)
    to_chat = [c.method for c in running_bot.calls if c.params.get("chat_id") in (1704, "1704")]
    assert to_chat == ["sendMessage"] and card.edits == 0


async def test_a_dropped_edit_is_retried_into_the_placeholder(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    url = page_server.add("/slow1", article_html("物价温和上涨", NEWS).encode(), delay=2.0)
    running_bot.fail_next_with("editMessageText", 502, "Bad Gateway", times=2)
    running_bot.send_text(1702, url)
    placeholder = await running_bot.wait_for_message(1702, timeout=30)
    await running_bot.wait_for(lambda: placeholder.edits, timeout=30)
    await running_bot.settle(quiet=1.0)
    assert placeholder.text.startswith("物价温和上涨") and len(running_bot.sent(1702)) == 1


async def test_an_answer_that_cannot_be_edited_in_is_sent_fresh_as_a_reply(
    running_bot: FakeBotAPI, page_server: PageServer
) -> None:
    url = page_server.add("/slow2", article_html("物价温和上涨", NEWS).encode(), delay=2.0)
    running_bot.fail_next_with("editMessageText", 400, "Bad Request: message to edit not found")
    asked = running_bot.send_text(1703, url)
    await running_bot.wait_for_message(1703, timeout=30)  # the placeholder
    (card,) = await running_bot.wait_for_final(1703, timeout=30)
    await running_bot.settle(quiet=1.0)
    assert card.text.startswith("物价温和上涨") and len(running_bot.sent(1703)) == 1
    assert replied_to(running_bot, 1703) == [asked["message_id"], asked["message_id"]]
    assert len(running_bot.calls_to("deleteMessage")) == 1  # the placeholder, removed
