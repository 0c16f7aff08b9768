"""Charset bench: ``decode_html`` on the real dev pages, beside two anchors, in one run.

Each dev case's JSON names the codec that decodes its page correctly; a decode counts as
right when it gives exactly that text. Every page is decoded as if served with several
HTTP headers — none, its true charset, and lying ones (``utf-8`` on a GBK page,
``gb2312`` or ``iso-8859-1`` on anything) — because servers lie as often as ``<meta>``.

Anchors: *naive* (HTTP charset, else ``<meta>``, else UTF-8, with replacement: what a
plain ``response.text`` does) and *charset-normalizer* alone (ignores declarations).

    python bench/charset.py                          # table on stdout
    python bench/charset.py --out bench/results/fetch.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import charset_normalizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from summarizer.charset import decode_html, normalize_charset, sniff_declared_charset  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "extraction" / "dev"
HEADERS: dict[str, Callable[[str], str | None]] = {
    "no header": lambda true: None,
    "true charset": lambda true: true,
    "lying utf-8": lambda true: "utf-8",
    "lying gb2312": lambda true: "gb2312",
    "lying iso-8859-1": lambda true: "iso-8859-1",
}


def naive(body: bytes, declared: str | None) -> str:
    codec = normalize_charset(declared) or normalize_charset(sniff_declared_charset(body))
    return body.decode(codec or "utf-8", errors="replace")


def normalizer(body: bytes, declared: str | None) -> str:
    best = charset_normalizer.from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


def ours(body: bytes, declared: str | None) -> str:
    return decode_html(body, declared)[0]


DECODERS = {"decode_html": ours, "naive": naive, "charset-normalizer": normalizer}


def run(data: Path) -> str:
    cases = sorted(data.glob("*.json"))
    right = {(d, h): 0 for d in DECODERS for h in HEADERS}
    seconds = dict.fromkeys(DECODERS, 0.0)
    for case in cases:
        meta = json.loads(case.read_text(encoding="utf-8"))
        body = case.with_suffix(".html").read_bytes()
        want = body.decode(meta["encoding"], errors="replace")
        for header, make in HEADERS.items():
            for name, decode in DECODERS.items():
                start = time.perf_counter()
                text = decode(body, make(meta["encoding"]))
                seconds[name] += time.perf_counter() - start
                right[name, header] += text == want
    n = len(cases)
    lines = [
        f"## Charset decoding (fetch) — {dt.date.today().isoformat()}",
        "",
        f"{n} dev pages ({data.name}/), exact text match with the reference codec, "
        f"per HTTP header served. Machine: {platform.machine()}, 2-core shared CPU.",
        "Command: `python bench/charset.py`",
        "",
        "| decoder | " + " | ".join(HEADERS) + " | ms/page |",
        "|---|" + "---|" * (len(HEADERS) + 1),
    ]
    for name in DECODERS:
        cells = [f"{right[name, h]}/{n}" for h in HEADERS]
        ms = 1000 * seconds[name] / (n * len(HEADERS))
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ms:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    table = run(args.data)
    print(table)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
