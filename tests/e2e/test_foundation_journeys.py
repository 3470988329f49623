"""Journeys through the foundation: signing in on a phone, the home page, language, public powers."""

import datetime
import re

import pytest

from people.factories import OfficerFactory
from powers.factories import EnforcementFieldFactory, PowerFactory, PowerListFactory

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]

PASSWORD = "phone-pass-2026"


@pytest.fixture
def officer(city):
    officer = OfficerFactory(unit=city["township11"], full_name="张执法")
    officer.set_password(PASSWORD)
    officer.save()
    return officer


def test_officer_signs_in_on_a_phone_and_sees_the_chinese_home(phone, officer):
    login(phone, officer.username, PASSWORD)
    assert phone.url.endswith("/")
    assert "张执法" in phone.inner_text("main")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    # Nothing overflows sideways on a phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_wrong_password_gets_a_clear_message_not_an_error(phone, officer):
    login(phone, officer.username, "wrong-password")
    assert "/accounts/login/" in phone.url
    assert phone.locator("[role=alert]").count() == 1


def test_language_can_be_switched_to_english(phone, officer):
    login(phone, officer.username, PASSWORD)
    phone.select_option("#language-select", "en")
    phone.click(".language-form button[type=submit]")
    phone.wait_for_load_state()
    assert_accessible(phone)
    assert phone.locator("html").get_attribute("lang") == "en"


def test_public_powers_page_by_township(phone, city):
    field = EnforcementFieldFactory(code="fire", name="消防救援")
    power = PowerFactory(field=field, name="对堵塞消防车通道的行政处罚")
    PowerListFactory(issuer=city["city"], powers=[power], effective_from=datetime.date(2023, 6, 1))
    phone.goto("/powers/")
    assert_accessible(phone)
    phone.click(f"text={city['township11'].name}")
    phone.wait_for_url(re.compile(r"/powers/units/"))
    assert_accessible(phone)
    assert "对堵塞消防车通道的行政处罚" in phone.inner_text("main")


@pytest.mark.parametrize("path", ["/accounts/login/", "/powers/"])
def test_public_pages_have_no_serious_accessibility_violations(phone, city, path):
    phone.goto(path)
    assert_accessible(phone)


def test_home_has_no_serious_accessibility_violations(phone, officer):
    login(phone, officer.username, PASSWORD)
    assert_accessible(phone)
