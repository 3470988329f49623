"""Pages of the people app: home by role, the scoped roster (role × view matrix), login and lockout."""

import logging

from django.urls import reverse

import pytest

from people.factories import OfficerFactory, StaffFactory
from people.models import Role, User


@pytest.fixture
def people(city):
    officers = {
        key: OfficerFactory(unit=city[key], full_name=f"执法员{key}")
        for key in ("township11", "township12", "township21", "township22", "subdistrict1")
    }
    staff = {
        Role.CITY_ADMIN: StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]),
        Role.JUSTICE_BUREAU: StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]),
        Role.TRAINER: StaffFactory(role=Role.TRAINER, unit=city["department1"]),
        Role.TOWNSHIP_SUPERVISOR: StaffFactory(
            role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"]
        ),
        Role.TOWNSHIP_HEAD: StaffFactory(role=Role.TOWNSHIP_HEAD, unit=city["township11"]),
        Role.HOST: StaffFactory(role=Role.HOST, unit=city["department1"]),
        Role.OFFICER: officers["township11"],
    }
    return officers, staff


# role → the officers (by township key) its roster must show; None: the roster is refused.
ROSTER_SCOPE = {
    Role.CITY_ADMIN: {"township11", "township12", "township21", "township22", "subdistrict1"},
    Role.JUSTICE_BUREAU: {"township11", "township12", "subdistrict1"},
    Role.TRAINER: {"township11", "township12", "subdistrict1"},
    Role.TOWNSHIP_SUPERVISOR: {"township11"},
    Role.TOWNSHIP_HEAD: {"township11"},
    Role.HOST: None,
    Role.OFFICER: None,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROSTER_SCOPE))
def test_roster_shows_only_officers_in_scope(client, people, role):
    officers, staff = people
    client.force_login(staff[role])
    response = client.get(reverse("officer_list"))
    expected = ROSTER_SCOPE[role]
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    shown = {officer.pk for officer in response.context["page"]}
    assert shown == {officers[key].pk for key in expected}
    for key, officer in officers.items():
        assert (officer.full_name in response.content.decode()) == (key in expected)


@pytest.mark.django_db
def test_roster_unit_filter_cannot_reach_outside_scope(client, people, city):
    officers, staff = people
    client.force_login(staff[Role.TOWNSHIP_SUPERVISOR])
    response = client.get(reverse("officer_list"), {"unit": city["township21"].code})
    assert officers["township21"].full_name not in response.content.decode()


@pytest.mark.django_db
def test_roster_masks_identity_numbers(client, people):
    officers, staff = people
    officer = officers["township11"]
    officer.id_number = "410922199001011234"
    officer.save()
    client.force_login(staff[Role.TOWNSHIP_SUPERVISOR])
    body = client.get(reverse("officer_list")).content.decode()
    assert "410922199001011234" not in body
    assert "410***********1234" in body


@pytest.mark.django_db
def test_roster_query_count_is_fixed(client, people, django_assert_max_num_queries):
    _officers, staff = people
    client.force_login(staff[Role.CITY_ADMIN])
    with django_assert_max_num_queries(11):
        response = client.get(reverse("officer_list"))
    assert response.status_code == 200


@pytest.mark.django_db
class TestHome:
    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]

    def test_officer_home_collects_the_panels_other_apps_register(self, client, people):
        _officers, staff = people
        client.force_login(staff[Role.OFFICER])
        response = client.get(reverse("home"))
        body = response.content.decode()
        assert "执法员township11" in body
        orders = [panel.get("order", 100) for panel in response.context["panels"]]
        assert orders == sorted(orders)
        assert response.context["panels"], "an officer's home shows at least one panel"
        assert "no-store" in response["Cache-Control"]

    def test_supervisor_sees_the_size_of_their_area(self, client, people):
        _officers, staff = people
        client.force_login(staff[Role.JUSTICE_BUREAU])
        response = client.get(reverse("home"))
        panel = next(p for p in response.context["panels"] if "officer_count" in p["context"])
        assert panel["context"]["officer_count"] == 3

    def test_home_query_count_does_not_grow_with_officers(self, client, people, city):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        _officers, staff = people
        client.force_login(staff[Role.CITY_ADMIN])
        client.get(reverse("home"))  # warm caches (content types, site settings)
        with CaptureQueriesContext(connection) as before:
            assert client.get(reverse("home")).status_code == 200
        for index in range(10):
            OfficerFactory(unit=city["township21"], full_name=f"新增{index}")
        with CaptureQueriesContext(connection) as after:
            assert client.get(reverse("home")).status_code == 200
        assert len(after) == len(before)
        assert len(before) <= 20


@pytest.mark.django_db
class TestLogin:
    def test_login_page_is_chinese(self, client):
        body = client.get(reverse("login")).content.decode()
        assert "登录" in body
        assert 'lang="zh-hans"' in body

    def test_english_can_be_selected(self, client):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = client.get(reverse("login")).content.decode()
        assert "Log in" in body

    def test_good_password_logs_in(self, client, city):
        user = User.objects.create(username="u1", full_name="甲")
        user.set_password("a-long-password-1")
        user.save()
        response = client.post(
            reverse("login"), {"username": "u1", "password": "a-long-password-1"}
        )
        assert response.status_code == 302
        assert client.get(reverse("home")).status_code == 200

    def test_five_failures_lock_the_account_and_the_lock_is_logged(self, client, caplog):
        user = User.objects.create(username="victim", full_name="甲")
        user.set_password("right-password-1")
        user.save()
        with caplog.at_level(logging.WARNING, logger="people.security"):
            for _ in range(5):
                client.post(reverse("login"), {"username": "victim", "password": "wrong"})
            response = client.post(
                reverse("login"), {"username": "victim", "password": "right-password-1"}
            )
        assert response.status_code == 429
        assert "锁定" in response.content.decode()
        assert "victim" in caplog.text
        assert client.get(reverse("home")).status_code == 302

    def test_wagtail_admin_login_page_is_served(self, client):
        response = client.get("/admin/login/")
        assert response.status_code == 200


@pytest.mark.django_db
class TestAdminAccess:
    @pytest.mark.parametrize(
        ("role", "allowed"),
        [
            (Role.CITY_ADMIN, True),
            (Role.TRAINER, True),
            (Role.JUSTICE_BUREAU, True),
            (Role.TOWNSHIP_SUPERVISOR, False),
            (Role.HOST, False),
            (Role.OFFICER, False),
        ],
    )
    def test_wagtail_admin_by_role(self, client, people, role, allowed):
        _officers, staff = people
        client.force_login(staff[role])
        response = client.get("/admin/")
        assert (response.status_code == 200) is allowed

    def test_django_admin_is_for_superusers_only(self, client, people):
        _officers, staff = people
        client.force_login(staff[Role.CITY_ADMIN])
        assert client.get("/django-admin/").status_code == 302
        superuser = User.objects.create(username="root", is_superuser=True, is_staff=True)
        client.force_login(superuser)
        assert client.get("/django-admin/").status_code == 200

    def test_officer_import_screen(self, client, people, city):
        _officers, staff = people
        client.force_login(staff[Role.TRAINER])
        refused = client.get(reverse("people_officer_import"))
        assert refused.status_code in (302, 403)
        assert "report" not in (refused.context or {})
        client.force_login(staff[Role.JUSTICE_BUREAU])
        upload = (
            "工号,姓名,单位编码\nX1,新人甲,{}\nX2,新人乙,{}\n".format(
                city["township11"].code, city["township21"].code
            )
        ).encode()
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(
            reverse("people_officer_import"),
            {"file": SimpleUploadedFile("roster.csv", upload, content_type="text/csv")},
        )
        assert response.status_code == 200
        report = response.context["report"]
        assert [p.row for p in report.problems] == [3]
        assert not User.objects.filter(employee_number__in=["X1", "X2"]).exists()
