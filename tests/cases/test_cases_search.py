"""Chinese full-text search of the case library: the bigram index, ranking, highlighting."""

import datetime

from django.core.cache import cache

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from cases.models import CaseSearchTerm
from cases.search import document_terms, query_parse, text_highlight, text_snippet
from cases.selectors import case_library_results
from powers.factories import EnforcementFieldFactory, PowerFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The library caches its filter choices; every test starts without them."""
    cache.clear()


D = datetime.date


class TestTextProcessing:
    def test_a_phrase_is_cut_into_overlapping_pairs_and_single_characters(self):
        terms = document_terms([("非法占地", 1)])
        assert {"非法", "法占", "占地"} <= set(terms)
        assert {"非", "法", "占", "地"} <= set(terms)

    def test_pairs_never_cross_punctuation(self):
        terms = document_terms([("占用耕地，建房", 1)])
        assert "地建" not in terms
        assert "耕地" in terms and "建房" in terms

    def test_weight_counts_occurrences_times_field_weight(self):
        terms = document_terms([("秸秆秸秆", 1), ("焚烧秸秆", 8)])
        assert terms["秸秆"] == 2 + 8

    def test_latin_words_and_numbers_stay_whole_and_full_width_is_folded(self):
        terms = document_terms([("罚款２万元 PM2.5", 1)])
        assert "2" in terms and "pm2" in terms and "5" in terms

    def test_a_query_of_a_longer_phrase_is_its_pairs(self):
        assert query_parse("露天焚烧秸秆").terms == ["露天", "天焚", "焚烧", "烧秸", "秸秆"]
        assert query_parse("占").terms == ["占"]
        assert not query_parse("  ，。 ")

    def test_highlight_marks_matches_and_escapes_everything_else(self):
        html = text_highlight("<script>占地</script> 违法占地", query_parse("占地"))
        assert "<script>" not in html
        assert "&lt;script&gt;<mark>占地</mark>&lt;/script&gt;" in html
        assert html.count("<mark>") == 2

    def test_highlight_falls_back_to_pairs_when_the_phrase_is_not_there(self):
        html = text_highlight("村民在耕地上建房", query_parse("耕地建房"))
        assert "<mark>耕地</mark>" in html and "<mark>建房</mark>" in html

    def test_snippet_shows_the_first_match_of_a_long_text(self):
        text = "开头" * 100 + "焚烧秸秆" + "结尾" * 100
        snippet = text_snippet(text, query_parse("秸秆"))
        assert "<mark>秸秆</mark>" in snippet
        assert snippet.startswith("…") and snippet.endswith("…")


@pytest.fixture
def library(db):
    return CaseLibraryPageFactory()


@pytest.fixture
def straw_power(db):
    field = EnforcementFieldFactory(code="ecology", name="生态环境保护")
    return PowerFactory(name="对露天焚烧秸秆的行政处罚", field=field)


@pytest.fixture
def land_power(db):
    field = EnforcementFieldFactory(code="natural_resources", name="自然资源")
    return PowerFactory(name="对农村村民未经批准非法占用土地建住宅的行政处罚", field=field)


@pytest.fixture
def cases(library, straw_power, land_power):
    return {
        "straw": CasePageFactory(
            parent=library,
            title="某村村民露天焚烧秸秆案",
            powers=[straw_power],
            facts="<p>三夏期间，当事人在自家麦田内露天焚烧秸秆，浓烟影响周边道路通行。秸秆禁烧期间巡查发现。</p>",
            decided_on=D(2024, 6, 12),
        ),
        "straw_mention": CasePageFactory(
            parent=library,
            title="某养殖场粪污直排案",
            powers=[straw_power],
            facts="<p>当事人养殖场未建设污染防治配套设施，另查明其曾堆放秸秆。</p>",
            decided_on=D(2023, 9, 1),
        ),
        "land": CasePageFactory(
            parent=library,
            title="村民未经批准占地建房案",
            powers=[land_power],
            facts="<p>当事人未经批准，擅自占用本村集体土地建设住宅一处，占地面积约200平方米。</p>",
            decided_on=D(2024, 3, 2),
        ),
    }


def titles(results):
    return [hit.page.title for hit in results.hits]


@pytest.mark.django_db
class TestSearch:
    def test_publishing_a_case_indexes_it(self, cases):
        assert CaseSearchTerm.objects.filter(page=cases["land"], term="占地").exists()

    def test_a_two_character_word_finds_the_cases_that_contain_it_best_first(self, cases):
        results = case_library_results(query="秸秆")
        assert titles(results) == ["某村村民露天焚烧秸秆案", "某养殖场粪污直排案"]
        assert "<mark>秸秆</mark>" in results.hits[0].title_html
        assert "<mark>秸秆</mark>" in results.hits[0].snippet_html

    def test_another_two_character_word(self, cases):
        assert titles(case_library_results(query="占地")) == ["村民未经批准占地建房案"]

    def test_a_longer_phrase(self, cases):
        results = case_library_results(query="擅自占用本村集体土地")
        assert titles(results) == ["村民未经批准占地建房案"]
        assert "<mark>擅自占用本村集体土地</mark>" in results.hits[0].snippet_html

    def test_a_powers_name_finds_its_cases(self, cases):
        results = case_library_results(query="非法占用土地建住宅")
        assert titles(results) == ["村民未经批准占地建房案"]
        assert results.total == 1

    def test_a_single_character_query(self, cases):
        assert set(titles(case_library_results(query="麦"))) == {"某村村民露天焚烧秸秆案"}

    def test_a_query_with_nothing_found_is_an_empty_result_not_an_error(self, cases):
        results = case_library_results(query="无人机航拍")
        assert results.total == 0 and results.hits == [] and results.searched

    def test_no_case_has_every_word_so_near_matches_are_offered(self, cases):
        results = case_library_results(query="露天焚烧秸秆飞机")
        assert results.near
        assert titles(results)[0] == "某村村民露天焚烧秸秆案"

    def test_an_empty_query_lists_every_case_newest_first(self, cases):
        results = case_library_results(query="")
        assert not results.searched
        assert titles(results)[0] == "某村村民露天焚烧秸秆案"
        assert results.total == 3

    def test_search_combines_with_filters(self, cases):
        assert titles(case_library_results(query="秸秆", year=2023)) == ["某养殖场粪污直排案"]
        assert case_library_results(query="秸秆", field="natural_resources").total == 0

    def test_html_in_a_query_is_escaped(self, cases):
        results = case_library_results(query="<b>秸秆</b>")
        assert results.total == 2
        assert "<b>" not in results.hits[0].title_html
        assert "<mark>秸秆</mark>" in results.hits[0].title_html

    def test_drafts_are_not_found_and_unpublishing_removes_a_case(self, library, cases):
        draft = CasePageFactory(parent=library, title="草稿秸秆案", publish=False)
        assert draft.pk not in [h.page.pk for h in case_library_results(query="草稿").hits]
        cases["straw"].unpublish()
        assert titles(case_library_results(query="秸秆")) == ["某养殖场粪污直排案"]
