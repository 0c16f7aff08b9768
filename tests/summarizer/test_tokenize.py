"""jieba loads once, on demand, without putting its import-time warnings on the user."""

from __future__ import annotations

import subprocess
import sys


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
