"""The library and case pages as an officer sees them: filters, search, withdrawn powers, query counts."""

import datetime

from django.core.cache import cache
from django.urls import reverse

import pytest

from cases.factories import CaseLibraryPageFactory, CasePageFactory
from people.factories import OfficerFactory
from powers.factories import EnforcementFieldFactory, PowerFactory, PowerListFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The library caches its filter choices; every test starts without them."""
    cache.clear()


D = datetime.date


@pytest.fixture
def officer(city):
    return OfficerFactory(unit=city["township11"])


@pytest.fixture
def library(db):
    return CaseLibraryPageFactory()


@pytest.fixture
def powers(db):
    ecology = EnforcementFieldFactory(code="ecology", name="生态环境保护")
    water = EnforcementFieldFactory(code="water", name="水利")
    straw = PowerFactory(
        code="ST-01", name="对露天焚烧秸秆的行政处罚", field=ecology, withdrawn_on=D(2026, 1, 1)
    )
    sand = PowerFactory(code="SL-04", name="对未经批准在河道管理范围内采砂的行政处罚", field=water)
    PowerListFactory(effective_from=D(2023, 6, 1), powers=[straw, sand])
    return {"straw": straw, "sand": sand}


@pytest.fixture
def cases(city, library, powers):
    built = [
        CasePageFactory(
            parent=library,
            title="某村村民露天焚烧秸秆案",
            powers=[powers["straw"]],
            county=city["county1"],
            township=city["township11"],
            facts="<p>当事人在麦田内露天焚烧秸秆。</p>",
            decided_on=D(2024, 6, 12),
            outcome="penalty",
        ),
        CasePageFactory(
            parent=library,
            title="某砂场河道非法采砂案",
            powers=[powers["sand"]],
            county=city["county2"],
            facts="<p>当事人未经批准在河道管理范围内采砂约300立方米。</p>",
            decided_on=D(2025, 4, 2),
            outcome="upheld",
        ),
    ]
    for n in range(6):
        built.append(
            CasePageFactory(
                parent=library,
                title=f"河道采砂案{n}",
                powers=[powers["sand"]],
                county=city["county1"],
                decided_on=D(2025, 5, n + 1),
            )
        )
    return built


def result_titles(response):
    return [hit.page.title for hit in response.context["results"].hits]


@pytest.mark.django_db
class TestLibraryPage:
    def test_signed_out_visitors_are_sent_to_log_in(self, client, library):
        response = client.get(library.url)
        assert response.status_code == 302
        assert "/accounts/" in response["Location"]

    def test_an_empty_library_says_so(self, client, officer, library):
        client.force_login(officer)
        response = client.get(library.url)
        assert response.status_code == 200
        assert response.context["results"].total == 0
        assert 'class="card case-empty"' in response.text

    def test_filter_by_field(self, client, officer, cases, library):
        client.force_login(officer)
        response = client.get(library.url, {"field": "ecology"})
        assert result_titles(response) == ["某村村民露天焚烧秸秆案"]

    def test_filter_by_outcome_county_and_year(self, client, officer, cases, library, city):
        client.force_login(officer)
        assert result_titles(client.get(library.url, {"outcome": "upheld"})) == [
            "某砂场河道非法采砂案"
        ]
        by_county = result_titles(client.get(library.url, {"county": city["county2"].code}))
        assert by_county == ["某砂场河道非法采砂案"]
        assert result_titles(client.get(library.url, {"year": "2024"})) == [
            "某村村民露天焚烧秸秆案"
        ]

    def test_filter_by_power(self, client, officer, cases, library, powers):
        client.force_login(officer)
        response = client.get(library.url, {"power": powers["straw"].code})
        assert result_titles(response) == ["某村村民露天焚烧秸秆案"]

    def test_a_case_under_a_withdrawn_power_stays_marked_and_can_be_filtered_out(
        self, client, officer, cases, library
    ):
        client.force_login(officer)
        everything = client.get(library.url, {"q": "秸秆"})
        assert result_titles(everything) == ["某村村民露天焚烧秸秆案"]
        [hit] = everything.context["results"].hits
        assert [p.name for p in hit.withdrawn_powers] == ["对露天焚烧秸秆的行政处罚"]
        assert 'class="badge badge--warn"' in everything.text
        held_only = client.get(library.url, {"q": "秸秆", "held": "on"})
        assert result_titles(held_only) == []
        assert "某砂场河道非法采砂案" in result_titles(client.get(library.url, {"held": "on"}))

    def test_search_highlights_the_word_found(self, client, officer, cases, library):
        client.force_login(officer)
        response = client.get(library.url, {"q": "秸秆"})
        assert "<mark>秸秆</mark>" in response.text

    def test_a_search_with_no_result_is_a_helpful_page(self, client, officer, cases, library):
        client.force_login(officer)
        response = client.get(library.url, {"q": "无人机", "field": "water"})
        assert response.status_code == 200
        assert response.context["results"].total == 0
        assert 'class="card case-empty"' in response.text
        assert (
            'href="?q=%E6%97%A0%E4%BA%BA%E6%9C%BA"' in response.text
        )  # the same search, unfiltered

    def test_a_bad_filter_value_is_reported_not_a_crash(self, client, officer, cases, library):
        client.force_login(officer)
        response = client.get(library.url, {"year": "abc", "field": "nope", "page": "x"})
        assert response.status_code == 200
        assert len(result_titles(response)) == 8
        assert response.context["form"].errors

    def test_pages_of_twenty(self, client, officer, library, powers):
        for n in range(23):
            CasePageFactory(parent=library, title=f"采砂案{n}", powers=[powers["sand"]])
        client.force_login(officer)
        second = client.get(library.url, {"q": "采砂", "page": 2})
        assert len(result_titles(second)) == 3
        assert second.context["results"].page.number == 2
        assert second.context["results"].total == 23

    @pytest.mark.parametrize(
        "params", [{}, {"q": "采砂"}, {"q": "采砂", "field": "water", "held": "on"}]
    )
    def test_the_library_runs_a_fixed_number_of_queries(
        self, client, officer, cases, library, params, django_assert_max_num_queries
    ):
        client.force_login(officer)
        client.get(library.url, params)  # warm the site-root cache
        with django_assert_max_num_queries(16):
            response = client.get(library.url, params)
        assert response.status_code == 200


@pytest.mark.django_db
class TestCasePage:
    def test_a_case_page_shows_its_structured_parts(self, client, officer, library, powers):
        case = CasePageFactory(
            parent=library,
            title="某村村民露天焚烧秸秆案",
            powers=[powers["straw"]],
            legal_basis=[
                (
                    "provision",
                    {
                        "law": "《中华人民共和国大气污染防治法》",
                        "article": "第一百一十九条",
                        "quote": "违反本法规定……",
                    },
                )
            ],
            procedure=[
                ("decision", {"date": D(2024, 6, 20), "note": "作出处罚决定"}),
                ("filing", {"date": D(2024, 6, 1), "note": "当日立案"}),
            ],
            evidence=[("item", {"kind": "audiovisual", "description": "无人机巡查照片3张"})],
            lessons=[("point", "禁烧期巡查要同步固定影像证据。")],
        )
        client.force_login(officer)
        response = client.get(case.url)
        text = response.text
        assert "第一百一十九条" in text and "无人机巡查照片3张" in text
        assert text.index("当日立案") < text.index("作出处罚决定")  # the timeline is in order
        assert 'class="message message--warning case-withdrawn"' in text
        assert reverse("cases:case_read", args=[case.pk]) in text  # "I have read it" button

    def test_a_case_page_runs_a_fixed_number_of_queries(
        self, client, officer, cases, django_assert_max_num_queries
    ):
        client.force_login(officer)
        client.get(cases[0].url)
        # 20, and one asking whether the case cites an article a law has changed since.
        with django_assert_max_num_queries(21):
            response = client.get(cases[0].url, {"q": "秸秆"})
        assert "<mark>秸秆</mark>" in response.text
