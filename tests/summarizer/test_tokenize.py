"""jieba loads once, on demand, without putting its import-time warnings on the user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SEED = Path(__file__).parents[2] / "examples" / "seed_page.txt"


def test_loading_jieba_shows_no_warning_even_when_warnings_are_errors() -> None:
    # jieba imports pkg_resources, deprecated with a UserWarning in current setuptools;
    # a library user running with -W error must still be able to load the tokenizer.
    code = (
        "from summarizer.tokenize import load_jieba, words\n"
        "assert load_jieba() is load_jieba()\n"
        "print(' '.join(words('上海云南扶贫协作')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr
    assert "上海" in done.stdout


def _run(code: str, cache: Path) -> str:
    env = {**os.environ, "ZHAIYAO_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


# Every table as parsed from jieba's files, and the segmentation of a text, by a digest.
_DIGEST = """
import hashlib, json
from summarizer.tokenize import load_tables, load_jieba
t = load_tables()
text = "{text}"
parts = [sorted(t.freq.items()), t.total, sorted(t.tags.items()), sorted(t.idf.items()),
         t.median_idf, load_jieba().lcut(text), load_jieba().lcut_for_search(text)]
print(hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest())
"""


def test_word_tables_come_back_from_the_cache_as_parsed(tmp_path: Path) -> None:
    code = _DIGEST.replace("{text}", SEED.read_text(encoding="utf-8")[:3000].replace("\n", " "))
    built = _run(code, tmp_path)  # parses jieba's files and writes the cache
    (cached_file,) = tmp_path.glob("words-*.marshal")
    assert _run(code, tmp_path) == built  # read back from it
    cached_file.write_bytes(b"not marshal data")
    assert _run(code, tmp_path) == built  # a broken cache is rebuilt
    assert cached_file.read_bytes() != b"not marshal data"
    readonly = tmp_path / "file-not-dir"
    readonly.write_text("")
    assert _run(code, readonly) == built  # nowhere to write: parsed at each start


def test_cached_segmentation_equals_jiebas_own() -> None:
    from summarizer.tokenize import load_jieba

    tokenizer = load_jieba()
    assert "_Tokenizer__cut_DAG" in vars(tokenizer)  # the cache is in place
    text = SEED.read_text(encoding="utf-8")
    import jieba

    plain = jieba.Tokenizer()  # a second tokenizer without the run cache
    plain.FREQ, plain.total, plain.initialized = tokenizer.FREQ, tokenizer.total, True
    for _ in range(2):  # the second time every run comes from the cache
        assert tokenizer.lcut(text) == plain.lcut(text)
        assert tokenizer.lcut_for_search(text) == plain.lcut_for_search(text)


def test_words_and_index_terms_are_jiebas_own() -> None:
    """``cut``/``words``/``segment_for_index`` remember texts and words: the same answers
    as jieba's ``lcut`` and ``lcut_for_search`` with white space dropped."""
    from summarizer.tokenize import cut, load_jieba, segment_for_index, words

    text = SEED.read_text(encoding="utf-8")
    mixed = "中华人民共和国国务院总理  iPhone 15发布会\n北京大学生物学系 3.5% 的人"
    tokenizer = load_jieba()
    for sample in (text, mixed, mixed, "", " \n"):  # twice: from the memory too
        assert list(cut(sample)) == tokenizer.lcut(sample)
        assert words(sample) == [w for w in tokenizer.lcut(sample) if w.strip()]
        want = " ".join(w for w in tokenizer.lcut_for_search(sample) if w.strip())
        assert segment_for_index(sample) == want


def test_native_segmenter_gives_jiebas_words_on_runs_without_symbols() -> None:
    # rjieba segments runs of Chinese characters, Latin letters and digits; jieba's own
    # code the runs with symbols (rjieba keeps 0-2, 09-23 or S.T.A.L.K.E.R whole): the
    # words must be jieba's either way.
    import re

    import jieba
    import pytest

    from summarizer.tokenize import cut, load_jieba, native_segmenter

    native = native_segmenter(load_jieba())
    if native is None:
        pytest.skip("rjieba is not installed: jieba segments everything")
    text = SEED.read_text(encoding="utf-8")
    text += "乌迪内斯0-2多特蒙德，《S.T.A.L.K.E.R.》资料片；09-23回复ta查看全部评论，"
    text += "2003年5月QQ空间。"
    plain = jieba.Tokenizer()  # jieba alone, without our tables or rjieba
    runs = [r for r in jieba.re_han_default.split(text) if jieba.re_han_default.match(r)]
    plain_runs = [r for r in runs if re.fullmatch("[\u4e00-\u9fd5a-zA-Z0-9]+", r)]
    assert len(plain_runs) > 20 and len(plain_runs) < len(runs)
    assert any(not re.fullmatch("[\u4e00-\u9fd5]+", r) for r in plain_runs)
    for run in plain_runs:
        assert native(run) == plain.lcut(run), run
    assert list(cut(text)) == plain.lcut(text)
