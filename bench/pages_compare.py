"""Per-page CPU cost of two source trees, measured interleaved in one run.

    python bench/pages_compare.py --before /work/main:main --after .:HEAD \
        --pages ../shared/data/extraction/dev --runs 3 --rounds 3

Each ``REPO:REF`` is exported with ``git archive`` into a temporary folder (this
checkout's ``bench/speed.py`` copied into both, so both are measured the same way) and
run with this Python (the trees must share their dependencies; ``bench/install.py``
compares fresh installs instead). ``bench/speed.py --pages --per-page`` runs in each tree
``--rounds`` times, the order alternating; each page keeps its best time per stage over
all rounds, then the median and p90 over pages are printed side by side, with the load
average (``os.getloadavg``) at the start and the end: the machine is shared.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def export(spec: str, into: Path) -> tuple[Path, str]:
    """``REPO:REF`` as a plain folder under ``into``; returns it and the commit."""
    repo, _, ref = spec.rpartition(":")
    repo_path = (ROOT / repo).resolve() if repo else ROOT
    commit = subprocess.run(
        ["git", "-C", str(repo_path), "rev-parse", "--short", ref],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    archive = subprocess.run(
        ["git", "-C", str(repo_path), "archive", commit], capture_output=True, check=True
    ).stdout
    tree = into / commit
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    shutil.copy(ROOT / "bench" / "speed.py", tree / "bench" / "speed.py")
    return tree, commit


def measure(tree: Path, pages: Path, runs: int, best: dict[str, dict[str, float]]) -> None:
    argv = [sys.executable, str(tree / "bench" / "speed.py"), "--pages", str(pages)]
    argv += ["--runs", str(runs), "--per-page"]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, check=True)
    for stage, page, ms in (line.split("\t") for line in out.stdout.splitlines() if "\t" in line):
        row = best.setdefault(stage, {})
        row[page] = min(row.get(page, float("inf")), float(ms))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="/work/main:main", help="REPO:REF")
    ap.add_argument("--after", default=".:HEAD", help="REPO:REF")
    ap.add_argument("--pages", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3, help="runs per page in one call")
    ap.add_argument("--rounds", type=int, default=3, help="calls per tree, alternating")
    args = ap.parse_args()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        trees = [export(spec, Path(tmp)) for spec in (args.before, args.after)]
        best: list[dict[str, dict[str, float]]] = [{}, {}]
        for r in range(args.rounds):
            order = [0, 1] if r % 2 == 0 else [1, 0]
            for k in order:
                measure(trees[k][0], args.pages.resolve(), args.runs, best[k])
            print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    load_end = os.getloadavg()
    print(
        f"before {args.before} = {trees[0][1]}, after {args.after} = {trees[1][1]}; "
        f"{args.rounds} rounds x {args.runs} runs, each page its best; load average "
        f"{' '.join(f'{x:.2f}' for x in load_start)} at the start, "
        f"{' '.join(f'{x:.2f}' for x in load_end)} at the end\n"
    )
    print("| stage (CPU ms per page) | before median | p90 | max | after median | p90 | max |")
    print("|---|---|---|---|---|---|---|")
    for stage in best[0]:
        cells = []
        for k in (0, 1):
            costs = list(best[k][stage].values())
            p90 = statistics.quantiles(costs, n=10)[-1]
            cells += [f"{statistics.median(costs):.1f}", f"{p90:.1f}", f"{max(costs):.0f}"]
        print(f"| {stage} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
