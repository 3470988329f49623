"""Journey: a township supervisor builds a certificate application list and the township
head (一把手) signs it."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

import pytest

from certification.factories import fields_create
from certification.models import Application, ApplicationState
from certification.services import exam_result_record
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]


PASSWORD = "signoff-pass-2026"
LIST_TITLE = "二〇二六年第一批执法证申领名单"


def _staff(role, unit, name):
    user = StaffFactory(role=role, unit=unit, full_name=name)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def township(city):
    fields_create("natural_resources")
    sat_on = timezone.localdate() - datetime.timedelta(days=30)
    eligible = OfficerFactory(unit=city["township11"], full_name="周合格")
    exam_result_record(officer=eligible, kind="general_law", score=82, sat_on=sat_on)
    exam_result_record(
        officer=eligible, kind="specialised", score=75, sat_on=sat_on, field="natural_resources"
    )
    # Contract staff are never eligible, whatever their exams.
    contract = OfficerFactory(unit=city["township11"], full_name="吴合同", established=False)
    exam_result_record(officer=contract, kind="general_law", score=90, sat_on=sat_on)
    return {
        "unit": city["township11"],
        "eligible": eligible,
        "contract": contract,
        "supervisor": _staff(Role.TOWNSHIP_SUPERVISOR, city["township11"], "镇监督办陈主任"),
        "head": _staff(Role.TOWNSHIP_HEAD, city["township11"], "镇长郑一把"),
    }


def test_township_builds_an_application_list_and_the_head_signs_it(desktop, township):
    page = desktop

    # The supervisor starts a list and puts the eligible officer on it.
    login(page, township["supervisor"].username, PASSWORD)
    page.goto(reverse("certification:applications"))
    assert_accessible(page)
    page.select_option("#unit", township["unit"].code)
    page.fill("input[name=title]", LIST_TITLE)
    page.click("form[action$='/applications/new/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/certificate/applications/\d+/$"))
    assert_accessible(page)
    assert page.inner_text("h1") == LIST_TITLE

    contract = page.locator("section[aria-labelledby=candidates-heading] tr", has_text="吴合同")
    assert contract.get_attribute("data-eligible") == "no"
    assert contract.locator("[data-lack=not_established]").count() == 1
    assert contract.locator("button").count() == 0

    eligible = page.locator("section[aria-labelledby=candidates-heading] tr", has_text="周合格")
    assert eligible.get_attribute("data-eligible") == "yes"
    eligible.locator("button[type=submit]").click()
    page.wait_for_load_state()
    applicant = page.locator("section[aria-labelledby=applicants-heading] tbody tr")
    assert applicant.count() == 1
    assert "周合格" in applicant.inner_text()
    assert applicant.get_attribute("data-decision") == "pending"
    assert "自然资源" in applicant.inner_text()  # the field by name, never its code
    # Signing is the head's step, not the supervisor's.
    assert page.locator("input[name=action][value=sign]").count() == 0

    # The township head finds the list and signs it.
    page.context.clear_cookies()
    login(page, township["head"].username, PASSWORD)
    page.goto(reverse("certification:applications"))
    assert_accessible(page)
    page.click(f"main a:has-text('{LIST_TITLE}')")
    page.wait_for_url(re.compile(r"/certificate/applications/\d+/$"))
    assert page.locator("[data-state]").get_attribute("data-state") == "draft"
    page.click("form:has(input[name=action][value=sign]) button[type=submit]")
    page.wait_for_load_state()
    assert_accessible(page)

    assert page.locator("[data-state]").get_attribute("data-state") == "signed"
    assert page.locator("input[name=action][value=sign]").count() == 0
    steps = page.inner_text("section[aria-labelledby=steps-heading]")
    assert "镇长郑一把" in steps and "镇监督办陈主任" in steps
    assert Application.objects.get(title=LIST_TITLE).state == ApplicationState.SIGNED
