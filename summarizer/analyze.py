"""``analyze(article)``: the NLP stages, run in order over one clean article.

clean (done by extract/clean) → split → entities → keywords → summarize → fingerprint →
index terms (what storage indexes the article under).
Each stage is a module of its own; this one only wires them.
"""

from __future__ import annotations

from summarizer.entities import find_entities
from summarizer.fingerprint import ShingleCheck, minhash_signature
from summarizer.keywords import extract_keywords
from summarizer.model import Analysis, Article, IndexTerms
from summarizer.sentences import split_sentences
from summarizer.summarize import select_summary
from summarizer.tokenize import segment_for_index

DEFAULT_SUMMARY_CHARS = 200
# NER and jieba cost about 80 and 13 µs a character on two cores: a 1 MB paste held a
# worker for two minutes and a gigabyte. The stages read the first 30,000 characters
# (every benchmark article is under 2,500; a long government report about 20,000), so
# any article is analysed in bounded time; spans into that prefix are spans of the text.
MAX_ANALYZED_CHARS = 30_000


def analyze(
    article: Article,
    *,
    max_sentences: int = 3,
    max_chars: int | None = DEFAULT_SUMMARY_CHARS,
) -> Analysis:
    text = article.text[:MAX_ANALYZED_CHARS]
    sentences = tuple(split_sentences(text))
    entities = tuple(find_entities(text))
    keywords = tuple(extract_keywords(text, title=article.title))
    summary = tuple(
        select_summary(
            text,
            sentences,
            title=article.title,
            entities=entities,
            keywords=keywords,
            max_sentences=max_sentences,
            max_chars=max_chars,
        )
    )
    index_terms, fingerprint = index_analysis(article)
    return Analysis(
        article=article,
        sentences=sentences,
        summary=summary,
        entities=entities,
        keywords=keywords,
        fingerprint=fingerprint,
        index_terms=index_terms,
        copy_check=ShingleCheck(article.text),
    )


def index_analysis(article: Article) -> tuple[IndexTerms, tuple[int, ...]]:
    """What storage indexes an article under, as :func:`analyze` builds it: the index
    words of its title and text and the MinHash signature of its text. What a reindex,
    a purge or a copy between backends asks for (``storage.indexing.Reanalyse``)."""
    text = article.text[:MAX_ANALYZED_CHARS]
    return (
        IndexTerms(segment_for_index(article.title), segment_for_index(text)),
        minhash_signature(text),
    )
