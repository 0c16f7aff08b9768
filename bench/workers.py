"""Webhook workers under a burst: 1, 2 and 3 ``zhaiyao run --webhook`` processes on one
PostgreSQL database, 200 simulated users each pasting an article at the same moment.

    python -m bench.workers [--users 200] [--workers 1,2,3] [--ner jieba]
                            [--postgres postgresql://postgres@127.0.0.1:5432/test]

The loopback fake Bot API (tests/helpers) delivers the updates round-robin as a load
balancer would. Per worker count: throughput (cards answered per second, first update to
last card), p50/p95 reply latency (update posted → its final card), CPU per message (the
workers' user+system CPU during the burst ÷ users), the CPU floor (users × CPU per message
÷ cores: no scheduler could answer the burst sooner), p95 ÷ floor, and the Bot API calls
per card (a card that costs more than its one sendMessage waits on the 30 calls/s budget
for cosmetic calls). "Cores the workers got" is their CPU ÷ the burst's wall time: on a
shared machine (a load average above the 2 cores) it shows how much of the floor's 2 cores
the workers were given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parents[1]
SECRET = "bench-secret"
PLACEHOLDER = "正在读取…"
CHAT0 = 20_000


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def article(u: int) -> str:
    """A short pasted article, different for each user (test fixtures' sentences)."""
    from tests.helpers.articles import NEWS, PRICES

    paragraphs = [f"{p}（第{u}篇）" for p in (NEWS + PRICES if u % 2 else PRICES + NEWS)]
    return "\n".join([f"第{u}号新闻：物价温和上涨", *paragraphs])


async def one_burst(server: str, n: int, users: int, ner: str) -> dict[str, float]:
    import asyncpg

    from tests.helpers.fake_bot_api import FakeBotAPI
    from tests.helpers.webhook_delivery import WebhookDelivery
    from tests.helpers.zhaiyao_process import workers

    admin = await asyncpg.connect(server)
    name = f"zhaiyao_bench_{uuid.uuid4().hex[:12]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{server.rsplit('/', 1)[0]}/{name}"
    env = {"ZHAIYAO_NER_BACKEND": ner, "ZHAIYAO_RATE_LIMIT_PER_MINUTE": "1000"}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            async with (
                FakeBotAPI() as api,
                workers(api, Path(tmp), url, SECRET, n=n, **env) as running,
                WebhookDelivery(api, [w.url for w in running], SECRET) as _,
            ):
                for w in range(n):  # warm each worker's first card (lazy imports)
                    api.send_text(CHAT0 - 1 - w, article(-1 - w))
                await api.wait_for(
                    lambda: all(api.sent(CHAT0 - 1 - w) for w in range(n)), timeout=300
                )
                await api.settle(quiet=1.0, timeout=60)
                first_call = len(api.calls)
                pids = [w.proc.pid for w in running if w.proc is not None]
                cpu0 = sum(cpu_seconds(p) for p in pids)
                posted: dict[int, float] = {}
                start = time.perf_counter()
                for u in range(users):
                    posted[CHAT0 + u] = time.perf_counter()
                    api.send_text(CHAT0 + u, article(u))
                done: dict[int, float] = {}

                def finished() -> bool:
                    now = time.perf_counter()
                    for chat in posted:
                        if chat not in done:
                            sent = api.sent(chat)
                            if sent and all(m.raw != PLACEHOLDER for m in sent):
                                done[chat] = now
                    return len(done) == users

                await api.wait_for(finished, timeout=1800)
                total = time.perf_counter() - start
                cpu = sum(cpu_seconds(p) for p in pids) - cpu0
                calls = Counter(c.method for c in api.calls[first_call:])
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    latency = [done[c] - posted[c] for c in posted]
    per_message = cpu / users
    floor = users * per_message / (os.cpu_count() or 1)
    return {
        "workers": n,
        "throughput": users / total,
        "p50": statistics.median(latency),
        "p95": pct(latency, 0.95),
        "cpu_ms": per_message * 1000,
        "floor": floor,
        "ratio": pct(latency, 0.95) / floor,
        "cores_used": cpu / total,
        "calls_per_card": sum(calls.values()) / users,
        "cosmetic_per_card": (calls["sendChatAction"] + calls["editMessageText"]) / users,
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--workers", default="1,2,3")
    parser.add_argument("--ner", default="jieba")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    rows = []
    for n in (int(part) for part in args.workers.split(",")):
        rows.append(asyncio.run(one_burst(args.postgres, n, args.users, args.ner)))
        print(f"{n} worker(s) done, load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"\n{args.users} users at once, NER {args.ner}, {os.cpu_count()} cores")
    print(
        "| workers | cards/s | p50 s | p95 s | CPU/msg ms | CPU floor s | p95 ÷ floor"
        " | cores the workers got | Bot API calls/card | chat actions + edits /card"
        " | load average |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['workers']} | {r['throughput']:.1f} | {r['p50']:.1f} | {r['p95']:.1f}"
            f" | {r['cpu_ms']:.0f} | {r['floor']:.1f} | {r['ratio']:.2f}"
            f" | {r['cores_used']:.2f} | {r['calls_per_card']:.2f}"
            f" | {r['cosmetic_per_card']:.2f} | {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
