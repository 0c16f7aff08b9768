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


class Worker:
    """``zhaiyao run --webhook`` as a process on a port of its own (see :func:`workers`)."""

    def __init__(self, api: FakeBotAPI, workdir: Path, port: int, env: dict[str, str]) -> None:
        self.api = api
        self.workdir = workdir
        self.port = port
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.outputs: list[str] = []  # each run's stdout + stderr, once stopped
        self.pids: list[int] = []
        self._log: Path | None = None
        self._terminated = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    async def start(self) -> None:
        if self.proc is not None:  # a restart: keep what the last run wrote
            await self.proc.wait()
            self.outputs.append(self.output())
        self._terminated = False
        self._log = self.workdir / f"worker-{self.port}-{len(self.outputs)}.log"
        with self._log.open("wb") as log:  # a file: a killed worker's pipe can't block us
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--webhook", "http://127.0.0.1/telegram",
                "--listen", "127.0.0.1", "--port", str(self.port),
                cwd=self.workdir, env=self.env, stdout=log, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        self.pids.append(self.proc.pid)

    async def ready(self, timeout: float = 180) -> None:
        import httpx

        async with httpx.AsyncClient() as client, asyncio.timeout(timeout):
            while True:
                assert self.proc is not None
                if self.proc.returncode is not None:
                    raise AssertionError(f"worker exited: {self.output()[-3000:]}")
                try:
                    health = await client.get(f"http://127.0.0.1:{self.port}/healthz")
                    if health.status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.2)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()

    async def stop(self, timeout: float = 60) -> int:
        """SIGTERM (as a service manager sends), wait; the exit code."""
        assert self.proc is not None
        self.terminate()
        code = await asyncio.wait_for(self.proc.wait(), timeout=timeout)
        self.outputs.append(self.output())
        return code

    def terminate(self) -> None:
        """SIGTERM, once per run (a second one would cut the graceful stop short)."""
        if self.proc is not None and self.proc.returncode is None and not self._terminated:
            self._terminated = True
            self.proc.send_signal(signal.SIGTERM)

    def output(self) -> str:
        return self._log.read_text(errors="replace") if self._log else ""


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def workers(
    api: FakeBotAPI, workdir: Path, database_url: str, secret: str, n: int = 3, **env: str
) -> AsyncIterator[list[Worker]]:
    """``n`` webhook workers on one database, each ready (``/healthz`` 200) when the block
    starts, stopped with SIGTERM when it ends."""
    environment = {
        **os.environ,
        "ZHAIYAO_TELEGRAM_TOKEN": api.token,
        "ZHAIYAO_TELEGRAM_BASE_URL": api.base_url,
        "ZHAIYAO_DATABASE_URL": database_url,
        "ZHAIYAO_WEBHOOK_SECRET": secret,
        "ZHAIYAO_FETCH_ALLOW_PRIVATE": "1",
        "ZHAIYAO_NER_BACKEND": "jieba",
        **env,
    }
    running = [Worker(api, workdir, free_port(), environment) for _ in range(n)]
    try:
        for worker in running:
            await worker.start()
        for worker in running:
            await worker.ready()
        yield running
    finally:
        for worker in running:
            worker.terminate()
        for worker in running:
            if worker.proc is not None:
                await worker.stop()
