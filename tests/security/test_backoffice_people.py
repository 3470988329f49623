"""Back-office findings about people: the officer import, county groups after new units, the
Wagtail user admin, and sign-in lockouts (findings 2, 5, 7 and 10 of the demo-site probe)."""

import io
import types

from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

import pytest

import courses.hooks_training  # noqa: F401  (connects the role_assigned receiver)
import people.ratelimit
from people.factories import OfficerFactory, StaffFactory, UnitFactory
from people.models import OfficerImport, OrgUnit, Role, RoleAssignment, UnitKind, User
from people.selectors import unit_county

# --- Finding 2: the officer import moves only officers of the importer's area -------------


def _roster(*rows: tuple[str, ...]) -> bytes:
    header = "工号,姓名,单位编码,用工性质,执法岗位"
    return "\n".join([header, *(",".join(row) for row in rows)]).encode() + b"\n"


def _upload(client, data: bytes, name: str = "roster.csv"):
    return client.post(
        reverse("people_officer_import"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv")},
    )


@pytest.fixture
def import_world(city):
    return {
        "bureau1": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]),
        "ours": OfficerFactory(
            unit=city["township11"], full_name="本县甲", employee_number="PY00001"
        ),
        "theirs": OfficerFactory(
            unit=city["township21"], full_name="邻县乙", employee_number="PY00900"
        ),
    }


def _as_stored(user: User) -> tuple:
    user.refresh_from_db()
    role_units = tuple(user.roles.filter(role=Role.OFFICER).values_list("unit_id", flat=True))
    return (user.unit_id, user.full_name, user.employment, user.enforcement_post, role_units)


@pytest.mark.django_db
class TestOfficerImportScope:
    def test_another_countys_employee_number_is_refused_and_nothing_is_saved(
        self, client, city, import_world, english
    ):
        theirs = import_world["theirs"]
        before = _as_stored(theirs)
        client.force_login(import_world["bureau1"])
        response = _upload(
            client,
            _roster(
                ("PY00777", "新人丙", city["township12"].code, "在编", "是"),
                ("PY00900", "改名", city["township11"].code, "合同", "否"),
            ),
        )
        assert response.status_code == 200
        report = response.context["report"]
        assert [(p.row, p.message) for p in report.problems] == [
            (3, "this employee number belongs to an officer outside your area")
        ]
        assert _as_stored(theirs) == before
        assert not User.objects.filter(employee_number="PY00777").exists()
        assert not OfficerImport.objects.exists()

    def test_a_saved_import_records_who_did_it_and_whom_it_touched(
        self, client, city, import_world
    ):
        bureau1, ours = import_world["bureau1"], import_world["ours"]
        client.force_login(bureau1)
        roster = _roster(
            ("PY00001", "本县甲", city["township12"].code, "在编", "是"),
            ("PY00777", "新人丙", city["subdistrict1"].code, "在编", "是"),
        )
        response = _upload(client, roster, name="二月名册.csv")
        report = response.context["report"]
        assert report.ok, report.problems
        record = OfficerImport.objects.get()
        assert (record.actor, record.filename) == (bureau1, "二月名册.csv")
        assert (record.created, record.updated, record.unchanged) == (1, 1, 0)
        newcomer = User.objects.get(employee_number="PY00777")
        assert set(record.officers.all()) == {ours, newcomer}
        moved = RoleAssignment.objects.get(user=ours, role=Role.OFFICER)
        assert (moved.unit, moved.granted_by) == (city["township12"], bureau1)
        assert RoleAssignment.objects.get(user=newcomer, role=Role.OFFICER).granted_by == bureau1

        again = _upload(client, roster, name="二月名册.csv").context["report"]
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        assert OfficerImport.objects.count() == 1  # a run that changes nothing leaves no trace

    def test_the_command_runs_as_the_system_across_the_city(self, city, import_world, tmp_path):
        roster = tmp_path / "city.csv"
        roster.write_bytes(_roster(("PY00900", "邻县乙", city["township11"].code, "在编", "是")))
        call_command("import_officers", str(roster), stdout=io.StringIO())
        theirs = import_world["theirs"]
        theirs.refresh_from_db()
        assert theirs.unit == city["township11"]
        record = OfficerImport.objects.get()
        assert record.actor is None
        assert list(record.officers.all()) == [theirs]

    def test_a_dry_run_records_nothing(self, client, city, import_world):
        client.force_login(import_world["bureau1"])
        response = client.post(
            reverse("people_officer_import"),
            {
                "file": SimpleUploadedFile(
                    "r.csv", _roster(("PY00778", "新人丁", city["township11"].code))
                ),
                "dry_run": "on",
            },
        )
        assert response.context["report"].created == 1
        assert not OfficerImport.objects.exists()
        assert not User.objects.filter(employee_number="PY00778").exists()


# --- Finding 5: adding a unit never moves another; county groups follow roles exactly ----


def _county_groups(user: User) -> set[str]:
    return set(user.groups.filter(name__startswith="county:").values_list("name", flat=True))


@pytest.fixture
def late_county(db):
    """County "B" with its units, then county "A" created after it (A sorts first by code)."""
    city = UnitFactory(name="市", kind=UnitKind.CITY, code="C")
    b = UnitFactory(name="乙县", kind=UnitKind.COUNTY, parent=city, code="B")
    units = {
        "city": city,
        "b": b,
        "b_township": UnitFactory(name="乙镇", kind=UnitKind.TOWNSHIP, parent=b, code="B-T1"),
        "b_department": UnitFactory(
            name="乙县自然资源局", kind=UnitKind.DEPARTMENT, parent=b, code="B-ZRJ"
        ),
        "b_bureau": UnitFactory(
            name="乙县司法局", kind=UnitKind.JUSTICE_BUREAU, parent=b, code="B-SFJ"
        ),
    }
    paths = dict(OrgUnit.objects.values_list("code", "path"))
    units["a"] = UnitFactory(name="甲县", kind=UnitKind.COUNTY, parent=city, code="A")
    units["a_township"] = UnitFactory(
        name="甲镇", kind=UnitKind.TOWNSHIP, parent=units["a"], code="A-T1"
    )
    UnitFactory(name="乙县法院", kind=UnitKind.COURT, parent=b, code="B-AAA")
    return units, paths


@pytest.mark.django_db
class TestCountyGroups:
    def test_adding_units_out_of_code_order_moves_no_existing_unit(self, late_county):
        _units, paths_before = late_county
        paths_now = dict(OrgUnit.objects.values_list("code", "path"))
        assert {code: paths_now[code] for code in paths_before} == paths_before

    def test_staff_of_the_earlier_county_join_only_its_groups(self, late_county):
        units, _paths = late_county
        # The unit objects were loaded before county A was added, as in `seed_demo`.
        trainer = StaffFactory(role=Role.TRAINER, unit=units["b_department"])
        bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=units["b_bureau"])
        assert _county_groups(trainer) == {"county:B:trainers"}
        assert _county_groups(bureau) == {"county:B:reviewers"}

    def test_the_county_of_a_unit_is_read_from_the_database(self, city):
        stale = OrgUnit.objects.get(pk=city["township11"].pk)
        stale.path = city["township21"].path  # as an object held while the tree changed
        assert unit_county(stale) == city["county1"]

    def test_seeded_staff_are_only_in_their_own_countys_groups(self, db):
        from people import demo

        units = demo.seed_org_tree()
        demo.seed_staff(units)
        expected = {
            "trainer_py": {"county:PY-PY:trainers"},
            "trainer_qf": {"county:PY-QF:trainers"},
            "py_sfj": {"county:PY-PY:reviewers"},
            "qf_sfj": {"county:PY-QF:reviewers"},
        }
        for username, groups in expected.items():
            assert _county_groups(User.objects.get(username=username)) == groups, username
        in_county_groups = User.objects.filter(groups__name__startswith="county:").distinct()
        assert set(in_county_groups.values_list("username", flat=True)) == set(expected)

    def test_seeding_repairs_memberships_that_went_wrong(self, city):
        from courses.factories import training_index
        from courses.services import county_section_ensure

        trainer = StaffFactory(role=Role.TRAINER, unit=city["department1"])
        bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau2"])
        county1, county2 = city["county1"].code, city["county2"].code
        for name in (f"county:{county2}:trainers", f"county:{county1}:reviewers"):
            group, _created = Group.objects.get_or_create(name=name)
            trainer.groups.add(group)
            bureau.groups.add(group)
        unrelated, _created = Group.objects.get_or_create(name="editors")
        trainer.groups.add(unrelated)

        # What `seed_demo` runs for every county (courses.demo.seed_training).
        index = training_index()
        for county in (city["county1"], city["county2"]):
            county_section_ensure(county=county, index=index)

        assert _county_groups(trainer) == {f"county:{county1}:trainers"}
        assert _county_groups(bureau) == {f"county:{county2}:reviewers"}
        assert trainer.groups.filter(name="editors").exists()


# --- Finding 7: the Wagtail user admin shows and opens only users of one's area ----------


@pytest.fixture
def admin_world(city):
    return {
        "bureau1": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"], username="sfj1"),
        "officer11": OfficerFactory(unit=city["township11"], username="zhifa11"),
        "trainer1": StaffFactory(role=Role.TRAINER, unit=city["department1"], username="jiang1"),
        "officer21": OfficerFactory(unit=city["township21"], username="zhifa21"),
        "bureau2": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau2"], username="sfj2"),
        "trainer2": StaffFactory(role=Role.TRAINER, unit=city["department2"], username="jiang2"),
    }


COUNTY2_USERS = ("officer21", "bureau2", "trainer2")


def _grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="people", codename__in=codenames)
    )
    return User.objects.get(pk=user.pk)  # a fresh object: permissions are cached per object


@pytest.mark.django_db
class TestUserAdminScope:
    @pytest.mark.parametrize("url_name", ["index", "index_results"])
    @pytest.mark.parametrize("query", [{}, {"q": "zhifa"}])
    def test_a_county_bureau_lists_only_users_of_its_county(
        self, client, admin_world, url_name, query
    ):
        client.force_login(admin_world["bureau1"])
        response = client.get(reverse(f"wagtailusers_users:{url_name}"), query)
        assert response.status_code == 200
        body = response.content.decode()
        assert "zhifa11" in body
        for key in COUNTY2_USERS:
            assert admin_world[key].username not in body

    def test_the_city_administrator_lists_the_whole_city(self, client, city, admin_world):
        client.force_login(StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]))
        body = client.get(reverse("wagtailusers_users:index")).content.decode()
        assert all(user.username in body for user in admin_world.values())

    def test_another_countys_user_cannot_be_opened_or_changed(self, client, admin_world):
        bureau1 = _grant(admin_world["bureau1"], "change_user", "delete_user")
        target = admin_world["officer21"]
        client.force_login(bureau1)
        edit = reverse("wagtailusers_users:edit", args=[target.pk])
        assert client.get(edit).status_code == 404
        response = client.post(
            edit,
            {
                "username": "taken_over",
                "email": "x@example.org",
                "first_name": "x",
                "last_name": "y",
                "is_active": "",
            },
        )
        assert response.status_code == 404
        for name in ("delete", "history", "usage"):
            url = reverse(f"wagtailusers_users:{name}", args=[target.pk])
            assert client.get(url).status_code == 404, name
        assert (
            client.post(reverse("wagtailusers_users:delete", args=[target.pk])).status_code == 404
        )
        target.refresh_from_db()
        assert (target.username, target.is_active) == ("zhifa21", True)

    def test_a_user_of_ones_own_county_opens_as_before(self, client, admin_world):
        bureau1 = _grant(admin_world["bureau1"], "change_user")
        client.force_login(bureau1)
        own = admin_world["officer11"]
        assert client.get(reverse("wagtailusers_users:edit", args=[own.pk])).status_code == 200

    def test_without_the_change_permission_no_user_can_be_edited(self, client, admin_world):
        client.force_login(admin_world["bureau1"])
        for key in ("officer11", "officer21"):
            response = client.get(reverse("wagtailusers_users:edit", args=[admin_world[key].pk]))
            # Wagtail answers a missing permission by sending the user to the dashboard.
            assert response.status_code in (302, 403, 404)
            assert response.status_code != 302 or response.url == reverse("wagtailadmin_home")


# --- Finding 10: nobody elsewhere can lock an officer out; guessing stays limited ---------

ADDRESS_A = "203.0.113.7"
ADDRESS_B = "198.51.100.20"
PASSWORD = "a-long-password-7"


@pytest.fixture
def one_window(monkeypatch):
    """The address counter's clock stands still, so no test straddles two of its windows."""
    monkeypatch.setattr(people.ratelimit, "time", types.SimpleNamespace(time=lambda: 1.8e9))


@pytest.fixture
def officer(city):
    user = OfficerFactory(unit=city["township11"], username="officer0042")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username: str, password: str, address: str, path: str = ""):
    client.logout()
    return client.post(
        path or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.mark.django_db
@pytest.mark.usefixtures("one_window")
class TestSignInLimits:
    def test_failures_from_one_address_do_not_lock_the_officer_elsewhere(self, client, officer):
        for _ in range(5):
            _login(client, "officer0042", "wrong", ADDRESS_A)
        assert _signed_in(_login(client, "officer0042", PASSWORD, ADDRESS_B))

    def test_five_failures_lock_the_officer_from_that_address(self, client, officer):
        for _ in range(5):
            _login(client, "officer0042", "wrong", ADDRESS_A)
        response = _login(client, "officer0042", PASSWORD, ADDRESS_A)
        assert response.status_code == 429
        assert "锁定" in response.content.decode()

    def test_an_address_failing_across_usernames_is_refused_after_its_limit(
        self, client, officer, settings
    ):
        limit = settings.SIGNIN_ADDRESS_FAILURE_LIMIT
        assert limit == 100  # the number docs/sign-in.md gives
        for n in range(limit):
            response = _login(client, f"officer{n + 1000:04d}", "wrong", ADDRESS_A)
            assert response.status_code == 200, n
        refused = _login(client, "officer0042", PASSWORD, ADDRESS_A)
        assert refused.status_code == 429
        assert "Retry-After" in refused
        # Every door to the password check shares the limit.
        admin = _login(client, "officer0042", PASSWORD, ADDRESS_A, path="/admin/login/")
        assert admin.status_code == 429
        # The officer is not locked: only that address is paused.
        assert _signed_in(_login(client, "officer0042", PASSWORD, ADDRESS_B))

    def test_correct_logins_are_not_counted(self, client, officer, settings):
        settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 4
        for n in range(3):
            _login(client, f"officer{n + 1000:04d}", "wrong", ADDRESS_A)
        for _ in range(3):
            assert _signed_in(_login(client, "officer0042", PASSWORD, ADDRESS_A))
        assert _login(client, "officer1003", "wrong", ADDRESS_A).status_code == 200
        assert _login(client, "officer0042", PASSWORD, ADDRESS_A).status_code == 429

    def test_a_township_behind_one_address_signs_in_despite_typing_errors(
        self, client, city, settings
    ):
        # 40 officers share the office's address; each mistypes twice, then signs in.
        office = "192.0.2.44"
        colleagues = []
        for n in range(40):
            user = OfficerFactory(unit=city["township12"], username=f"officer{n + 2000:04d}")
            user.set_password(PASSWORD)
            user.save()
            colleagues.append(user)
        for user in colleagues:
            _login(client, user.username, "wrong", office)
            _login(client, user.username, "wrong-again", office)
            assert _signed_in(_login(client, user.username, PASSWORD, office)), user.username

    def test_the_proxys_client_address_header_is_believed_only_from_the_proxy(
        self, client, officer
    ):
        def through_proxy(address: str, password: str):
            client.logout()
            return client.post(
                reverse("login"),
                {"username": "officer0042", "password": password},
                REMOTE_ADDR="127.0.0.1",
                HTTP_X_REAL_IP=address,
            )

        for _ in range(5):
            through_proxy(ADDRESS_A, "wrong")
        assert through_proxy(ADDRESS_A, PASSWORD).status_code == 429
        assert _signed_in(through_proxy(ADDRESS_B, PASSWORD))
        # A client that is not the proxy cannot pick the address it is counted under.
        for _ in range(5):
            client.logout()
            client.post(
                reverse("login"),
                {"username": "officer0042", "password": "wrong"},
                REMOTE_ADDR=ADDRESS_B,
                HTTP_X_REAL_IP="192.0.2.1",
            )
        assert _login(client, "officer0042", PASSWORD, ADDRESS_B).status_code == 429
