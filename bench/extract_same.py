"""Does ``extract_article`` give the same output in two checkouts? Dump it, then diff.

Every field ``extract_article`` returns (or the error class and message it raises) for
every page of the extraction sets, called as the benches call it (page bytes and the
case's URL) and once more without the URL, one JSON line per call:

    python bench/extract_same.py --tree /tmp/main > before.jsonl   # another checkout
    python bench/extract_same.py > after.jsonl                      # this one
    diff before.jsonl after.jsonl && echo identical

``--tree`` imports ``summarizer`` from that checkout instead of this one. The default
folders are ``../shared/data/extraction/dev`` and ``dev2`` (all languages). ``--cuts 0.3
0.6`` adds each page cut to those shares of its bytes (broken HTML, pages without their
ends: other paths through the extractor and its errors), without the URL. ``--pastes``
adds ``clean_text`` (which shares the boilerplate rules) of each page's visible text and of
its reference body.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "extraction"
warnings.filterwarnings("ignore")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=ROOT, help="checkout to import from")
    parser.add_argument("--cuts", nargs="*", type=float, default=[], help="shares of each page")
    parser.add_argument("--pastes", action="store_true", help="clean_text of each page too")
    parser.add_argument("folders", nargs="*", type=Path, default=[DATA / "dev", DATA / "dev2"])
    args = parser.parse_args()
    sys.path.insert(0, str(args.tree.resolve()))
    from summarizer import clean_text, extract_article
    from summarizer.charset import decode_html
    from summarizer.extraction.html import parse, prune, text_lines

    for folder in args.folders:
        for meta_path in sorted(folder.glob("*.json")):
            html = meta_path.with_suffix(".html").read_bytes()
            url = json.loads(meta_path.read_text("utf-8")).get("url")
            calls = [(html, given, 1.0) for given in dict.fromkeys((url, None))]
            calls += [(html[: int(len(html) * cut)], None, cut) for cut in args.cuts]
            for page, given, cut in calls:
                try:
                    a = extract_article(page, given)
                    out: dict[str, object] = {
                        "title": a.title,
                        "text": a.text,
                        "url": a.url,
                        "source": a.source,
                        "author": a.author,
                        "published_at": a.published_at.isoformat() if a.published_at else None,
                        "tz": str(a.published_at.tzinfo) if a.published_at else None,
                        "lang": a.lang,
                    }
                except Exception as exc:  # the error is part of the output
                    out = {"error": type(exc).__name__, "message": str(exc)}
                name = f"{folder.name}/{meta_path.stem}"
                line = {"page": name, "cut": cut, "url": given, **out}
                print(json.dumps(line, ensure_ascii=False), flush=True)
            if args.pastes:
                root = parse(decode_html(html)[0])
                prune(root)
                body = root.find("body")
                visible = "\n".join(text_lines(body if body is not None else root))
                reference = json.loads(meta_path.read_text("utf-8")).get("body") or ""
                for kind, text in (("visible", visible), ("reference", reference)):
                    pasted = _pasted(clean_text, text, f"{name}:{kind}")
                    print(json.dumps(pasted, ensure_ascii=False))


def _pasted(clean_text: Any, text: str, name: str) -> dict[str, object]:
    try:
        a = clean_text(text)
    except Exception as exc:  # the error is part of the output
        return {"paste": name, "error": type(exc).__name__, "message": str(exc)}
    when = a.published_at.isoformat() if a.published_at else None
    fields = (a.title, a.text, a.source, a.author, when, a.lang)
    return {"paste": name, "article": fields}


if __name__ == "__main__":
    main()
