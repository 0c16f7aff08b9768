"""Leave-one-site-out cross-validation of ``extract_article`` over all the dev data.

Pages of ``dev/`` and ``dev2/`` are grouped by their JSON ``site``; each site in turn is
held out. Scoring is the official scorer's (``../shared/tools/score_extraction.py``,
imported by path), and the anchors run in the same process on the same pages.

What "held out" means for a rule-based extractor: a fixed rule scores the same in and
out of sample, so two things are measured instead.

* **Fitted choices** (``CHOICES``: named settings of the cascade's constants, e.g. the
  order in which date evidence is read) are chosen per fold on the other sites only; the
  held-out site is scored with the fold's choice. That is the CV figure.
* **Rule ablation** (``--ablate``): every rule is switched off in turn and each site's
  mean page score compared with the full extractor. A rule that helps one site and no
  other is fitting that site; it should go.

    python bench/extract_cv.py                          # CV + in-sample, anchors, CPU ms
    python bench/extract_cv.py --ablate                 # + sites each rule helps / hurts
    python bench/extract_cv.py --out bench/results/extract_cv.md

gne (GPL) is a bench-only anchor: used when installed, never imported by the package.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.extract_rules import CHOICES, RULES, patched  # noqa: E402
from bench.official import TOOLS, load_official  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "extraction"
SUBSETS = ("zh-all", "zh-news", "en")
ANCHORS = "trafilatura,readability,gne"
SITE_EPS = 0.005  # a site's mean page score must move this much to count as helped / hurt
Preds = list[dict[str, Any]]


def zhaiyao(html: str, url: str | None) -> dict[str, Any]:
    from summarizer.extract import extract_article

    a = extract_article(html, url)
    return {"title": a.title, "body": a.text, "date": a.published_at, "author": a.author}


def page_score(sc: ModuleType, case: dict[str, Any], pred: dict[str, Any]) -> float:
    """One page's objective: body F1, plus title exact and date day when annotated."""
    parts = [sc.case_f1(sc.body_tp_fp_fn(case["body"], pred["body"]))]
    if case.get("title"):
        parts.append(float(sc.title_exact(case["title"], pred["title"])))
    if sc.day_of(case.get("date")):
        parts.append(float(sc.day_of(case["date"]) == pred["date"]))
    return sum(parts) / len(parts)


def page_scores(sc: ModuleType, cases: list[dict[str, Any]], preds: Preds) -> list[float]:
    return [page_score(sc, c, p) for c, p in zip(cases, preds, strict=True)]


def run_ours(sc: ModuleType, cases: list[dict[str, Any]], settings: dict[str, Any]) -> Preds:
    with patched(settings):
        return list(sc.run_tool("zhaiyao", zhaiyao, cases, warmup=0))


def loso(
    sc: ModuleType, cases: list[dict[str, Any]], by_choice: dict[str, Preds]
) -> tuple[Preds, dict[str, str]]:
    """Held-out predictions: each site scored with the choice that is best on the others."""
    scores = {k: page_scores(sc, cases, v) for k, v in by_choice.items()}
    total = {k: sum(v) for k, v in scores.items()}
    by_site: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(cases):
        by_site[c["site"]].append(i)
    out: Preds = [{}] * len(cases)
    picked: dict[str, str] = {}
    for site, idx in by_site.items():
        train = {k: total[k] - sum(scores[k][i] for i in idx) for k in scores}
        best = max(train, key=lambda k: (train[k], k == next(iter(scores))))
        picked[site] = best
        for i in idx:
            out[i] = by_choice[best][i]
    return out, picked


def subset_scores(sc: ModuleType, cases: list[dict[str, Any]], preds: Preds) -> dict[str, Any]:
    res = {}
    for group in SUBSETS:
        idx = [i for i, c in enumerate(cases) if sc.GROUPS[group](c)]
        if idx:
            res[group] = sc.score([cases[i] for i in idx], [preds[i] for i in idx])
    return res


def empty_where_anchor_reads(
    sc: ModuleType, cases: list[dict[str, Any]], ours: Preds, anchors: dict[str, Preds]
) -> list[str]:
    """Pages where our body is empty (or refused) but an anchor's body scores F1 >= .5."""
    out = []
    for i, c in enumerate(cases):
        if ours[i]["body"].strip():
            continue
        best = max(
            (sc.case_f1(sc.body_tp_fp_fn(c["body"], p[i]["body"])) for p in anchors.values()),
            default=0.0,
        )
        if best >= 0.5:
            out.append(c["id"])
    return out


def cpu_ms(tools: dict[str, Callable[..., Any]], cases: list[dict[str, Any]]) -> dict[str, float]:
    """Median process CPU ms per page, tools interleaved page by page (fair under load)."""
    times: dict[str, list[float]] = {n: [] for n in tools}
    for case in cases:
        for name, fn in tools.items():
            t0 = time.process_time()
            with contextlib.suppress(Exception):  # failures are counted by the main table
                fn(case["html"], case.get("url"))
            times[name].append((time.process_time() - t0) * 1000)
    return {n: statistics.median(v) for n, v in times.items()}


def ablation(
    sc: ModuleType, cases: list[dict[str, Any]], full: Preds, base: dict[str, Any]
) -> Iterator[str]:
    """One row per rule: sites it helps / hurts and the mean page-score change per subset."""
    yield "\n### Rule ablation (rule switched off vs. the full extractor)\n"
    yield "| rule | sites helped | sites hurt | zh-all Δ | en Δ | helped sites | hurt sites |"
    yield "|---|---|---|---|---|---|---|"
    full_s = page_scores(sc, cases, full)
    for rule, off in RULES.items():
        preds = run_ours(sc, cases, {**base, **off})
        delta = [a - b for a, b in zip(full_s, page_scores(sc, cases, preds), strict=True)]
        site_delta: dict[str, list[float]] = defaultdict(list)
        lang_delta: dict[str, list[float]] = defaultdict(list)
        for c, d in zip(cases, delta, strict=True):
            site_delta[c["site"]].append(d)
            lang_delta[c["lang"]].append(d)
        helped = sorted(k for k, v in site_delta.items() if statistics.mean(v) > SITE_EPS)
        hurt = sorted(k for k, v in site_delta.items() if statistics.mean(v) < -SITE_EPS)
        zh, en = (statistics.mean(lang_delta[x] or [0.0]) for x in ("zh", "en"))
        yield (
            f"| {rule} | {len(helped)} | {len(hurt)} | {zh:+.4f} | {en:+.4f} | "
            f"{_few(helped)} | {_few(hurt)} |"
        )


def _few(sites: list[str], n: int = 5) -> str:
    return ", ".join(sites[:n]) + (" …" if len(sites) > n else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, action="append", help="case dirs (default dev, dev2)")
    ap.add_argument("--tools", default=ANCHORS, help="anchors to run in the same process")
    ap.add_argument("--ablate", action="store_true", help="also switch each rule off in turn")
    ap.add_argument("--no-cpu", action="store_true", help="skip the interleaved CPU timing")
    ap.add_argument("--out", type=Path, help="write the tables (markdown) here")
    args = ap.parse_args()

    sc = load_official("score_extraction", TOOLS / "score_extraction.py")
    cases = [c for d in args.data or [DATA / "dev", DATA / "dev2"] for c in sc.load_cases(d)]
    by_choice = {name: run_ours(sc, cases, settings) for name, settings in CHOICES.items()}
    default = next(iter(CHOICES))
    cv, picked = loso(sc, cases, by_choice)
    anchors: dict[str, Preds] = {}
    fns: dict[str, Callable[..., Any]] = {"zhaiyao": zhaiyao}
    versions = {"zhaiyao (LOSO CV)": "this repo", "zhaiyao (in-sample)": "this repo"}
    for name in [t for t in args.tools.split(",") if t]:
        try:
            fn, ver = sc.BUILTIN[name]()
        except Exception as exc:  # an anchor that is not installed is reported, not fatal
            print(f"anchor {name} unavailable: {exc}", file=sys.stderr)
            continue
        anchors[name], versions[name], fns[name] = sc.run_tool(name, fn, cases), ver, fn
    insample = max(by_choice, key=lambda k: sum(page_scores(sc, cases, by_choice[k])))
    results: dict[str, Any] = {"versions": versions, "tools": {}}
    results["tools"]["zhaiyao (LOSO CV)"] = {"all": subset_scores(sc, cases, cv)}
    results["tools"]["zhaiyao (in-sample)"] = {"all": subset_scores(sc, cases, by_choice[insample])}
    for name, preds in anchors.items():
        results["tools"][name] = {"all": subset_scores(sc, cases, preds)}
    lines = [sc.table(results, "all", g) for g in SUBSETS]
    sites = len({c["site"] for c in cases})
    counts = defaultdict(int)
    for choice in picked.values():
        counts[choice] += 1
    lines.append(
        f"\n{len(cases)} pages, {sites} sites held out one at a time; fitted choice per fold: "
        + ", ".join(f"{k} ({v} folds)" for k, v in sorted(counts.items()))
        + f"; in-sample best: {insample}."
    )
    missing = empty_where_anchor_reads(sc, cases, cv, anchors)
    lines.append(f"Empty or refused where an anchor reads it (F1 ≥ .5): {len(missing)} {missing}")
    if not args.no_cpu:
        with patched(CHOICES[default]):
            ms = cpu_ms(fns, cases)
        lines.append("\n| tool | median CPU ms per page (all pages, interleaved) |\n|---|---|")
        lines += [f"| {n} | {v:.1f} |" for n, v in ms.items()]
    if args.ablate:
        lines += list(ablation(sc, cases, by_choice[default], CHOICES[default]))
    text = "\n".join(lines)
    print(text)
    if args.out:
        cmd = "python bench/extract_cv.py " + " ".join(sys.argv[1:])
        header = (
            f"## Extraction, leave-one-site-out CV (2026-12-06)\n\nCommand: `{cmd.strip()}`\n\n"
            "Machine: 2-core CPU shared with other jobs; speed is process CPU time, tools "
            "interleaved page by page.\n"
        )
        args.out.write_text(header + text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
