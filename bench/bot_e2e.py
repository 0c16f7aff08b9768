"""End-to-end bot latency: message in → card out, through the real PTB Application and the
loopback fake Bot API (tests/helpers), with the configured NER backend.

    python -m bench.bot_e2e [--runs 5] [--users 20] [--ner model|jieba]

Prints one Markdown table: the seed page pasted (sequential runs) and N users pasting
different articles at the same moment (per-user latency and total wall time).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parents[1]
SEED = (ROOT / "examples" / "seed_page.txt").read_text(encoding="utf-8")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(runs: int, users: int, ner: str) -> list[tuple[str, int, float, float, float]]:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    from bot.app import build_application
    from bot.settings import Settings
    from tests.helpers.fake_bot_api import FakeBotAPI

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI() as api:
            settings = Settings(
                telegram_token=api.token,
                telegram_base_url=api.base_url,
                db=Path(tmp) / "bench.db",
                ner_backend=ner,
                rate_limit_per_minute=1000,
                _env_file=None,  # type: ignore[call-arg]
            )
            async with api.polling(build_application(settings)):
                seq: list[float] = []
                for i in range(runs):
                    chat = 1000 + i
                    start = time.perf_counter()
                    api.send_text(chat, SEED.replace("深化沪滇", f"深化沪滇{i}", 1))
                    await api.wait_for_final(chat, timeout=300)
                    seq.append(time.perf_counter() - start)
                rows.append(("seed page pasted, one at a time", runs, *stats(seq)))
                done: dict[int, float] = {}
                start = time.perf_counter()
                for u in range(users):
                    text = SEED.replace("7月16日", f"7月{u % 28 + 1}日第{u}次")
                    api.send_text(2000 + u, text)

                def finished() -> bool:
                    for u in range(users):
                        sent = api.sent(2000 + u)
                        if u not in done and sent and sent[0].raw != "正在读取…":
                            done[u] = time.perf_counter() - start
                    return len(done) == users

                await api.wait_for(finished, timeout=900)
                total = time.perf_counter() - start
                rows.append(
                    (f"{users} users at once (per user)", users, *stats(list(done.values())))
                )
                rows.append((f"{users} users at once (all answered)", users, total, total, total))
    return rows


def stats(values: list[float]) -> tuple[float, float, float]:
    return statistics.median(values), pct(values, 0.95), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--ner", default=os.environ.get("ZHAIYAO_NER_BACKEND", "model"))
    args = parser.parse_args()
    rows = asyncio.run(run(args.runs, args.users, args.ner))
    print(f"NER backend: {args.ner}; load average {os.getloadavg()[0]:.1f}")
    print("| case | n | p50 s | p95 s | max s |")
    print("|---|---:|---:|---:|---:|")
    for name, n, p50, p95, worst in rows:
        print(f"| {name} | {n} | {p50:.2f} | {p95:.2f} | {worst:.2f} |")


if __name__ == "__main__":
    main()
