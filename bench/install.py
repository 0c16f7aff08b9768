"""What a new user pays: install size, `zhaiyao summarize` time and memory, NER speed.

Two source trees are compared in one run: ``--before`` (a git ref of another checkout,
e.g. main) and ``--after`` (a ref of this one). Each is exported with ``git archive``
into a fresh folder and installed exactly as the README's first command says
(``python3 -m venv .venv``, ``pip install -U pip``, ``pip install -e .``; pip's indexes as
configured on the machine). Then, interleaved before/after over ``--runs`` rounds:

* ``zhaiyao summarize examples/seed_page.txt`` after one untimed run (warm page cache):
  wall seconds, CPU seconds and peak RSS of the process (``wait4``'s rusage);
* ``zhaiyao summarize`` of an empty file: seconds until the one-line error;
* NER CPU ms per 2,000 characters (``find_entities`` on consecutive MSRA dev records,
  median of 15 after a warm-up), in each tree's own venv;
* with ``--pages DIR``: the per-page CPU cost of ``extract_article`` + ``analyze`` on the
  Chinese pages of an extraction set (``bench/speed.py --pages``, this checkout's copy run
  with each tree's venv, trees alternating over ``--page-rounds``; median and p90 over
  pages, each page the best of its runs in all rounds).

Install size is the venv on disk (``du``). The default venv of each tree, no extras.

    python bench/install.py --before /work/main:d6b07a8 --after .:HEAD  # -> results/install.md
    python bench/install.py --before /work/main:main --after .:HEAD \
        --pages ../shared/data/extraction/dev
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results" / "install.md"
WORK = Path(tempfile.gettempdir()) / "zhaiyao-install-bench"
SEED = "examples/seed_page.txt"
NER_SNIPPET = """
import json, statistics, sys, time
from summarizer import find_entities
msra = [r["text"] for r in map(json.loads, open(sys.argv[1], encoding="utf-8"))
        if r["source"] == "msra"]
paras, total = [], 0
for i in range(0, len(msra), 3):
    paras.append("".join(msra[i : i + 3])[: 2000 - total])
    total += len(paras[-1]) + 1
    if total >= 2000:
        break
article = "\\n".join(paras)
find_entities(article)
cpu = []
for _ in range(15):
    c = time.process_time()
    find_entities(article)
    cpu.append((time.process_time() - c) * 1000)
print(statistics.median(cpu) * 2000 / len(article))
"""


@dataclass
class Tree:
    label: str
    repo: Path
    ref: str
    src: Path = field(init=False)
    summarize: list[tuple[float, float, float]] = field(default_factory=list)  # wall, cpu, MB
    empty: list[float] = field(default_factory=list)
    ner: list[float] = field(default_factory=list)
    pages: dict[str, dict[str, float]] = field(default_factory=dict)  # stage -> page -> ms

    def __post_init__(self) -> None:
        self.src = WORK / self.label

    @property
    def zhaiyao(self) -> str:
        return str(self.src / ".venv" / "bin" / "zhaiyao")


def install(tree: Tree) -> float:
    """Export the tree and run the README's install command in it; returns seconds."""
    shutil.rmtree(tree.src, ignore_errors=True)
    tree.src.mkdir(parents=True)
    commit = subprocess.run(
        ["git", "-C", str(tree.repo), "rev-parse", "--short", tree.ref],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    tree.ref = f"{tree.ref} ({commit})"  # the report names the commit measured
    archive = subprocess.run(
        ["git", "-C", str(tree.repo), "archive", commit], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree.src)], input=archive, check=True)
    command = "python3 -m venv .venv && . .venv/bin/activate && pip install -q -U pip"
    command += " && pip install -q -e ."
    t0 = time.perf_counter()
    subprocess.run(["bash", "-c", command], cwd=tree.src, check=True)
    return time.perf_counter() - t0


def run_measured(
    argv: list[str], cwd: Path, env: dict[str, str], *, ok: bool = True
) -> tuple[float, float, float]:
    """Wall s, CPU s (user + sys) and peak RSS in MB of one child process; ``ok``: it
    must succeed (else it must fail, as on an empty file)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if (proc.returncode == 0) != ok:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode} in {cwd}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def venv_mb(tree: Tree) -> float:
    out = subprocess.run(["du", "-sk", str(tree.src / ".venv")], capture_output=True, text=True)
    return int(out.stdout.split()[0]) / 1024


def measure_round(tree: Tree, env: dict[str, str], empty: Path, ner_data: Path) -> None:
    tree.summarize.append(run_measured([tree.zhaiyao, "summarize", SEED], tree.src, env))
    tree.empty.append(
        run_measured([tree.zhaiyao, "summarize", str(empty)], tree.src, env, ok=False)[0]
    )
    python = str(tree.src / ".venv" / "bin" / "python")
    out = subprocess.run(
        [python, "-c", NER_SNIPPET, str(ner_data)],
        cwd=tree.src, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    tree.ner.append(float(out.stdout.strip().splitlines()[-1]))


def measure_pages(tree: Tree, env: dict[str, str], folder: Path, runs: int) -> None:
    """``bench/speed.py --pages --per-page`` of this checkout, run with the tree's venv;
    keeps each page's best time per stage over all calls."""
    script = tree.src / "bench" / "_speed_of_this_checkout.py"
    shutil.copy(ROOT / "bench" / "speed.py", script)
    python = str(tree.src / ".venv" / "bin" / "python")
    argv = [python, str(script), "--pages", str(folder), "--runs", str(runs), "--per-page"]
    out = subprocess.run(argv, cwd=tree.src, env=env, capture_output=True, text=True, check=True)
    for stage, page, ms in (line.split("\t") for line in out.stdout.splitlines() if "\t" in line):
        best = tree.pages.setdefault(stage, {})
        best[page] = min(best.get(page, float("inf")), float(ms))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="/work/main:d6b07a8", help="REPO:REF")
    ap.add_argument("--after", default=f"{ROOT}:HEAD", help="REPO:REF")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--reuse", action="store_true", help="keep venvs built by an earlier run")
    ap.add_argument("--ner-data", type=Path, default=ROOT.parent / "shared/data/ner/dev.jsonl")
    ap.add_argument("--pages", type=Path, help="extraction set: per-page cost too")
    ap.add_argument("--page-rounds", type=int, default=2, help="per-page rounds, alternating")
    ap.add_argument("--page-runs", type=int, default=1, help="runs per page in each round")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    trees = []
    for label, spec in (("before", args.before), ("after", args.after)):
        repo, _, ref = spec.rpartition(":")
        trees.append(Tree(label, Path(repo).resolve(), ref))
    install_s = {}
    for tree in trees:
        if not (args.reuse and Path(tree.zhaiyao).exists()):
            install_s[tree.label] = install(tree)
            print(f"installed {tree.label} in {install_s[tree.label]:.0f} s", flush=True)
    home = Path(tempfile.mkdtemp(prefix="zhaiyao-bench-"))
    empty = home / "empty.txt"
    empty.write_text("")
    env = {**os.environ, "ZHAIYAO_DB": str(home / "bench.db"), "HOME": str(home)}
    # caches (jieba's, ours) live under the scratch HOME / tmp; .pyc files are written,
    # as on a user's machine (pip compiled the dependencies' at install)
    for name in ("ZHAIYAO_TELEGRAM_TOKEN", "ZHAIYAO_CACHE_DIR", "XDG_CACHE_HOME",
                 "PYTHONDONTWRITEBYTECODE"):  # fmt: skip
        env.pop(name, None)
    for tree in trees:  # one untimed run each: page cache, .pyc files
        run_measured([tree.zhaiyao, "summarize", SEED], tree.src, env)
    for r in range(args.runs):
        for tree in trees if r % 2 == 0 else trees[::-1]:
            measure_round(tree, env, empty, args.ner_data)
        print(f"round {r + 1}/{args.runs} done", flush=True)
    if args.pages:
        for r in range(args.page_rounds):
            for tree in trees if r % 2 == 0 else trees[::-1]:
                measure_pages(tree, env, args.pages.resolve(), args.page_runs)
            print(f"page round {r + 1}/{args.page_rounds} done", flush=True)
    write_report(args, trees, install_s)


def write_report(args: argparse.Namespace, trees: list[Tree], install_s: dict[str, float]) -> None:
    def med(values: list[float]) -> float:
        return statistics.median(values)

    rows = [
        ("default venv on disk (MB)", [f"{venv_mb(t):.0f}" for t in trees]),
        (
            "install time (s)",
            [f"{install_s[t.label]:.0f}" if t.label in install_s else "–" for t in trees],
        ),
        (
            "`zhaiyao summarize` seed page, wall s",
            [f"{med([s[0] for s in t.summarize]):.2f}" for t in trees],
        ),
        ("… CPU s", [f"{med([s[1] for s in t.summarize]):.2f}" for t in trees]),
        ("… peak RSS (MB)", [f"{max(s[2] for s in t.summarize):.0f}" for t in trees]),
        ("`zhaiyao summarize` empty file, wall s", [f"{med(t.empty):.2f}" for t in trees]),
        ("NER CPU ms per 2,000 chars", [f"{med(t.ner):.1f}" for t in trees]),
    ]
    for stage in trees[0].pages:
        for name, pick in (("median", med), ("p90", lambda v: statistics.quantiles(v, n=10)[-1])):
            cells = [f"{pick(list(t.pages.get(stage, {}).values())):.1f}" for t in trees]
            rows.append((f"per page: {stage}, CPU ms {name}", cells))
    cmd = "python bench/install.py " + " ".join(sys.argv[1:])
    text = (
        "# Install size, start-up and memory (`bench/install.py`)\n\n"
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: 2-core CPU "
        f"({platform.machine()}), shared with other jobs; Python {platform.python_version()}.\n"
        f"Command: `{cmd.strip()}`\n\n"
        f"Trees: before = `{trees[0].repo}` at `{trees[0].ref}`, after = `{trees[1].repo}` "
        f"at `{trees[1].ref}`; each installed fresh by the README's first command (default "
        f"dependencies only), then measured interleaved over {args.runs} rounds (medians; "
        "RSS: the largest).\n\n"
        "| | before | after |\n|---|---|---|\n"
        + "\n".join(f"| {name} | {b} | {a} |" for name, (b, a) in rows)
        + "\n"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
