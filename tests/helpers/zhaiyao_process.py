"""``zhaiyao run`` as a real process, its Bot API base URL pointed at the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.fake_bot_api import FakeBotAPI


@dataclass
class Process:
    proc: asyncio.subprocess.Process
    output: str = ""  # stdout + stderr, once it has stopped


@asynccontextmanager
async def zhaiyao_run(api: FakeBotAPI, workdir: Path, **env: str) -> AsyncIterator[Process]:
    """Start ``python -m bot run``, wait until it has set its menus and polls, and
    stop it with SIGTERM (as a service manager would) when the block ends."""
    environment = {
        **os.environ,
        "ZHAIYAO_TELEGRAM_TOKEN": api.token,
        "ZHAIYAO_TELEGRAM_BASE_URL": api.base_url,
        "ZHAIYAO_DB": str(workdir / "run.db"),
        "ZHAIYAO_FETCH_ALLOW_PRIVATE": "1",
        "ZHAIYAO_NER_BACKEND": "jieba",
        **env,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=workdir, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    running = Process(proc)
    try:
        await api.wait_for(lambda: api.commands, timeout=120)  # post_init runs
        started = api.polls
        await api.wait_for(lambda: api.polls > started, timeout=120)  # ... and polling began
        yield running
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
        running.output = output.decode(errors="replace")
