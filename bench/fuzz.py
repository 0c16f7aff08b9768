"""Coverage-guided fuzzing of summarizer's public entry points (atheris, libFuzzer).

The long form of the fault suite in tests/faults/: the same invariants (a well-formed
result or one of the package's typed errors; spans are slices of the source; summary
sentences are substrings; the URL guard answers every URL with a ``FetchError`` and
never connects), driven by coverage instead of Hypothesis' strategies. One command::

    pip install -e '.[fuzz]'         # atheris
    nice python bench/fuzz.py --seconds 1200

splits the time over the targets, runs each in its own process (atheris instruments the
``summarizer`` package as it is imported), and prints one table: inputs tried, crashes
(distinct untyped exceptions, with a reproducer written under bench/out/fuzz/) and hangs
(inputs slower than ``--hang`` seconds). ``--target NAME`` runs one target in this process.
Seeds: the repository's own extraction fixtures and example page; no shared data is read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "fuzz"
SEEDS = [
    *sorted((ROOT / "tests" / "fixtures" / "extract").glob("*.html")),
    ROOT / "examples" / "seed_page.txt",
]
TARGETS = (
    "extract_bytes",
    "extract_str",
    "clean_text",
    "split_sentences",
    "summarize",
    "find_entities",
    "analyze",
    "url_guard",
)
# Text targets cut their input: NER over a 1 MB input is a resource test, not a fuzz step.
MAX_TEXT = 4_000


def make_target(name: str) -> Callable[[bytes], None]:
    """The function atheris calls with each input; it raises only on a broken invariant."""
    import atheris

    with atheris.instrument_imports(include=["summarizer"]):
        from summarizer import Article, analyze, clean_text, extract_article, find_entities
        from summarizer import summarize as summarize_text
        from summarizer.errors import FetchError, SummarizerError
        from summarizer.fetch import FetchPolicy, GuardedClient, fetch_page
        from summarizer.sentences import split_sentences

    def text_of(data: bytes) -> str:
        return atheris.FuzzedDataProvider(data).ConsumeUnicode(MAX_TEXT)

    def spans(text: str, items: Any) -> None:
        for s in items:
            assert text[s.start : s.end] == s.text, (s, text)

    def run(data: bytes) -> None:
        try:
            if name == "extract_bytes":
                extract_article(data)
            elif name == "extract_str":
                extract_article(data.decode("utf-8", "surrogateescape"))
            elif name == "clean_text":
                clean_text(text_of(data))
            elif name == "split_sentences":
                text = text_of(data)
                spans(text, split_sentences(text))
            elif name == "summarize":
                text = text_of(data)
                for sentence in summarize_text(text, max_sentences=3, max_chars=200):
                    assert sentence in text, (sentence, text)
            elif name == "find_entities":
                text = text_of(data)
                spans(text, find_entities(text))
            elif name == "analyze":
                provider = atheris.FuzzedDataProvider(data)
                title = provider.ConsumeUnicode(80)
                text = provider.ConsumeUnicode(MAX_TEXT)
                result = analyze(Article(title=title, text=text))
                spans(text, result.sentences)
                spans(text, result.summary)
                spans(text, result.entities)
            elif name == "url_guard":
                asyncio.run(_guard(text_of(data)[:300]))
        except SummarizerError as error:
            assert error.user_message("zh")

    async def _guard(url: str) -> None:
        from tests.faults.strategies import may_reach_a_public_address

        if may_reach_a_public_address(url):
            return  # never send a packet off the machine

        async def dns(host: str, port: int) -> list[str]:
            return ["10.0.0.1"]  # every name is internal: nothing may connect

        policy = FetchPolicy(timeout=2.0)
        async with GuardedClient(policy, lookup=dns) as client:
            try:
                await fetch_page(url, policy, client=client)
            except FetchError:
                return
        raise AssertionError(f"fetched {url!r}")

    return run


def fuzz_one(name: str, seconds: int, hang: float, figures: Path) -> None:
    """Fuzz ``name`` in this process for ``seconds``, keeping the figures in ``figures``
    (rewritten every few seconds: libFuzzer ends the process without returning)."""
    import atheris

    target = make_target(name)
    target(SEEDS[-1].read_bytes())  # loads jieba and the NER model: not an input's time
    stats: dict[str, Any] = {"target": name, "inputs": 0, "crashes": {}, "hangs": 0, "slowest": 0.0}
    OUT.mkdir(parents=True, exist_ok=True)
    saved = [time.monotonic()]

    def one_input(data: bytes) -> None:
        if time.monotonic() - saved[0] > 2:
            figures.write_text(json.dumps(stats, ensure_ascii=False, indent=1))
            saved[0] = time.monotonic()
        stats["inputs"] += 1
        started = time.perf_counter()
        try:
            target(data)
        except Exception as error:  # an untyped error or a broken invariant: record it
            frame = traceback.extract_tb(error.__traceback__)[-1]
            key = f"{type(error).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            if key not in stats["crashes"]:
                repro = OUT / f"{name}-crash-{len(stats['crashes'])}.bin"
                repro.write_bytes(data)
                stats["crashes"][key] = {
                    "count": 0,
                    "example": str(repro),
                    "message": str(error)[:300],
                }
            stats["crashes"][key]["count"] += 1
        elapsed = time.perf_counter() - started
        stats["slowest"] = max(stats["slowest"], elapsed)
        if elapsed > hang:
            stats["hangs"] += 1
            (OUT / f"{name}-hang-{stats['hangs']}.bin").write_bytes(data)

    with tempfile.TemporaryDirectory() as corpus:
        for seed in SEEDS:
            (Path(corpus) / seed.name).write_bytes(seed.read_bytes())
        argv = [
            sys.argv[0],
            corpus,
            f"-max_total_time={seconds}",
            "-rss_limit_mb=4096",
            f"-timeout={int(hang * 10)}",
            "-max_len=65536",
            f"-artifact_prefix={OUT}/",
        ]
        atheris.Setup(argv, one_input)
        atheris.Fuzz()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=1200, help="total time, split over targets")
    parser.add_argument("--target", choices=TARGETS, help="run one target in this process")
    parser.add_argument("--hang", type=float, default=5.0, help="seconds that count as a hang")
    parser.add_argument("--json", type=Path, help="with --target: where the figures go")
    args = parser.parse_args()
    if args.target:
        fuzz_one(args.target, args.seconds, args.hang, args.json or OUT / f"{args.target}.json")
        return 0
    per_target = max(10, args.seconds // len(TARGETS))
    rows = []
    env = {**os.environ, "ZHAIYAO_FETCH_ALLOW_PRIVATE": "false", "PYTHONPATH": str(ROOT)}
    for name in TARGETS:
        figures = OUT / f"{name}.json"
        OUT.mkdir(parents=True, exist_ok=True)
        figures.unlink(missing_ok=True)
        run = subprocess.run(
            [
                sys.executable,
                __file__,
                "--target",
                name,
                "--seconds",
                str(per_target),
                "--hang",
                str(args.hang),
                "--json",
                str(figures),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            check=False,
            timeout=per_target * 3 + 120,
        )
        (OUT / f"{name}.log").write_text(run.stderr[-20_000:])
        stats = (
            json.loads(figures.read_text())
            if figures.exists()
            else {
                "target": name,
                "inputs": 0,
                "crashes": {"the fuzzer process died": {"count": 1}},
                "hangs": 0,
                "slowest": 0.0,
            }
        )
        done = re.search(r"Done (\d+) runs", run.stderr)  # libFuzzer's own count, exact
        if done:
            stats["inputs"] = int(done.group(1))
        rows.append(stats)
        print(
            f"{name:16} inputs {stats['inputs']:>8,}  crashes {len(stats['crashes'])}"
            f"  hangs {stats['hangs']}  slowest {stats['slowest']:.2f}s",
            flush=True,
        )
        for key, crash in stats["crashes"].items():
            message, example = crash.get("message", "")[:120], crash.get("example", "")
            print(f"    {key} x{crash['count']}: {message}  {example}")
    total = sum(r["inputs"] for r in rows)
    crashes = sum(len(r["crashes"]) for r in rows)
    print(
        f"{'total':16} inputs {total:>8,}  crashes {crashes}  hangs {sum(r['hangs'] for r in rows)}"
    )
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
