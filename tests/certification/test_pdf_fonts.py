"""The transcript and the application list embed their font and read as Chinese anywhere.

Issue #12, item 16: the PDFs named a font the reader must have (STSong-Light), so Chromium's
viewer and poppler without that font showed boxes. The checks that read the PDF use
poppler's `pdffonts` and `pdftotext`; without them these tests skip, unless
`REQUIRE_BROWSER=1` or `REQUIRE_SERVICES=1` (CI), where they fail.
"""

import datetime
import os
import shutil
import subprocess

from django.utils import timezone

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from certification.factories import certificate, hours_add, qualify
from certification.models import ApplicantDecision, StatusCode
from certification.pdf import FONT, application_list_pdf, font_covers, transcript_pdf, zh_label
from certification.services import (
    applicant_add,
    applicant_review,
    application_city_approve,
    application_county_finish,
    application_create,
    application_sign,
    policy_update,
)
from people.factories import OfficerFactory, StaffFactory, UnitFactory
from people.models import Role, UnitKind

LONG_UNIT = "某某县白鹭洲镇综合行政执法队第三中队暨网格化社会治理服务中心"
LONG_NAME = "欧阳慕容喆堃玥"  # 喆, 堃 and 玥 are outside GB2312, and common in names
LONG_REASON = "岗位信息待核实：所在单位编制证明与人事系统记录不一致，请补充材料后重新申领"


def _required() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}
        for name in ("REQUIRE_BROWSER", "REQUIRE_SERVICES")
    )


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        reason = f"poppler's {tool} is not installed (Debian package poppler-utils)"
        if _required():
            pytest.fail(f"{reason}; CI installs it in .ci/run")
        pytest.skip(reason)
    return path


def _pdffonts(pdf: bytes) -> list[dict]:
    """One row per font in the PDF: its name and whether it is embedded."""
    output = subprocess.run(
        [_poppler("pdffonts"), "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    lines = output.splitlines()
    header = lines[0]
    emb = header.index(" emb") + 1
    return [{"name": line.split()[0], "emb": line[emb : emb + 3].strip()} for line in lines[2:]]


def _pdftotext(pdf: bytes) -> tuple[str, str]:
    """The PDF's text in reading order, as extracted and with line breaks removed (a long
    name or unit name wraps inside its cell, and must still come out whole)."""
    text = subprocess.run(
        [_poppler("pdftotext"), "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text, text.replace("\n", "")


@pytest.fixture
def drawn(monkeypatch):
    """Every string reportlab sets in a TrueType font while the test runs."""
    strings: list[str] = []
    split_string = TTFont.splitString

    def spy(self, text, doc, encoding="utf-8"):
        strings.append(text)
        return split_string(self, text, doc, encoding)

    monkeypatch.setattr(TTFont, "splitString", spy)
    return strings


@pytest.fixture
def long_township(city):
    return UnitFactory(name=LONG_UNIT, kind=UnitKind.TOWNSHIP, parent=city["county1"])


@pytest.fixture
def at_risk_officer(long_township, fields):
    """An officer whose certificate expires in 30 days (预警), with hours and exam results."""
    today = timezone.localdate()
    officer = OfficerFactory(unit=long_township, full_name=LONG_NAME, employee_number="PY00042")
    qualify(officer, fields=("water", "fire"))
    certificate(
        officer,
        issued_on=today - datetime.timedelta(days=20),
        expires_on=today + datetime.timedelta(days=30),
        fields=("water", "fire", "natural_resources", "ecology", "agriculture"),
    )
    hours_add(officer, 60, on=today)
    return officer


@pytest.fixture
def signed_application(city, long_township, fields):
    """A list of the long-named township: one officer issued a certificate, one returned."""
    supervisor = StaffFactory(
        role=Role.TOWNSHIP_SUPERVISOR, unit=long_township, full_name="监督办 司马懿"
    )
    head = StaffFactory(role=Role.TOWNSHIP_HEAD, unit=long_township, full_name="镇长 诸葛亮")
    bureau = StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau1"], full_name="司法局 王芳")
    city_admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"], full_name="依法治市办 李明")
    issued = OfficerFactory(unit=long_township, full_name=LONG_NAME, employee_number="PY00042")
    qualify(issued, fields=("water", "fire", "urban"))
    returned = OfficerFactory(unit=long_township, full_name="上官婉儿", employee_number="PY00043")
    qualify(returned, fields=("urban",))
    application = application_create(
        unit=long_township, actor=supervisor, title=f"{LONG_UNIT}第一批申领名单"
    )
    first = applicant_add(application=application, officer=issued, actor=supervisor)
    second = applicant_add(application=application, officer=returned, actor=supervisor)
    application_sign(application=application, actor=head)
    applicant_review(applicant=first, actor=bureau, approve=True)
    applicant_review(applicant=second, actor=bureau, approve=False, reason=LONG_REASON)
    application_county_finish(application=application, actor=bureau)
    application_city_approve(application=application, actor=city_admin)
    first.refresh_from_db()
    return application, first.credential


def test_the_status_words_are_the_web_pages_words():
    assert zh_label(StatusCode.AT_RISK) == "预警"
    assert zh_label(StatusCode.VALID) == "有效"
    assert zh_label(StatusCode.NOT_QUALIFIED) == "未取证"
    assert zh_label(ApplicantDecision.ISSUED) == "已核发执法证"


@pytest.mark.django_db
class TestTranscript:
    def test_every_character_set_is_in_the_embedded_font(self, at_risk_officer, drawn):
        pdf = transcript_pdf(officer=at_risk_officer, verify_url="https://example.test/v/abc")
        assert pdf.startswith(b"%PDF")
        text = "".join(drawn)
        assert LONG_NAME in text and "预警" in text
        assert "需关注" not in text
        assert font_covers(text) == set()

    def test_the_certificate_number_is_never_split(self, at_risk_officer, drawn):
        number = at_risk_officer.credentials.get().number
        transcript_pdf(officer=at_risk_officer)
        assert any(number in line for line in drawn)

    def test_a_long_number_with_spaces_stays_on_one_line(self, long_township, fields, drawn):
        policy_update(actor=None, number_pattern="某某省综合行政执法证 {year} 第{serial:08d}号")
        officer = OfficerFactory(unit=long_township, full_name=LONG_NAME)
        credential = certificate(officer, issued_on=timezone.localdate())
        transcript_pdf(officer=officer)
        assert " " in credential.number
        assert any(credential.number in line for line in drawn)

    def test_fonts_are_embedded_and_the_text_is_chinese(self, at_risk_officer):
        pdf = transcript_pdf(officer=at_risk_officer, verify_url="https://example.test/v/abc")
        fonts = _pdffonts(pdf)
        assert fonts, "the PDF names no font"
        assert all(font["emb"] == "yes" for font in fonts), fonts
        assert all(font["name"].endswith(FONT) for font in fonts), fonts
        lines, text = _pdftotext(pdf)
        assert LONG_NAME in text and "执法证" in text and "预警" in text
        assert at_risk_officer.credentials.get().number in lines  # on one line
        assert "水利" in text and "培训考核记录" in text
        assert "\ufffd" not in text


@pytest.mark.django_db
class TestApplicationList:
    def test_every_character_set_is_in_the_embedded_font(self, signed_application, drawn):
        application, credential = signed_application
        application_list_pdf(application=application)
        text = "".join(drawn)
        assert LONG_NAME in text and "行政执法证" in text
        assert font_covers(text) == set()
        assert any(credential.number in line for line in drawn)

    def test_fonts_are_embedded_and_the_text_is_chinese(self, signed_application):
        application, credential = signed_application
        pdf = application_list_pdf(application=application)
        fonts = _pdffonts(pdf)
        assert fonts and all(font["emb"] == "yes" for font in fonts), fonts
        lines, text = _pdftotext(pdf)
        assert "行政执法证申领人员名单" in text and LONG_NAME in text and "上官婉儿" in text
        assert "已核发执法证" in text and "镇长 诸葛亮" in text
        assert credential.number in lines  # on one line
        assert LONG_UNIT in text and LONG_REASON in text
        assert "\ufffd" not in text
