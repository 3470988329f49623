"""Journey: an officer suspended for last year's hours shortfall, who has made the hours up,
asks for reinstatement on a phone; the county justice bureau approves it on a desktop; the
officer sees a valid certificate and the decision."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from certification.factories import certificate, fields_create, hours_add
from certification.models import CredentialEvent, ReinstatementRequest
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]

D = datetime.date


def test_suspended_officer_requests_reinstatement_and_the_bureau_approves(
    live_server, desktop, phone, city
):
    fields_create()
    today = timezone.localdate()
    bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"], full_name="司法局 王芳")
    bureau.set_password("bureau-pass-2026")
    bureau.save()
    officer = OfficerFactory(unit=city["township11"], full_name="补学 刘")
    officer.set_password("officer-pass-2026")
    officer.save()
    certificate(officer, issued_on=D(today.year - 2, 1, 1))
    hours_add(officer, 60, on=D(today.year - 2, 6, 1))
    hours_add(officer, 39, on=D(today.year - 1, 6, 1))  # 21 hours short: suspended
    hours_add(officer, 55, on=max(D(today.year, 1, 1), today - datetime.timedelta(days=3)))

    # The officer sees the suspension and, since the hours are made up, the request form.
    login(phone, officer.username, "officer-pass-2026")
    phone.goto(reverse("certification:mine"))
    assert phone.locator("[data-status=suspended]").count() == 1
    assert_accessible(phone)
    phone.fill("#reinstatement-note", "已补学 55 学时")
    phone.click("#reinstatement form button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator("[data-reinstatement=pending]").count() == 1
    assert phone.locator("#reinstatement form").count() == 0, "one pending request at a time"
    assert_accessible(phone)

    # The bureau finds the request in its county's list and approves it.
    login(desktop, bureau.username, "bureau-pass-2026")
    desktop.goto(reverse("certification:reinstatement_requests"))
    assert_accessible(desktop)
    row = desktop.locator(f"tr[data-officer={officer.username}]")
    assert "已补学 55 学时" in row.inner_text()
    row.locator("button[name=only]").click()
    desktop.wait_for_load_state()
    assert desktop.locator(f"tr[data-officer={officer.username}]").count() == 0
    assert "补学 刘" in desktop.inner_text("main")  # now among the recent decisions
    assert_accessible(desktop)

    # The officer's certificate is valid again, and the page says the request was approved.
    phone.goto(reverse("certification:mine"))
    assert phone.locator("[data-status=valid]").count() == 1
    assert phone.locator("[data-reinstatement=approved]").count() == 1
    assert_accessible(phone)

    assert ReinstatementRequest.objects.get(officer=officer).decided_by == bureau
    event = CredentialEvent.objects.get(credential__officer=officer, kind="reinstatement")
    assert event.actor == bureau
