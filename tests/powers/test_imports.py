"""Importing a list of powers from a spreadsheet: row-level report, all or nothing, repeatable."""

import datetime
import io

from django.core.management import CommandError, call_command

import pytest
from openpyxl import Workbook

from powers.factories import EnforcementFieldFactory, PowerListFactory
from powers.models import Power, PowerList
from powers.services import power_list_import

HEADER = [
    "编码",
    "事项名称",
    "执法领域",
    "法律依据",
    "条款",
    "原执法部门",
    "生效日期",
    "过渡期截止",
]


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    [
        "JT-01",
        "对擅自占用公路的行政处罚",
        "transport",
        "《公路法》",
        "第七十六条",
        "县交通运输局",
        "2026-01-01",
        "2026-12-31",
    ],
    [
        "XF-01",
        "对堵塞消防车通道的行政处罚",
        "消防救援",
        "《消防法》",
        "第六十条",
        "县消防救援大队",
        "",
        "",
    ],
]


@pytest.fixture
def fields(db):
    EnforcementFieldFactory(code="transport", name="交通运输")
    EnforcementFieldFactory(code="fire", name="消防救援")


@pytest.mark.django_db
class TestPowerListImport:
    def test_imports_and_reimport_changes_nothing(self, fields):
        power_list = PowerListFactory(effective_from=datetime.date(2026, 1, 1))
        report = power_list_import(
            power_list=power_list, source=io.BytesIO(workbook(GOOD)), filename="l.xlsx"
        )
        assert report.ok, report.problems
        assert report.created == 2
        fire = Power.objects.get(code="XF-01")
        assert fire.field.code == "fire"
        assert fire.applies_from == datetime.date(2026, 1, 1)
        assert set(power_list.powers.values_list("code", flat=True)) == {"JT-01", "XF-01"}

        again = power_list_import(
            power_list=power_list, source=io.BytesIO(workbook(GOOD)), filename="l.xlsx"
        )
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    def test_every_bad_row_is_reported_and_nothing_saved(self, fields):
        power_list = PowerListFactory(effective_from=datetime.date(2026, 1, 1))
        rows = GOOD + [
            ["", "无编码", "fire", "", "", "", "", ""],
            ["XX-02", "领域不对", "太空", "", "", "", "2026-13-01", ""],
            ["XX-03", "过渡期太长", "fire", "", "", "", "2026-01-01", "2027-06-30"],
            ["JT-01", "重复", "transport", "", "", "", "", ""],
        ]
        report = power_list_import(
            power_list=power_list, source=io.BytesIO(workbook(rows)), filename="l.xlsx"
        )
        assert {p.row for p in report.problems} == {4, 5, 6, 7}
        assert any("太空" in str(p) for p in report.problems)
        assert not Power.objects.exists()
        assert not power_list.powers.exists()


@pytest.mark.django_db
class TestImportPowerListCommand:
    def test_creates_the_list(self, fields, tmp_path, capsys):
        path = tmp_path / "list.xlsx"
        path.write_bytes(workbook(GOOD))
        call_command(
            "import_power_list",
            str(path),
            "--list",
            "2025年清单",
            "--effective-from",
            "2026-01-01",
            "--applies-to",
            "both",
        )
        assert "created 2" in capsys.readouterr().out
        assert PowerList.objects.get(name="2025年清单").powers.count() == 2

    def test_a_bad_file_leaves_no_list_behind(self, fields, tmp_path):
        path = tmp_path / "list.xlsx"
        path.write_bytes(workbook([["A", "", "nowhere", "", "", "", "", ""]]))
        with pytest.raises(CommandError) as error:
            call_command(
                "import_power_list", str(path), "--list", "坏清单", "--effective-from", "2026-01-01"
            )
        assert "2" in str(error.value)
        assert not PowerList.objects.filter(name="坏清单").exists()


@pytest.mark.django_db
def test_an_imported_power_cites_its_legal_basis_when_the_registry_holds_the_law():
    from laws.selectors import citations_of
    from laws.services import law_version_import

    law_version_import(
        title="中华人民共和国公路法",
        text="第七十六条　擅自占用公路的，责令停止违法行为，可以处罚款。\n",
        promulgated_on=datetime.date(2017, 11, 4),
        effective_on=datetime.date(2017, 11, 5),
    )
    EnforcementFieldFactory(code="transport", name="交通运输")
    power_list = PowerListFactory(effective_from=datetime.date(2026, 1, 1))
    row = ["JT-09", "对擅自占用公路的行政处罚", "transport", "《公路法》", "第七十六条", "", "", ""]
    report = power_list_import(
        power_list=power_list, source=io.BytesIO(workbook([row])), filename="list.xlsx"
    )
    assert report.ok
    (citation,) = citations_of(Power.objects.get(code="JT-09"))
    assert citation.article.number == 76
    # Importing the same file again changes nothing, citations included.
    power_list_import(
        power_list=power_list, source=io.BytesIO(workbook([row])), filename="list.xlsx"
    )
    assert len(citations_of(Power.objects.get(code="JT-09"))) == 1
