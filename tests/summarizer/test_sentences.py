"""Sentence splitter: examples for the hard cases, properties for everything else."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.sentences import split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("会议很成功。”随后散会", ["会议很成功。”", "随后散会"]),
        ("他说：“我们很好。你们呢？”然后走了。", ["他说：“我们很好。你们呢？”", "然后走了。"]),
        ("“会议很成功。”他说。大家都笑了！", ["“会议很成功。”他说。", "大家都笑了！"]),
        ("他（张三。李四）来了。好的", ["他（张三。李四）来了。", "好的"]),
        ("好吧……真的吗？是的！！对", ["好吧……真的吗？", "是的！！", "对"]),
        ("他犹豫了……", ["他犹豫了……"]),
        ("“好……”她答。", ["“好……”她答。"]),
        ("没有句号的一段话", ["没有句号的一段话"]),
        ("价格上涨3.5%。", ["价格上涨3.5%。"]),
        (
            "Mr. Smith went to the U.S. last week. Prices rose 3.5 percent. Why?! Fine.",
            ["Mr. Smith went to the U.S. last week.", "Prices rose 3.5 percent.", "Why?!", "Fine."],
        ),
        ('He said "It works." Then he left.', ['He said "It works."', "Then he left."]),
        ("《人民的名义。续》热播。好", ["《人民的名义。续》热播。", "好"]),
        # web text closing “ with a straight quote
        ('“台湾牌"成为工具。去年以来团组增多。', ['“台湾牌"成为工具。', "去年以来团组增多。"]),
        ('他说：“很成功。"随后散会。', ['他说：“很成功。"', "随后散会。"]),
    ],
)
def test_examples(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_paragraphs_are_lines_and_offsets_are_into_the_text() -> None:
    text = "第一段。第二句。\n\n  第二段！\n"
    sents = split_sentences(text)
    assert [s.paragraph for s in sents] == [0, 0, 2]
    assert [s.text for s in sents] == ["第一段。", "第二句。", "第二段！"]
    for s in sents:
        assert text[s.start : s.end] == s.text


def test_unclosed_quote_does_not_swallow_a_long_paragraph() -> None:
    text = "他说：“开始了。" + "这是很长的一句话。" * 40
    assert len(split_sentences(text)) > 10


def test_empty_and_blank() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\t\n") == []


ALPHABET = st.sampled_from(
    list("会议很成功随后散会他说我们ab Mr.US3")
    + list("。！？!?…“”「」（）()【】《》\"'，、：； \n\t.")
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=120) | st.text(max_size=80))
def test_never_drops_text(text: str) -> None:
    sents = split_sentences(text)
    lines = text.split("\n")
    starts = [sum(len(x) + 1 for x in lines[:i]) for i in range(len(lines))]
    previous_end = 0
    for s in sents:
        assert s.text and text[s.start : s.end] == s.text
        assert s.text == s.text.strip()
        assert s.start >= previous_end
        assert text[previous_end : s.start].strip() == ""  # gaps are only white space
        assert "\n" not in s.text
        assert starts[s.paragraph] <= s.start and s.end <= starts[s.paragraph] + len(
            lines[s.paragraph]
        )
        previous_end = s.end
    assert text[previous_end:].strip() == ""
    # joining sentence texts with the gaps gives back each paragraph
    for p, line in enumerate(lines):
        own = [s for s in sents if s.paragraph == p]
        rebuilt, cursor = "", starts[p]
        for s in own:
            rebuilt += text[cursor : s.start] + s.text
            cursor = s.end
        rebuilt += text[cursor : starts[p] + len(line)]
        assert rebuilt == line


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["会议很成功。", "真的吗？", "好！", "他说：“对。”"]), max_size=8))
def test_splits_at_every_full_sentence(parts: list[str]) -> None:
    text = "".join(parts)
    assert len(split_sentences(text)) == len(parts)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_deterministic_and_idempotent_on_each_sentence(text: str) -> None:
    first = split_sentences(text)
    assert first == split_sentences(text)
    for s in first:
        again = split_sentences(s.text)
        assert "".join(x.text for x in again).replace(" ", "") == s.text.replace(" ", "")
