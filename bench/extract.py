"""Extraction bench: ``extract_article`` beside the anchors, in one run, on the dev pages.

Uses the official scorer (``../shared/tools/score_extraction.py``, imported by path) for
loading cases, timing and metrics, so the figures are comparable with the issue's.

    python bench/extract.py                       # ours + trafilatura + readability (+ gne)
    python bench/extract.py --tools '' --worst 10 # ours only, list the worst pages
                                                  # (with --dumps: of the paste cleaner too)
    python bench/extract.py --data DIR --out bench/results/extract.md

gne (GPL) is a bench-only anchor: it is imported here when installed, never by the package.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.official import TOOLS, load_official  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT_DATA = SHARED / "data" / "extraction" / "dev"
SCORER = TOOLS / "score_extraction.py"
GROUPS = {"zh": "zh-all", "zh-news": "zh-news", "en": "en"}


def zhaiyao(html: str, url: str | None) -> dict[str, Any]:
    from summarizer.extract import extract_article

    a = extract_article(html, url)
    return {"title": a.title, "body": a.text, "date": a.published_at, "author": a.author}


def zhaiyao_dump(html: str, url: str | None) -> dict[str, Any]:
    """clean_text on the page's visible text, as if a user pasted the whole page."""
    from summarizer.clean import clean_text
    from summarizer.extraction.html import parse, prune, text_lines

    root = parse(html)
    prune(root)
    body = root.find("body")
    a = clean_text("\n".join(text_lines(body if body is not None else root)))
    return {"title": a.title, "body": a.text, "date": a.published_at, "author": a.author}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="directory of <id>.html/json")
    ap.add_argument("--scorer", type=Path, default=SCORER)
    ap.add_argument("--tools", default="trafilatura,readability,gne", help="anchors to run")
    ap.add_argument("--out", type=Path, help="write the tables (markdown) here")
    ap.add_argument("--worst", type=int, default=0, help="list our N worst pages per group")
    ap.add_argument(
        "--cpu",
        action="store_true",
        help="also time every tool on each page in turn (process CPU ms): fair on a busy machine",
    )
    ap.add_argument(
        "--dumps", action="store_true", help="also score clean_text on each page's visible text"
    )
    ap.add_argument("--pred-dir", type=Path, help="write per-page predictions (JSONL) here")
    args = ap.parse_args()

    sc = load_official("score_extraction", args.scorer)
    cases = sc.load_cases(args.data)
    contestants: list[tuple[str, Any, str]] = [("zhaiyao", zhaiyao, "this repo")]
    if args.dumps:
        contestants.append(("zhaiyao-clean (page dump)", zhaiyao_dump, "this repo"))
    for name in [t for t in args.tools.split(",") if t]:
        try:
            fn, ver = sc.BUILTIN[name]()
        except Exception as exc:  # an anchor that is not installed is reported, not fatal
            print(f"anchor {name} unavailable: {exc}", file=sys.stderr)
            continue
        contestants.append((name, fn, ver))

    results: dict[str, Any] = {"versions": {}, "tools": {}}
    preds_by_tool: dict[str, list[dict[str, Any]]] = {}
    for name, fn, ver in contestants:
        preds = sc.run_tool(name, fn, cases)
        preds_by_tool[name] = preds
        results["versions"][name] = ver
        res = {}
        for group in GROUPS.values():
            idx = [i for i, c in enumerate(cases) if sc.GROUPS[group](c)]
            if idx:
                res[group] = sc.score([cases[i] for i in idx], [preds[i] for i in idx])
        results["tools"][name] = {"dev": res}
        if args.pred_dir:
            args.pred_dir.mkdir(parents=True, exist_ok=True)
            with open(args.pred_dir / f"{name}.jsonl", "w", encoding="utf-8") as f:
                for p in preds:
                    f.write(json.dumps(p, ensure_ascii=False, default=str) + "\n")

    tables = [sc.table(results, "dev", g) for g in GROUPS.values()]
    if args.cpu:
        tables.append(cpu_table(sc, contestants, cases))
    text = "\n".join(tables)
    print(text)
    if args.worst:
        for name in ("zhaiyao", "zhaiyao-clean (page dump)"):
            if name in preds_by_tool:
                print(f"\n{name}:")
                print_worst(sc, cases, preds_by_tool[name], args.worst)
    if args.out:
        cmd = "python bench/extract.py " + " ".join(sys.argv[1:])
        header = (
            f"## Extraction ({dt.date.today().isoformat()}, 2-core CPU, shared machine)\n\n"
            f"Command: `{cmd.strip()}` (data: {args.data.name}, {len(cases)} pages)\n\n"
            "Machine: 2-core CPU shared with other jobs, so wall-clock ms vary run to run; "
            "the interleaved CPU-time table (--cpu) is the fairer speed comparison.\n"
        )
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(header + text + "\n", encoding="utf-8")


def cpu_table(sc: ModuleType, contestants: list[tuple[str, Any, str]], cases: list[Any]) -> str:
    """Median CPU ms per page, tools interleaved page by page so load hits all alike."""
    times: dict[str, dict[str, list[float]]] = {n: {"zh": [], "en": []} for n, _, _ in contestants}
    for case in cases:
        for name, fn, _ in contestants:
            t0 = time.process_time()
            with contextlib.suppress(Exception):  # failures are counted by the main table
                fn(case["html"], case.get("url"))
            times[name][case["lang"]].append((time.process_time() - t0) * 1000)
    rows = [
        "\n### dev / CPU time (interleaved)\n",
        "| tool | zh median CPU ms | en median CPU ms | all median CPU ms |",
        "|---|---|---|---|",
    ]
    for name, by_lang in times.items():
        everything = by_lang["zh"] + by_lang["en"]
        cells = [
            statistics.median(v) if v else float("nan") for v in (*by_lang.values(), everything)
        ]
        rows.append(f"| {name} | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    return "\n".join(rows)


def print_worst(sc: ModuleType, cases: list[dict[str, Any]], preds: list[Any], n: int) -> None:
    rows = []
    for c, p in zip(cases, preds, strict=True):
        f1 = sc.case_f1(sc.body_tp_fp_fn(c["body"], p["body"]))
        tit = sc.title_exact(c["title"], p["title"]) if c.get("title") else None
        ref_day = sc.day_of(c.get("date"))
        date_ok = (ref_day == p["date"]) if ref_day else None
        rows.append((f1, c, p, tit, date_ok))
    print("\nworst body F1:")
    for f1, c, p, _, _ in sorted(rows, key=lambda r: r[0])[:n]:
        print(f"  {f1:.3f} {c['id']} {c['lang']} err={p['error']}")
    print("title misses:")
    for _, c, p, tit, _ in rows:
        if tit is False:
            print(f"  {c['id']}: ref={c['title']!r} got={p['title']!r}")
    print("date misses:")
    for _, c, p, _, ok in rows:
        if ok is False:
            print(f"  {c['id']}: ref={c['date']!r} got={p['date_raw']!r}")


if __name__ == "__main__":
    main()
