"""Bulk import of officers: every bad row reported, nothing half-imported, re-import is a no-op."""

import io

from django.core.management import CommandError, call_command

import pytest
from openpyxl import Workbook

from people.models import Employment, User
from people.services import officers_import

HEADER = ["工号", "姓名", "单位编码", "手机号", "身份证号", "用工性质", "执法岗位"]


def csv_bytes(rows, header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(city):
    return [
        [
            "E001",
            "张伟",
            city["township11"].code,
            "13900000001",
            "410922199001011233",
            "在编",
            "是",
        ],
        ["E002", "李娜", city["township12"].code, "", "", "合同", "是"],
        ["E003", "王强", city["subdistrict1"].code, "", "", "临时", "否"],
    ]


@pytest.mark.django_db
class TestOfficersImport:
    @pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes], ids=["csv", "xlsx"])
    def test_imports_then_reimport_changes_nothing(self, city, make):
        data = make(good_rows(city))
        suffix = ".csv" if make is csv_bytes else ".xlsx"
        report = officers_import(source=io.BytesIO(data), filename=f"o{suffix}")
        assert report.ok, report.problems
        assert report.created == 3
        zhang = User.objects.get(employee_number="E001")
        assert zhang.unit == city["township11"]
        assert zhang.established
        assert User.objects.get(employee_number="E002").employment == Employment.CONTRACT
        assert User.objects.get(employee_number="E003").enforcement_post is False

        again = officers_import(source=io.BytesIO(data), filename=f"o{suffix}")
        assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
        assert User.objects.filter(employee_number__startswith="E").count() == 3

    def test_a_changed_row_updates_the_officer_by_employee_number(self, city):
        officers_import(source=io.BytesIO(csv_bytes(good_rows(city))), filename="o.csv")
        rows = good_rows(city)
        rows[0][2] = city["township21"].code
        report = officers_import(source=io.BytesIO(csv_bytes(rows)), filename="o.csv")
        assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
        zhang = User.objects.get(employee_number="E001")
        assert zhang.unit == city["township21"]
        assert zhang.roles.get(role="officer").unit == city["township21"]

    def test_every_bad_row_is_reported_and_nothing_is_saved(self, city):
        rows = good_rows(city) + [
            ["", "无工号", city["township11"].code, "", "", "在编", "是"],
            ["E005", "", "NOPE", "12345", "1234", "外包", "也许"],
            ["E001", "重复", city["township11"].code, "", "", "在编", "是"],
        ]
        report = officers_import(source=io.BytesIO(csv_bytes(rows)), filename="o.csv")
        assert not report.ok
        rows_with_problems = {p.row for p in report.problems}
        assert rows_with_problems == {5, 6, 7}
        messages = " ".join(str(p) for p in report.problems if p.row == 6)
        assert "NOPE" in messages
        assert "外包" in messages
        assert not User.objects.filter(employee_number__startswith="E").exists()

    def test_a_missing_column_names_the_column(self, city):
        data = csv_bytes([["E1", "甲"]], header=["工号", "姓名"])
        report = officers_import(source=io.BytesIO(data), filename="o.csv")
        assert not report.ok
        assert "单位编码" in str(report.problems[0])

    def test_a_damaged_workbook_is_reported_not_raised(self, city):
        report = officers_import(source=io.BytesIO(b"not a zip"), filename="o.xlsx")
        assert not report.ok
        assert report.problems[0].row == 1

    def test_an_actor_cannot_import_outside_their_area(self, city):
        from people.factories import StaffFactory
        from people.models import Role

        supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        report = officers_import(
            source=io.BytesIO(csv_bytes(good_rows(city))), filename="o.csv", actor=supervisor
        )
        assert {p.row for p in report.problems} == {3, 4}
        assert not User.objects.filter(employee_number__startswith="E").exists()

    def test_dry_run_saves_nothing(self, city):
        report = officers_import(
            source=io.BytesIO(csv_bytes(good_rows(city))), filename="o.csv", dry_run=True
        )
        assert report.ok and report.created == 3
        assert not User.objects.filter(employee_number__startswith="E").exists()


@pytest.mark.django_db
class TestImportOfficersCommand:
    def test_success_prints_counts(self, city, tmp_path, capsys):
        path = tmp_path / "officers.csv"
        path.write_bytes(csv_bytes(good_rows(city)))
        call_command("import_officers", str(path))
        assert "3" in capsys.readouterr().out
        assert User.objects.filter(employee_number__startswith="E").count() == 3

    def test_a_bad_file_fails_naming_rows(self, city, tmp_path):
        path = tmp_path / "officers.csv"
        path.write_bytes(csv_bytes([["E9", "", "NOPE", "", "", "", ""]]))
        with pytest.raises(CommandError) as error:
            call_command("import_officers", str(path))
        assert "2" in str(error.value)
        assert not User.objects.filter(employee_number="E9").exists()
