"""``zhaiyao run`` as a real process, its base URL pointed at the loopback fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.bot.test_chat import NEWS, article_html
from tests.helpers.fake_bot_api import FakeBotAPI
from tests.helpers.pages import PageServer

ROOT = Path(__file__).parents[2]


async def test_zhaiyao_run_answers_a_pasted_page_and_a_link(
    fake_bot_api: FakeBotAPI, page_server: PageServer, tmp_path: Path
) -> None:
    url = page_server.add_html("/n/1", article_html("物价温和上涨", NEWS))
    env = {
        **os.environ,
        "ZHAIYAO_TELEGRAM_TOKEN": fake_bot_api.token,
        "ZHAIYAO_TELEGRAM_BASE_URL": fake_bot_api.base_url,
        "ZHAIYAO_DB": str(tmp_path / "run.db"),
        "ZHAIYAO_FETCH_ALLOW_PRIVATE": "1",
        "ZHAIYAO_NER_BACKEND": "jieba",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        await fake_bot_api.wait_for(lambda: fake_bot_api.commands, timeout=120)  # post_init ran
        fake_bot_api.send_text(401, (ROOT / "examples" / "seed_page.txt").read_text("utf-8"))
        fake_bot_api.send_text(402, url)
        (seed,) = await fake_bot_api.wait_for_final(401, timeout=120)
        (card,) = await fake_bot_api.wait_for_final(402, timeout=120)
    finally:
        proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert seed.text.startswith("深化沪滇深厚情谊 谱写合作发展新篇\n云南日报")
    assert card.text.startswith("物价温和上涨\n")
    assert proc.returncode == 0, output.decode()[-2000:]
    assert fake_bot_api.token not in output.decode()  # the token never reaches the log
