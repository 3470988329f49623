"""Password help: one-time passwords from a supervisor or bureau, forced change, reset by email."""

import re

from django.core import mail
from django.urls import reverse

import pytest

from people.factories import OfficerFactory, StaffFactory
from people.models import PasswordResetEvent, PasswordResetMethod, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(city):
    officer = OfficerFactory(unit=city["township11"], full_name="李忘记")
    officer.set_password("old-pass-2026")
    officer.save()
    staff = {
        Role.CITY_ADMIN: StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]),
        Role.JUSTICE_BUREAU: StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]),
        Role.TOWNSHIP_SUPERVISOR: StaffFactory(
            role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"]
        ),
        Role.TOWNSHIP_HEAD: StaffFactory(role=Role.TOWNSHIP_HEAD, unit=city["township11"]),
        "other_bureau": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau2"]),
        "other_supervisor": StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township12"]),
        Role.TRAINER: StaffFactory(role=Role.TRAINER, unit=city["department1"]),
        Role.HOST: StaffFactory(role=Role.HOST, unit=city["department1"]),
        Role.OFFICER: OfficerFactory(unit=city["township11"]),
    }
    return officer, staff


ALLOWED = [Role.CITY_ADMIN, Role.JUSTICE_BUREAU, Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_HEAD]
REFUSED = ["other_bureau", "other_supervisor", Role.TRAINER, Role.HOST, Role.OFFICER]


@pytest.mark.parametrize("role", ALLOWED)
def test_a_supervisor_or_bureau_of_the_area_issues_a_one_time_password(client, area, role):
    officer, staff = area
    client.force_login(staff[role])
    url = reverse("officer_password_reset", args=[officer.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    officer.refresh_from_db()
    assert officer.check_password("old-pass-2026"), "a GET must change nothing"

    response = client.post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(r'data-testid="one-time-password"><code>(\w+)</code>', response.text)[1]
    officer.refresh_from_db()
    assert officer.check_password(password)
    assert not officer.check_password("old-pass-2026")
    assert officer.must_change_password
    event = PasswordResetEvent.objects.get(user=officer)
    assert (event.actor, event.method) == (staff[role], PasswordResetMethod.ONE_TIME)


@pytest.mark.parametrize("role", REFUSED)
def test_anyone_else_cannot_reset_the_password_and_nothing_changes(client, area, role):
    officer, staff = area
    client.force_login(staff[role])
    url = reverse("officer_password_reset", args=[officer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    officer.refresh_from_db()
    assert officer.check_password("old-pass-2026")
    assert not officer.must_change_password
    assert not PasswordResetEvent.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, area):
    officer, _staff = area
    response = client.post(reverse("officer_password_reset", args=[officer.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    officer.refresh_from_db()
    assert officer.check_password("old-pass-2026")


def test_a_supervisor_cannot_reset_their_own_password_this_way(client, area):
    _officer, staff = area
    supervisor = staff[Role.TOWNSHIP_SUPERVISOR]
    client.force_login(supervisor)
    url = reverse("officer_password_reset", args=[supervisor.pk])
    assert client.post(url).status_code == 404


def test_the_roster_offers_the_reset_only_to_those_who_may(client, area):
    officer, staff = area
    link = reverse("officer_password_reset", args=[officer.pk])
    client.force_login(staff[Role.TOWNSHIP_SUPERVISOR])
    assert link in client.get(reverse("officer_list")).text
    client.force_login(staff[Role.TRAINER])
    roster = client.get(reverse("officer_list"))
    assert roster.status_code == 200
    assert link not in roster.text


def test_the_officer_must_change_the_one_time_password_before_anything_else(client, area):
    officer, staff = area
    client.force_login(staff[Role.TOWNSHIP_SUPERVISOR])
    response = client.post(reverse("officer_password_reset", args=[officer.pk]))
    one_time = re.search(r'data-testid="one-time-password"><code>(\w+)</code>', response.text)[1]
    client.logout()

    assert (
        client.post(
            reverse("login"), {"username": officer.username, "password": one_time}
        ).status_code
        == 302
    )
    for path in (reverse("home"), reverse("officer_list"), "/admin/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {
            "old_password": one_time,
            "new_password1": "my-own-pass-2026",
            "new_password2": "my-own-pass-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    officer.refresh_from_db()
    assert not officer.must_change_password
    client.logout()
    assert (
        client.post(
            reverse("login"), {"username": officer.username, "password": "my-own-pass-2026"}
        ).status_code
        == 302
    )
    assert client.get(reverse("home")).status_code == 200
    methods = list(
        PasswordResetEvent.objects.filter(user=officer)
        .order_by("at", "pk")
        .values_list("method", "actor")
    )
    assert methods == [
        (PasswordResetMethod.ONE_TIME, staff[Role.TOWNSHIP_SUPERVISOR].pk),
        (PasswordResetMethod.CHANGED, officer.pk),
    ]


def test_a_wrong_current_password_is_a_message_not_a_change(client, area):
    officer, _staff = area
    client.force_login(officer)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x-new-2026!", "new_password2": "x-new-2026!"},
    )
    assert response.status_code == 200
    assert "form-errors" in response.text or "errorlist" in response.text
    officer.refresh_from_db()
    assert officer.check_password("old-pass-2026")


def test_an_officer_with_email_resets_by_link(client, area):
    officer, _staff = area
    officer.email = "li@example.org"
    officer.save()
    response = client.post(reverse("password_reset"), {"email": "li@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/)", mail.outbox[0].body)[1]
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "by-link-2026!", "new_password2": "by-link-2026!"},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("by-link-2026!")
    assert PasswordResetEvent.objects.filter(
        user=officer, method=PasswordResetMethod.EMAIL
    ).exists()


def test_an_unknown_email_gets_the_same_answer_and_no_mail(client, area):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []
