"""The officer import with rosters shaped the way Excel saves them.

Numbers typed into ID columns, blank rows, a title above the header, full-width digits,
the header spellings people use: each reported by the row number Excel shows, never a
traceback, and nothing saved.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

import pytest
from openpyxl import Workbook

from people.factories import StaffFactory
from people.models import Role, User
from people.services import id_number_valid, officers_import

HEADER = ["工号", "姓名", "单位编码", "手机号", "身份证号", "用户名"]
#: Valid by the GB 11643 check digit.
ID_NUMBER = "410102199001011234"


def xlsx_bytes(rows, header=HEADER, *, above=()) -> bytes:
    """A workbook with `above` (title rows, say) over the header; `None` rows stay blank."""
    book = Workbook()
    sheet = book.active
    for line in above:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append(row or [])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def officer_row(code, number="X001", *, name="张伟", phone="", id_number="", username=""):
    return [number, name, code, phone, id_number, username]


def run(data: bytes, *, filename="roster.xlsx", **kwargs):
    return officers_import(source=io.BytesIO(data), filename=filename, **kwargs)


def problem_rows(report) -> set[int]:
    return {problem.row for problem in report.problems}


def imported() -> int:
    return User.objects.filter(employee_number__startswith="X").count()


# --- 9. Identity and phone numbers typed as numbers; the check digit -----------------------


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),  # the example of GB 11643-1999
        ("41010219900101008x", True),
        (ID_NUMBER, True),
        ("410102199001011235", False),
        ("410102199001011328", False),  # what Excel makes of ID_NUMBER typed as a number
        ("41010219900101123", False),
    ],
)
def test_identity_numbers_are_checked_by_the_gb_11643_check_digit(value, valid):
    assert id_number_valid(value.upper()) is valid


@pytest.mark.django_db
def test_an_identity_number_with_a_wrong_check_digit_is_refused(city):
    report = run(xlsx_bytes([officer_row(city["township11"].code, id_number="410102199001011235")]))
    assert problem_rows(report) == {2}
    assert "GB 11643" in str(report.problems[0])
    assert imported() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "cell", "header"),
    [
        (4, float(ID_NUMBER), "身份证号"),
        (4, int(ID_NUMBER), "身份证号"),
        (3, 13900000001, "手机号"),
        (3, 13900000001.0, "手机号"),
    ],
    ids=["id-float", "id-int", "phone-int", "phone-float"],
)
def test_a_number_cell_in_an_id_or_phone_column_asks_for_text_format(city, column, cell, header):
    row = officer_row(city["township11"].code)
    row[column] = cell
    report = run(xlsx_bytes([officer_row(city["township11"].code, "X000"), row]))
    assert problem_rows(report) == {3}
    message = str(report.problems[0])
    assert "设置为文本格式" in message
    assert header in message
    assert imported() == 0


# --- 10. Duplicates within the file ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_a_username_twice_in_the_file_names_both_rows(city, dry_run):
    code = city["township11"].code
    rows = [
        officer_row(code, "X001", username="zhangwei"),
        officer_row(code, "X002", username="zhangwei"),
        officer_row(code, "X003", username="uX004"),
        officer_row(code, "X004"),  # its default username is uX004
    ]
    report = run(xlsx_bytes(rows), dry_run=dry_run)
    assert problem_rows(report) == {3, 5}
    assert "zhangwei" in str(report.problems[0]) and "2" in str(report.problems[0])
    assert report.created == 0
    assert imported() == 0


@pytest.mark.django_db
def test_the_dry_run_command_refuses_duplicates_in_the_file(city, tmp_path):
    code = city["township11"].code
    path = tmp_path / "roster.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                officer_row(code, "X001", username="li"),
                officer_row(code, "X001", name="重复"),
                officer_row(code, "X003", username="li"),
            ]
        )
    )
    with pytest.raises(CommandError) as raised:
        call_command("import_officers", str(path), "--dry-run")
    assert "2 problem(s)" in str(raised.value)
    assert imported() == 0


# --- 11. Values longer than their field ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "header"),
    [
        (0, "X" + "9" * 40, "工号"),
        (1, "张" * 101, "姓名"),
        (5, "u" * 151, "用户名"),
    ],
    ids=["employee-number", "name", "username"],
)
def test_a_value_longer_than_its_field_is_reported_by_row(city, column, value, header):
    row = officer_row(city["township11"].code)
    row[column] = value
    report = run(xlsx_bytes([officer_row(city["township11"].code, "X000"), row]))
    assert problem_rows(report) == {3}
    assert header in str(report.problems[0])
    assert imported() == 0


# --- 12. Row numbers after blank rows -------------------------------------------------------


@pytest.mark.django_db
def test_xlsx_rows_keep_the_numbers_excel_shows_after_blank_rows(city):
    code = city["township11"].code
    rows = [officer_row(code, "X001"), None, None, officer_row("NOPE", "X002"), None]
    report = run(xlsx_bytes(rows))
    assert problem_rows(report) == {5}
    assert imported() == 0


# --- 13. Header spellings, and columns nobody reads -----------------------------------------


@pytest.mark.django_db
def test_common_header_spellings_are_read(city):
    header = ["职工号", "姓 名", "单位代码", "手机号码", "公民身份号码", "是否执法岗位", "登录名"]
    row = ["X001", "张伟", city["township11"].code, "13900000001", ID_NUMBER, "否", "zw"]
    report = run(xlsx_bytes([row], header=header))
    assert report.ok, report.problems
    assert not report.warnings
    officer = User.objects.get(employee_number="X001")
    assert (officer.phone, officer.id_number) == ("13900000001", ID_NUMBER)
    assert (officer.username, officer.enforcement_post) == ("zw", False)


@pytest.mark.django_db
def test_an_unknown_column_is_named_in_a_warning(city, tmp_path):
    header = [*HEADER, "备注"]
    data = xlsx_bytes([[*officer_row(city["township11"].code), "新进"]], header=header)
    report = run(data, dry_run=True)
    assert report.ok
    assert len(report.warnings) == 1 and "备注" in report.warnings[0]

    path = tmp_path / "roster.xlsx"
    path.write_bytes(data)
    err = io.StringIO()
    call_command("import_officers", str(path), stdout=io.StringIO(), stderr=err)
    assert "备注" in err.getvalue()


# --- 14. Full-width characters and surrounding spaces ---------------------------------------


@pytest.mark.django_db
def test_cells_are_nfkc_normalised_and_stripped(city):
    row = [
        "ＦＷＩＤ０００２",
        "　张伟 ",
        city["township11"].code,
        "１３９０００００００１",
        " ４１０１０２１９９００１０１１２３４\u00a0",
        "",
    ]
    report = run(xlsx_bytes([row]))
    assert report.ok, report.problems
    officer = User.objects.get(employee_number="FWID0002")
    assert (officer.full_name, officer.phone, officer.id_number) == (
        "张伟",
        "13900000001",
        ID_NUMBER,
    )


# --- 15. Messages name columns as the file does; a title above the header ------------------


@pytest.mark.django_db
def test_a_missing_column_is_named_by_its_chinese_header(city):
    report = run(xlsx_bytes([["张伟"]], header=["姓名"]))
    message = str(report.problems[0])
    assert "工号" in message and "单位编码" in message
    assert "employee_number" not in message and "unit_code" not in message


@pytest.mark.django_db
def test_a_title_row_above_the_header_is_pointed_out(city, english):
    data = xlsx_bytes([officer_row(city["township11"].code)], above=[["T镇执法人员花名册"]])
    report = run(data)
    assert problem_rows(report) == {1}
    message = str(report.problems[0])
    assert "Row 2 looks like the header" in message
    assert "must be the first row" in message
    assert imported() == 0


@pytest.mark.django_db
def test_a_lone_title_in_the_first_row_is_pointed_out(city, english):
    data = xlsx_bytes([], header=["2026 年执法人员花名册"])
    message = str(run(data).problems[0])
    assert "looks like a title" in message and "工号" in message


# --- The admin screen: every bad file is a 200 with its messages ---------------------------


def bad_files(code: str) -> dict[str, bytes]:
    row = officer_row(code)
    id_as_number = [*row[:4], float(ID_NUMBER), ""]
    phone_as_number = [*row[:3], 13900000001, *row[4:]]
    return {
        "id-as-number": xlsx_bytes([id_as_number]),
        "phone-as-number": xlsx_bytes([phone_as_number]),
        "check-digit": xlsx_bytes([officer_row(code, id_number="410102199001011235")]),
        "duplicate-username": xlsx_bytes(
            [officer_row(code, "X001", username="zw"), officer_row(code, "X002", username="zw")]
        ),
        "too-long": xlsx_bytes([officer_row(code, name="张" * 101)]),
        "title-row": xlsx_bytes([row], above=[["花名册"]]),
        "full-width-bad-id": xlsx_bytes(
            [officer_row(code, id_number="４１０１０２１９９００１０１１２３５")]
        ),
    }


#: Each bad file, and words its report must show (in English, the source text).
EXPECTED = {
    "id-as-number": "设置为文本格式",
    "phone-as-number": "设置为文本格式",
    "check-digit": "GB 11643",
    "duplicate-username": "already appears on row 2",
    "too-long": "at most 100",
    "title-row": "Row 2 looks like the header",
    "full-width-bad-id": "GB 11643",
}


@pytest.mark.django_db
@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_the_admin_screen_reports_each_bad_file(client, city, english, kind, dry_run):
    client.force_login(StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]))
    data = bad_files(city["township11"].code)[kind]
    users = User.objects.count()
    fields = {"file": SimpleUploadedFile("roster.xlsx", data, "application/octet-stream")}
    if dry_run:
        fields["dry_run"] = "on"
    response = client.post(reverse("people_officer_import"), fields)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.problems
    body = response.content.decode()
    assert EXPECTED[kind] in " ".join(problem.message for problem in report.problems)
    for problem in report.problems:
        assert problem.message in body
    assert User.objects.count() == users


@pytest.mark.django_db
def test_the_admin_screen_names_an_unknown_column(client, city):
    client.force_login(StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"]))
    data = xlsx_bytes([[*officer_row(city["township11"].code), "新进"]], header=[*HEADER, "备注"])
    response = client.post(
        reverse("people_officer_import"),
        {"file": SimpleUploadedFile("roster.xlsx", data), "dry_run": "on"},
    )
    assert response.status_code == 200
    assert response.context["report"].ok
    assert "“备注”" in response.content.decode()
    assert imported() == 0
