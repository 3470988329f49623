"""Reading statutes: Chinese numerals, headings, article texts, and refusals with a line."""

from pathlib import Path

from django.utils import translation

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laws.parsing import (
    LawParseError,
    article_label,
    chinese_to_int,
    int_to_chinese,
    parse_law,
)

TEXTS = Path(__file__).parent / "texts"
DEMO_TEXTS = sorted(TEXTS.glob("*.md"))

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _english_messages():
    """The messages are read in the source language (the catalogue translates them)."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("numeral", "number"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("一百", 100),
        ("一百零五", 105),
        ("一百一十", 110),
        ("一千零一十", 1010),
        ("一千二百六十", 1260),
        ("47", 47),
    ],
)
def test_numerals_read(numeral, number):
    assert chinese_to_int(numeral) == number


@pytest.mark.parametrize(
    "bad", ["十十", "一二", "零", "千", "一千二", "百五", "一百零", "0", "五零"]
)
def test_malformed_numerals_are_refused(bad):
    with pytest.raises(ValueError):
        chinese_to_int(bad)


def test_every_article_number_up_to_1260_round_trips():
    for number in range(1, 1261):
        assert chinese_to_int(int_to_chinese(number)) == number
    assert int_to_chinese(10) == "十"
    assert int_to_chinese(110) == "一百一十"


@given(st.integers(min_value=1, max_value=1260))
def test_numeral_round_trip_property(number):
    numeral = int_to_chinese(number)
    assert chinese_to_int(numeral) == number
    assert set(numeral) <= set("零一二三四五六七八九十百千")


@settings(max_examples=20, deadline=None)
@given(
    number=st.integers(min_value=1, max_value=1260), suffix=st.integers(min_value=0, max_value=1)
)
def test_random_labels_up_to_article_1260_of_1_parse(number, suffix):
    label = article_label(number, suffix)
    text = f"示范法\n\n第一章　总则\n\n{label}　本条规定示范内容。\n第二款内容。\n"
    (article,) = parse_law(text)
    assert (article.number, article.suffix, article.label) == (number, suffix, label)
    assert article.text == "本条规定示范内容。\n第二款内容。"
    assert article.chapter == "第一章 总则"


def test_labels_and_suffixes():
    assert article_label(47, 1) == "第四十七条之一"
    assert article_label(1260) == "第一千二百六十条"


@pytest.mark.parametrize("path", DEMO_TEXTS, ids=[p.name for p in DEMO_TEXTS])
def test_every_illustrative_law_parses(path):
    articles = parse_law(path.read_text(encoding="utf-8"))
    assert articles[0].label == "第一条"
    assert all(article.text for article in articles)
    keys = [(a.number, a.suffix) for a in articles]
    assert keys == sorted(set(keys))


def test_headings_preamble_contents_and_continuation_lines():
    articles = parse_law((TEXTS / "sanitation_2024.md").read_text(encoding="utf-8"))
    labels = [a.label for a in articles]
    assert labels == ["第一条", "第二条", "第三条", "第四条", "第四条之一", "第五条", "第六条"]
    third = articles[2]
    assert third.chapter == "第一章 总则"
    assert third.text.splitlines()[1].startswith("因建设需要临时堆放物料的")
    assert articles[3].chapter == "第二章 责任与处罚"
    assert articles[4].suffix == 1


def test_sections_and_a_label_run_into_its_text():
    text = (
        "第一章 总则\n第一节 一般规定\n第一条为了示范，制定本法。\n"
        "第三十条规定的事项，依照本法办理。\n第二节 其他\n第二条本法自公布之日起施行。\n"
    )
    first, second = parse_law(text)
    assert first.section == "第一节 一般规定"
    assert first.text == "为了示范，制定本法。\n第三十条规定的事项，依照本法办理。"
    assert (second.number, second.section) == (2, "第二节 其他")


def test_markdown_bold_labels():
    (article,) = parse_law("## 第一章 总则\n\n**第一条** 为了示范，制定本法。\n")
    assert (article.label, article.text) == ("第一条", "为了示范，制定本法。")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("示范法\n第一条 甲。\n第三条 乙。\n第二条 丙。\n", 4, "第二条 comes after 第三条"),
        ("第一条 甲。\n\n第一条 乙。\n", 3, "第一条 comes after 第一条"),
        ("第一条 甲。\n第二条\n第三条 丙。\n", 2, "第二条 has no text"),
        ("第一条 甲。\n第十十条 乙。\n", 2, "cannot read the number"),
        ("示范法\n本法没有条文。\n", 2, "no article found"),
        ("第一条 甲。\n第二条\n", 2, "第二条 has no text"),
    ],
)
def test_unreadable_texts_are_refused_with_their_line(text, line, words):
    with pytest.raises(LawParseError) as error:
        parse_law(text)
    assert error.value.line == line
    assert words in str(error.value)
    assert str(error.value).startswith(f"line {line}: ")
