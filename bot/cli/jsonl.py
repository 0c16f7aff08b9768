"""One line of a bulk-import file (``zhaiyao ingest``) to an :class:`Article`.

A record is a JSON object ``{"url"?, "title"?, "text" | "html", "source"?, "published_at"?}``.
``html`` goes through the extractor; ``text`` with a ``title`` is taken as a clean body,
``text`` without one as a pasted page (``clean_text``). Nothing is fetched.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime

from summarizer.errors import NotAnArticle, SummarizerError
from summarizer.model import Article


class BadRecord(NotAnArticle):
    """A line that is not a record; ``detail`` says exactly why (shown with its number)."""

    reason = "The line is not a JSON object with a text or html field."
    reason_zh = "该行不是包含 text 或 html 字段的 JSON 对象。"


def why(err: Exception) -> str:
    """The reason a line was not imported, for ``line N: …`` (never a class name)."""
    if isinstance(err, BadRecord) and err.detail:
        return err.detail
    if isinstance(err, SummarizerError):
        return err.user_message("en")
    return str(err) or "unreadable"


_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def read_jsonl_record(line: str) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise BadRecord(f"not JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, dict):
        raise BadRecord(f"a JSON {_JSON_KINDS.get(type(record), 'value')}, not an object")
    url = record.get("url") if isinstance(record.get("url"), str) else None
    title = record.get("title") if isinstance(record.get("title"), str) else None
    if isinstance(record.get("html"), str):
        from summarizer.extract import extract_article

        article = extract_article(record["html"], url=url)
    elif isinstance(record.get("text"), str):
        text = record["text"]
        if not text.strip():
            raise BadRecord('"text" is empty')
        if title:
            body = "\n".join(line.strip() for line in text.splitlines() if line.strip())
            article = Article(title=title.strip(), text=body)
        else:
            from summarizer.clean import clean_text

            article = clean_text(text)
    else:
        raise BadRecord('no "text" or "html" field (a string) in the object')
    source = record.get("source") if isinstance(record.get("source"), str) else None
    return replace(
        article,
        url=url or article.url,
        title=title.strip() if title else article.title,
        source=source or article.source,
        published_at=_date(record.get("published_at")) or article.published_at,
    )
