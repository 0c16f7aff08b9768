"""``count_entities``: distinct entities of an article, variants of one name together."""

from __future__ import annotations

from summarizer.model import Entity, EntityCount, count_entities


def mentions(*names: str) -> list[Entity]:
    """Entities from "text/TYPE" strings, one after another."""
    out: list[Entity] = []
    pos = 0
    for name in names:
        text, type_ = name.split("/")
        out.append(Entity(text, type_, pos, pos + len(text)))
        pos += len(text) + 1
    return out


def test_counts_and_orders_by_mentions_then_first_mention() -> None:
    got = count_entities(mentions("李强/PER", "陈豪/PER", "陈豪/PER", "国务院/ORG"))
    assert got == (
        EntityCount("陈豪", "PER", 2),
        EntityCount("李强", "PER", 1),
        EntityCount("国务院", "ORG", 1),
    )


def test_a_place_with_and_without_its_suffix_is_one_place_under_its_usual_form() -> None:
    got = count_entities(mentions("上海市/LOC", "上海/LOC", "上海/LOC", "云南省/LOC", "云南/LOC"))
    assert got == (EntityCount("上海", "LOC", 3), EntityCount("云南省", "LOC", 2))


def test_an_organisation_named_by_its_tail_joins_the_one_full_name() -> None:
    got = count_entities(mentions("上海市委/ORG", "市委/ORG", "云南省委/ORG"))
    assert got == (EntityCount("上海市委", "ORG", 2), EntityCount("云南省委", "ORG", 1))


def test_an_ambiguous_tail_stays_apart() -> None:
    got = count_entities(mentions("上海市委/ORG", "昆明市委/ORG", "市委/ORG"))
    assert EntityCount("市委", "ORG", 1) in got and len(got) == 3


def test_a_foreign_given_name_joins_its_one_full_name() -> None:
    got = count_entities(
        mentions(
            "劳伦斯·洛克菲勒/PER",
            "劳伦斯/PER",
            "劳伦斯/PER",
            "约翰·洛克菲勒/PER",
            "洛克菲勒/PER",
            "洛克菲勒/PER",
        )
    )
    assert got == (
        EntityCount("劳伦斯·洛克菲勒", "PER", 3),
        EntityCount("洛克菲勒", "PER", 2),
        EntityCount("约翰·洛克菲勒", "PER", 1),
    )


def test_a_foreign_surname_joins_the_full_name_but_a_chinese_one_does_not() -> None:
    got = count_entities(mentions("比尔·克林顿/PER", "克林顿/PER", "王小强/PER", "小强/PER"))
    assert got == (
        EntityCount("比尔·克林顿", "PER", 2),
        EntityCount("王小强", "PER", 1),
        EntityCount("小强", "PER", 1),
    )


def test_types_never_mix_and_one_character_stems_are_not_places() -> None:
    got = count_entities(mentions("上海/LOC", "上海市/ORG", "沪市/LOC", "沪/LOC"))
    assert len(got) == 4
