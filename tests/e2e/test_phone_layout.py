"""On a phone (375×812): a one-row header, tables read as lists, and a township's powers
page folded by field instead of many screens long."""

import datetime

import pytest

from courses.factories import LectureFactory
from courses.services import lecture_signup
from people.factories import OfficerFactory
from powers.factories import EnforcementFieldFactory, PowerFactory, PowerListFactory

from .conftest import _new_page, assert_accessible, login

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]

PASSWORD = "phone-pass-2026"
SMALL_PHONE = {"width": 375, "height": 812}


@pytest.fixture
def small_phone(browser, request, live_server):
    yield from _new_page(browser, request, live_server, SMALL_PHONE)


@pytest.fixture
def officer(city):
    officer = OfficerFactory(unit=city["township11"], full_name="张执法")
    officer.set_password(PASSWORD)
    officer.save()
    return officer


def _height(page, selector: str) -> float:
    return page.locator(selector).first.bounding_box()["height"]


def test_the_header_is_one_compact_row_and_the_lecture_table_a_list(small_phone, officer, city):
    lecture = LectureFactory(county=city["county1"], capacity=1)
    lecture_signup(officer=OfficerFactory(unit=city["township12"]), lecture=lecture)
    lecture_signup(officer=officer, lecture=lecture)  # full: on the waiting list

    login(small_phone, officer.username, PASSWORD)
    assert _height(small_phone, ".site-header") < 80
    # Every link is still there (the row scrolls sideways), and the page itself does not.
    assert small_phone.locator(".site-nav a").count() >= 5
    assert small_phone.evaluate("document.documentElement.scrollWidth") <= 375

    small_phone.goto("/training/lectures/")
    assert_accessible(small_phone)
    assert _height(small_phone, ".site-header") < 80
    status = small_phone.locator("[data-my-status]").first
    box = status.bounding_box()
    assert box["width"] > 200  # a line of the list, not a column one character wide
    assert "候补" in status.inner_text()
    # Each cell is named by its column (the header row is for screen readers only).
    assert small_phone.locator("td[data-label]").first.evaluate(
        "cell => getComputedStyle(cell, '::before').content"
    ) not in ("none", "normal", "")
    assert small_phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_townships_powers_page_is_folded_by_field(small_phone, city):
    powers = []
    for f in range(8):
        field = EnforcementFieldFactory(code=f"field{f}", name=f"执法领域{f}")
        powers += [
            PowerFactory(
                field=field,
                name=f"对在河道管理范围内从事影响河势稳定活动的违法行为{f}-{p}的行政处罚",
                legal_basis_law="《中华人民共和国河道管理条例》",
                legal_basis_article="第二十四条、第四十四条",
            )
            for p in range(15)
        ]
    PowerListFactory(issuer=city["city"], powers=powers, effective_from=datetime.date(2023, 6, 1))

    small_phone.goto(f"/powers/units/{city['township11'].code}/")
    assert_accessible(small_phone)
    height = small_phone.evaluate("document.documentElement.scrollHeight")
    assert height < 5000
    assert small_phone.locator("details.power-group").count() == 8

    # Opened, a field's powers read as a list; opened all at once, the page is as long
    # as it used to be: the fold is what keeps it short.
    small_phone.locator("details.power-group summary").first.click()
    first = small_phone.locator("details.power-group").first
    assert first.locator("td[data-label]").first.is_visible()
    small_phone.evaluate(
        "document.querySelectorAll('details.power-group').forEach(d => d.open = true)"
    )
    assert small_phone.evaluate("document.documentElement.scrollHeight") > 10000
    assert small_phone.evaluate("document.documentElement.scrollWidth") <= 375
