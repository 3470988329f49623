"""Journey: a township supervisor resets a forgotten password; the officer signs in with the
one-time password, is made to choose a new one, and signs in with it."""

from django.urls import reverse

import pytest

from people.factories import OfficerFactory, StaffFactory
from people.models import PasswordResetEvent, Role

from .conftest import assert_accessible, login

pytestmark = [pytest.mark.journey, pytest.mark.django_db(transaction=True)]


def test_supervisor_resets_a_password_and_the_officer_chooses_a_new_one(
    browser, live_server, desktop, phone, city
):
    supervisor = StaffFactory(
        role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"], full_name="周站长"
    )
    supervisor.set_password("supervisor-pass-2026")
    supervisor.save()
    officer = OfficerFactory(unit=city["township11"], full_name="吴忘密")
    officer.set_password("forgotten-2026")
    officer.save()

    # The supervisor finds the officer on the roster and issues a one-time password.
    login(desktop, supervisor.username, "supervisor-pass-2026")
    desktop.goto(reverse("officer_list"))
    assert_accessible(desktop)
    row = desktop.locator("tbody tr", has_text="吴忘密")
    row.get_by_role("link", name="重置密码").click()
    assert "吴忘密" in desktop.inner_text("main")
    assert_accessible(desktop)
    desktop.get_by_role("button", name="生成一次性密码").click()
    one_time = desktop.get_by_test_id("one-time-password").inner_text().strip()
    assert len(one_time) == 10
    assert_accessible(desktop)

    # The officer signs in on a phone with it and is taken to the change-password form.
    login(phone, officer.username, one_time)
    assert phone.url.endswith(reverse("password_change"))
    assert "一次性密码" in phone.inner_text("main")
    assert_accessible(phone)
    phone.goto(reverse("certification:mine"))
    assert phone.url.endswith(reverse("password_change")), "nothing else opens before the change"
    phone.fill("input[name=old_password]", one_time)
    phone.fill("input[name=new_password1]", "wu-own-pass-2026")
    phone.fill("input[name=new_password2]", "wu-own-pass-2026")
    phone.click("main form button[type=submit]")
    phone.wait_for_load_state()
    assert "密码已修改" in phone.inner_text("body")
    assert_accessible(phone)

    # The new password works from a fresh browser; the one-time password no longer does.
    fresh = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = fresh.new_page()
    login(page, officer.username, one_time)
    assert page.url.endswith(reverse("login"))
    login(page, officer.username, "wu-own-pass-2026")
    assert not page.url.endswith(reverse("login"))
    assert not page.url.endswith(reverse("password_change"))
    fresh.close()
    assert PasswordResetEvent.objects.filter(user=officer, actor=supervisor).count() == 1
