"""CPU cost of ``extract_article`` per page in two checkouts, measured interleaved.

Each round runs one worker process per checkout (the order alternating between
rounds); a worker times every Chinese page of ``--pages`` ``--runs`` times, best run
kept, after one warm-up call. A page's figure is its best over the rounds, so a burst
of load from other jobs during one round does not count against either tree.

    python bench/extract_speed.py --before /tmp/main --after . --rounds 3 --runs 2

Prints median, p90 (``statistics.quantiles(n=10)``, as ``bench/speed.py``) and max of
the per-page CPU ms for each tree, and the pages that cost most.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "data" / "extraction" / "dev"


def worker(tree: Path, folder: Path, runs: int) -> None:
    warnings.filterwarnings("ignore")
    sys.path.insert(0, str(tree.resolve()))
    from summarizer import extract_article

    cases = []
    for meta_path in sorted(folder.glob("*.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        if meta.get("lang") == "zh":
            html = meta_path.with_suffix(".html").read_bytes()
            cases.append((meta_path.stem, html, meta.get("url")))
    for _, html, url in cases:  # warm-up: imports, trafilatura's tables, regex caches
        extract_article(html, url)
    for page, html, url in cases:
        best = float("inf")
        for _ in range(runs):
            c = time.process_time()
            extract_article(html, url)
            best = min(best, (time.process_time() - c) * 1000)
        print(f"{page}\t{best:.3f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, help="the other checkout (e.g. main's)")
    parser.add_argument("--after", type=Path, default=ROOT)
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.pages, args.runs)
        return
    if args.before is None:
        parser.error("--before is required")
    trees = {"before": args.before, "after": args.after}
    best: dict[str, dict[str, float]] = {name: {} for name in trees}
    for r in range(args.rounds):
        for name in list(trees)[:: 1 if r % 2 == 0 else -1]:
            cmd = [sys.executable, __file__, "--worker", str(trees[name])]
            cmd += ["--pages", str(args.pages), "--runs", str(args.runs)]
            out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            for line in out.splitlines():
                page, ms = line.split("\t")
                best[name][page] = min(float(ms), best[name].get(page, float("inf")))
    n = len(best["before"])
    print(f"extract_article CPU ms per page, {n} Chinese pages of {args.pages}")
    print(f"(best of {args.runs} runs x {args.rounds} interleaved rounds)\n")
    print("| tree | median | p90 | max | sum |\n|---|---|---|---|---|")
    for name, tree in trees.items():
        costs = list(best[name].values())
        p90 = statistics.quantiles(costs, n=10)[-1]
        print(
            f"| {name} ({tree}) | {statistics.median(costs):.1f} | {p90:.1f} | "
            f"{max(costs):.1f} | {sum(costs):.0f} |"
        )
    print("\n| page | before | after |\n|---|---|---|")
    for page in sorted(best["before"], key=best["before"].__getitem__, reverse=True)[:10]:
        print(f"| {page} | {best['before'][page]:.1f} | {best['after'][page]:.1f} |")


if __name__ == "__main__":
    main()
