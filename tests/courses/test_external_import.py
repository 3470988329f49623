"""External training hours from XLSX: row-level error report, all or nothing, idempotent, scoped."""

import io

from django.urls import reverse

import pytest
from openpyxl import Workbook

from courses.models import TrainingRecord
from courses.services import external_hours_import
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

# These tests pin the English wording of messages (see the `english` fixture).
pytestmark = pytest.mark.usefixtures("english")

HEADER = ["工号", "姓名", "学时", "类别", "完成日期", "培训名称", "培训机构"]


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def people(city):
    officer = OfficerFactory(unit=city["township11"], full_name="李四", employee_number="E001")
    other = OfficerFactory(unit=city["township21"], full_name="张三", employee_number="E999")
    bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"])
    return officer, other, bureau


@pytest.mark.django_db
class TestExternalImport:
    def test_imports_good_rows_once(self, people):
        officer, _other, bureau = people
        rows = [
            [
                "E001",
                "李四",
                6,
                "公共法律知识",
                "2026-03-02",
                "省司法厅行政执法培训班",
                "河南省司法厅",
            ],
            ["E001", "李四", 2.5, "执法技能", "2026-04-10", "执法记录仪使用培训", ""],
        ]
        report = external_hours_import(source=workbook(rows), filename="h.xlsx", actor=bureau)
        assert report.ok and report.created == 2
        again = external_hours_import(source=workbook(rows), filename="h.xlsx", actor=bureau)
        assert again.ok and again.created == 0 and again.unchanged == 2
        records = TrainingRecord.objects.filter(officer=officer)
        assert records.count() == 2
        assert {r.source for r in records} == {"external"}
        assert all(r.approved_by == bureau for r in records)

    def test_every_bad_row_is_reported_and_nothing_is_imported(self, people):
        _officer, _other, bureau = people
        rows = [
            ["E001", "李四", 6, "公共法律知识", "2026-03-02", "好的一行", ""],
            ["E001", "李四", 1.3, "公共法律知识", "2026-03-02", "学时不是半小时", ""],
            ["E999", "张三", 2, "业务知识", "2026-03-02", "其他县的人", ""],
            ["E001", "李四", 2, "摸鱼", "2026-03-02", "类别不对", ""],
            ["E001", "李四", 2, "业务知识", "去年", "日期不对", ""],
            ["E001", "王五", 2, "业务知识", "2026-03-02", "姓名不符", ""],
        ]
        report = external_hours_import(source=workbook(rows), filename="h.xlsx", actor=bureau)
        assert not report.ok
        by_row = {p.row for p in report.problems}
        assert by_row == {3, 4, 5, 6, 7}
        messages = " ".join(p.message for p in report.problems)
        assert "half-hour" in messages and "E999" in messages and "摸鱼" in messages
        assert not TrainingRecord.objects.exists()

    def test_a_file_without_the_required_columns_is_refused(self, people):
        _officer, _other, bureau = people
        book = Workbook()
        book.active.append(["姓名", "学时"])
        buffer = io.BytesIO()
        book.save(buffer)
        buffer.seek(0)
        report = external_hours_import(source=buffer, filename="h.xlsx", actor=bureau)
        assert not report.ok
        assert report.problems[0].row == 1
        assert "employee_number" in report.problems[0].message

    def test_the_admin_screen_lists_the_problems(self, client, people):
        _officer, _other, bureau = people
        client.force_login(bureau)
        upload = workbook([["E001", "李四", 0.2, "公共法律知识", "2026-03-02", "培训", ""]])
        upload.name = "hours.xlsx"
        response = client.post(reverse("courses_external_hours_import"), {"file": upload})
        assert response.status_code == 200
        assert response.context["report"].problems[0].row == 2
        assert "0.2" in response.content.decode()
        assert not TrainingRecord.objects.exists()
