"""My training (officer), the home panel, and the supervisors' hours page with its XLSX export."""

import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook

from courses.factories import LectureFactory
from courses.services import lecture_signup, training_record_create
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

TODAY = timezone.localdate()


def credit(officer, hours, category="public_law"):
    return training_record_create(
        officer=officer,
        hours=hours,
        category=category,
        completed_on=TODAY,
        source="external",
        title="外部培训",
    )


@pytest.fixture
def officer(city):
    officer = OfficerFactory(unit=city["township11"], full_name="王执法")
    credit(officer, 20, "public_law")
    credit(officer, "5.5", "skills")
    return officer


@pytest.mark.django_db
class TestMyTraining:
    def test_shows_hours_against_sixty_by_category(self, client, officer):
        client.force_login(officer)
        response = client.get(reverse("courses:my_training"))
        assert response.status_code == 200
        summary = response.context["summary"]
        assert summary.hours["total"] == Decimal("25.5")
        assert summary.required == 60
        assert summary.total_percent == 42
        assert summary.remaining == Decimal("34.5")
        body = response.content.decode()
        assert '<progress id="hours-total" max="100" value="42"' in body

    def test_lists_upcoming_lectures_and_a_next_step(self, client, city, officer):
        lecture = LectureFactory(county=city["county1"], title="证据规则专题讲座")
        lecture_signup(officer=officer, lecture=lecture)
        client.force_login(officer)
        response = client.get(reverse("courses:my_training"))
        assert "证据规则专题讲座" in response.content.decode()
        assert "34.5" in response.context["summary"].next_step["text"]

    def test_query_count_is_fixed(self, client, city, officer, django_assert_max_num_queries):
        for i in range(5):
            lecture_signup(
                officer=officer, lecture=LectureFactory(county=city["county1"], title=f"讲座{i}")
            )
        client.force_login(officer)
        client.get(reverse("courses:my_training"))
        # 20 before modules and assigned cases were on the page: 4 for modules, 3 for cases.
        with django_assert_max_num_queries(27):
            client.get(reverse("courses:my_training"))

    def test_the_home_page_shows_the_officer_panel(self, client, officer):
        client.force_login(officer)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        templates = [p["template"] for p in response.context["panels"]]
        assert "components/courses/officer_panel.html" in templates
        assert "25.5" in response.content.decode()

    def test_staff_cannot_open_my_training(self, client, city):
        client.force_login(StaffFactory(role=Role.TRAINER, unit=city["department1"]))
        assert client.get(reverse("courses:my_training")).status_code == 403


@pytest.mark.django_db
class TestSupervisorHours:
    @pytest.fixture
    def area(self, city, officer):
        other = OfficerFactory(unit=city["township12"], full_name="赵执法")
        credit(other, 61, "professional")
        far = OfficerFactory(unit=city["township21"], full_name="远方执法")
        credit(far, 10)
        return {"officer": officer, "other": other, "far": far}

    def test_a_township_supervisor_sees_only_the_township(self, client, city, area):
        client.force_login(StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"]))
        response = client.get(reverse("courses:supervisor_hours"))
        names = [o.full_name for o in response.context["page"]]
        assert names == ["王执法"]

    def test_sorted_by_total_descending(self, client, city, area):
        client.force_login(StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]))
        response = client.get(reverse("courses:supervisor_hours"), {"sort": "-total"})
        rows = list(response.context["page"])
        assert [o.full_name for o in rows] == ["赵执法", "王执法"]
        assert rows[0].hours_total == Decimal("61.0")

    def test_the_xlsx_export_holds_the_same_rows(self, client, city, area):
        client.force_login(StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]))
        response = client.get(
            reverse("courses:supervisor_hours"), {"format": "xlsx", "sort": "name"}
        )
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("工号", "姓名", "单位")
        assert {r[1] for r in rows[1:]} == {"王执法", "赵执法"}
        assert "远方执法" not in {r[1] for r in rows[1:]}

    def test_query_count_does_not_grow_with_officers(
        self, client, city, area, django_assert_max_num_queries
    ):
        for _ in range(20):
            credit(OfficerFactory(unit=city["township11"]), 3)
        client.force_login(StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]))
        client.get(reverse("courses:supervisor_hours"))
        with django_assert_max_num_queries(12):
            client.get(reverse("courses:supervisor_hours"))

    def test_officers_cannot_open_it(self, client, officer):
        client.force_login(officer)
        assert client.get(reverse("courses:supervisor_hours")).status_code == 403


@pytest.mark.django_db
def test_last_years_hours_do_not_count_this_year(client, city):
    officer = OfficerFactory(unit=city["township11"])
    training_record_create(
        officer=officer,
        hours=30,
        category="skills",
        completed_on=datetime.date(TODAY.year - 1, 12, 31),
        source="external",
        title="去年的培训",
    )
    client.force_login(officer)
    response = client.get(reverse("courses:my_training"))
    assert response.context["summary"].hours["total"] == 0


@pytest.mark.django_db
def test_my_training_shows_started_modules_with_progress_and_assigned_cases(
    client, city, officer, english, django_assert_max_num_queries
):
    from cases.factories import CaseLibraryPageFactory, CasePageFactory
    from cases.services import case_assign
    from courses.factories import lesson_create, module_create
    from courses.services import lesson_complete, lesson_open

    now = timezone.now()
    started = module_create(title="行政处罚法的程序", credit_hours=Decimal("6.0"))
    lessons = [
        lesson_create(module=started, title=f"第{i}课", min_study_minutes=1) for i in (1, 2, 3)
    ]
    lesson_open(officer=officer, lesson=lessons[0], now=now - datetime.timedelta(minutes=5))
    lesson_complete(officer=officer, lesson=lessons[0], now=now)
    lesson_open(officer=officer, lesson=lessons[1], now=now)
    module_create(title="从未打开的模块")
    bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"])
    case = CasePageFactory(parent=CaseLibraryPageFactory(), title="非法占地建房案")
    case_assign(actor=bureau, page=case, unit=city["county1"], due_on=TODAY)

    client.force_login(officer)
    client.get(reverse("courses:my_training"))
    with django_assert_max_num_queries(27):
        body = client.get(reverse("courses:my_training")).content.decode()
    modules = body.split('id="my-modules-heading"', 1)[1].split("</section>", 1)[0]
    assert "行政处罚法的程序" in modules and "从未打开的模块" not in modules
    assert "1 of 3 lessons" in modules and "6 hours on completion" in modules
    assert '<progress max="100" value="33"' in modules
    cases = body.split('id="my-assigned-cases-heading"', 1)[1].split("</section>", 1)[0]
    assert "非法占地建房案" in cases and bureau.get_full_name() in cases
