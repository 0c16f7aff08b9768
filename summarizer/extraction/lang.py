"""Language of article text: enough CJK characters make it Chinese."""

from __future__ import annotations

import re

CJK_SHARE_ZH = 0.2  # share of CJK characters in a sample above which the text is Chinese
SAMPLE_CHARS = 2000
_CJK = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


def detect_lang(text: str, declared: str | None = None) -> str:
    """ "zh", "ja", "ko", the page's declared language, or "en"."""
    sample = re.sub(r"\s", "", text[:SAMPLE_CHARS])
    if not sample:
        return declared or "zh"
    if len(_KANA.findall(sample)) / len(sample) > 0.05:
        return "ja"
    if len(_HANGUL.findall(sample)) / len(sample) > CJK_SHARE_ZH:
        return "ko"
    if len(_CJK.findall(sample)) / len(sample) > CJK_SHARE_ZH:
        return "zh"
    if declared and declared not in ("zh", "ja", "ko"):
        return declared
    return "en"
