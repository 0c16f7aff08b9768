"""``zhaiyao run`` as a real process, its base URL pointed at the loopback fake Bot API."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.articles import NEWS, article_html
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.pages import PageServer
from tests.helpers.zhaiyao_process import zhaiyao_run

ROOT = Path(__file__).parents[2]


async def test_zhaiyao_run_answers_a_pasted_page_and_a_link(
    fake_bot_api: FakeBotAPI, page_server: PageServer, tmp_path: Path
) -> None:
    url = page_server.add_html("/n/1", article_html("物价温和上涨", NEWS))
    async with zhaiyao_run(fake_bot_api, tmp_path) as run:
        fake_bot_api.send_text(401, (ROOT / "examples" / "seed_page.txt").read_text("utf-8"))
        fake_bot_api.send_text(402, url)
        (seed,) = await fake_bot_api.wait_for_final(401, timeout=120)
        (card,) = await fake_bot_api.wait_for_final(402, timeout=120)
    assert seed.text.startswith("深化沪滇深厚情谊 谱写合作发展新篇\n云南日报")
    assert card.text.startswith("物价温和上涨\n")
    assert run.proc.returncode == 0, run.output[-2000:]
    assert fake_bot_api.token not in run.output  # the token never reaches the log
    assert "update chat=402 kind=message outcome=answered" in run.output  # the access log
