"""``count_entities``: distinct entities of an article, variants of one name together."""

from __future__ import annotations

from summarizer.model import Entity, EntityCount, count_entities, merge_counts


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


def test_a_part_of_a_persons_name_joins_the_one_full_name_containing_it() -> None:
    # 松野 / 松野博 / 田文雄: a surname alone and the tagger's fragments of two full names.
    got = count_entities(
        mentions(
            "比尔·克林顿/PER",
            "克林顿/PER",
            "岸田文雄/PER",
            "松野博一/PER",
            "松野博/PER",
            "田文雄/PER",
            "松野/PER",
            "王小强/PER",
        )
    )
    assert got == (
        EntityCount("松野博一", "PER", 3),
        EntityCount("比尔·克林顿", "PER", 2),
        EntityCount("岸田文雄", "PER", 2),
        EntityCount("王小强", "PER", 1),
    )
    reverse = count_entities(mentions("松野/PER", "松野博/PER", "松野博一/PER"))
    assert reverse == (EntityCount("松野博一", "PER", 3),)


def test_a_rarer_name_one_character_longer_is_a_slip_of_the_name() -> None:
    # 林惠于泰国…: the tagger took the preposition into the name once.
    got = count_entities(mentions("林惠/PER", "林惠于/PER", "林惠/PER", "林惠生/PER", "林惠/PER"))
    assert got == (EntityCount("林惠", "PER", 5),)


def test_a_name_tagged_with_two_types_is_listed_under_the_better_supported_one() -> None:
    crimea = ["克里米亚/PER"] * 3 + ["克里米亚/LOC"] * 2 + ["克里米亚半岛/LOC"] * 3
    assert count_entities(mentions(*crimea)) == (
        EntityCount("克里米亚", "LOC", 5),
        EntityCount("克里米亚半岛", "LOC", 3),
    )
    musk = ["马斯克/LOC", "马斯克/PER", "马斯克/PER", "马斯克/LOC", "马斯克/PER", "马斯克/PER"]
    assert count_entities(mentions(*musk)) == (EntityCount("马斯克", "PER", 6),)


def test_types_never_mix() -> None:
    got = count_entities(mentions("上海/LOC", "上海市/ORG", "克林顿/LOC", "比尔·克林顿/PER"))
    assert len(got) == 4


def test_an_organisation_named_by_a_common_noun_is_left_out() -> None:
    got = count_entities(mentions("公司/ORG", "公司董事会/ORG", "中炬高新董事会/ORG", "政府/ORG"))
    assert got == (EntityCount("中炬高新董事会", "ORG", 1),)


def test_one_character_names_are_left_out() -> None:
    got = count_entities(mentions("法/LOC", "法国/LOC", "沪市/LOC", "沪/LOC", "王/PER"))
    assert got == (EntityCount("法国", "LOC", 1), EntityCount("沪市", "LOC", 1))


def test_counts_of_several_articles_merge_with_their_variants() -> None:
    one = count_entities(mentions("佩洛西/PER", "佩洛西/PER", "台湾/LOC"))
    other = count_entities(mentions("佩洛/PER", "台湾/LOC", "台湾/LOC", "劳荣枝/PER"))
    assert merge_counts((*one, *other)) == (
        EntityCount("佩洛西", "PER", 3),
        EntityCount("台湾", "LOC", 3),
        EntityCount("劳荣枝", "PER", 1),
    )
