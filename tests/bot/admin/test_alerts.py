"""Unhandled errors reach the admin chat, rate-limited per error type."""

from __future__ import annotations

from bot.admin.alerts import ErrorAlerts
from bot.texts import t
from tests.bot.conftest import ADMIN_CHAT, ADMIN_ID
from tests.helpers.fake_bot_api import FakeBotAPI, StoredMessage


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def boom(message: str) -> ValueError:
    try:
        raise ValueError(message)
    except ValueError as err:
        return err


async def test_one_alert_per_type_per_interval_with_suppressed_count() -> None:
    sent: list[tuple[int, str]] = []

    async def send(chat_id: int, text: str) -> None:
        sent.append((chat_id, text))

    clock = Clock()
    alerts = ErrorAlerts(-100, send, interval=60, clock=clock)
    assert await alerts.report(boom("<first>"), "update 1")
    assert not await alerts.report(boom("second"))
    assert not await alerts.report(boom("third"))
    assert await alerts.report(KeyError("other type"))  # another type is not held back
    clock.now += 61
    assert await alerts.report(boom("later"))
    assert [chat for chat, _ in sent] == [-100, -100, -100]
    first, _, later = (text for _, text in sent)
    assert "&lt;first&gt;" in first and "<pre>" in first and "update 1" in first
    assert "Traceback" in first and "同类错误" not in first
    assert t("adm_alert_suppressed", "zh", n=2) in later  # the admin chat: the default language
    assert [e.message for e in alerts.recent][-1] == "later" and len(alerts.recent) == 5


async def test_no_admin_chat_means_no_alert_but_the_error_is_remembered() -> None:
    alerts = ErrorAlerts(None)
    assert not await alerts.report(boom("x"))
    assert alerts.recent[0].kind == "ValueError"


async def test_handler_error_goes_to_the_admin_chat_once(running_bot: FakeBotAPI) -> None:
    def told() -> int:  # the user-facing "sorry, something went wrong" replies
        return len([m for m in running_bot.sent(ADMIN_ID) if "出错" in m.text])

    def alerts() -> list[StoredMessage]:
        return [m for m in running_bot.sent(ADMIN_CHAT) if "BadRequest" in m.text]

    # The reply to /stats is refused twice: two unhandled BadRequests in the handler.
    running_bot.fail_next_with("sendMessage", 400, "Bad Request: message is too weird")
    running_bot.send_text(ADMIN_ID, "/stats")
    await running_bot.wait_for(lambda: told() == 1 and alerts())
    running_bot.fail_next_with("sendMessage", 400, "Bad Request: message is too weird")
    running_bot.send_text(ADMIN_ID, "/stats")
    await running_bot.wait_for(lambda: told() == 2)
    await running_bot.settle(quiet=0.5)
    sent = alerts()
    assert len(sent) == 1 and "Message is too weird" in sent[0].text
    assert "\n…\n  File " in sent[0].text  # a long traceback is cut where a frame starts
    running_bot.send_text(ADMIN_ID, "/health")
    health = await running_bot.wait_for(
        lambda: [m for m in running_bot.sent(ADMIN_ID) if "运行时间" in m.text]
    )
    assert "BadRequest: Message is too weird" in health[0].text.split("最近的错误")[1]
