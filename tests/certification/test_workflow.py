"""Application and sign-off (申领, 逐级审签), and the annual review (年审)."""

import datetime
import shutil
import subprocess

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

import pytest

from certification.factories import certificate, hours_add, qualify
from certification.models import AnnualReview, ApplicationStep, CredentialEvent, Notification
from certification.pdf import application_list_pdf
from certification.selectors import credential_status
from certification.services import (
    annual_review_close,
    applicant_add,
    applicant_review,
    application_city_approve,
    application_county_finish,
    application_create,
    application_sign,
    credential_reinstate,
    policy_update,
)
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

D = datetime.date


@pytest.fixture
def staff(city):
    return {
        "supervisor": StaffFactory(
            role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"], full_name="监督办 吴杰"
        ),
        "head": StaffFactory(
            role=Role.TOWNSHIP_HEAD, unit=city["township11"], full_name="镇长 郑伟"
        ),
        "bureau": StaffFactory(
            role=Role.JUSTICE_BUREAU, unit=city["bureau1"], full_name="司法局 王芳"
        ),
        "other_bureau": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau2"]),
        "city": StaffFactory(role=Role.CITY_ADMIN, unit=city["city"], full_name="依法治市办 李明"),
    }


@pytest.mark.django_db
class TestSignOff:
    def test_end_to_end_from_list_to_certificates(self, city, fields, staff):
        policy_update(actor=None, number_pattern="PY-{year}-{serial:04d}")
        ready = OfficerFactory(unit=city["township11"], full_name="张伟")
        qualify(ready, fields=("water", "fire"))
        second = OfficerFactory(unit=city["township11"], full_name="李娜")
        qualify(second, fields=("urban",))
        application = application_create(unit=city["township11"], actor=staff["supervisor"])
        a = applicant_add(application=application, officer=ready, actor=staff["supervisor"])
        b = applicant_add(application=application, officer=second, actor=staff["supervisor"])
        assert a.field_codes == ["fire", "water"]
        with pytest.raises(PermissionDenied):
            application_sign(application=application, actor=staff["supervisor"])
        application_sign(application=application, actor=staff["head"])
        with pytest.raises(PermissionDenied):
            applicant_review(applicant=a, actor=staff["other_bureau"], approve=True)
        applicant_review(applicant=a, actor=staff["bureau"], approve=True)
        with pytest.raises(ValidationError):
            applicant_review(applicant=b, actor=staff["bureau"], approve=False, reason="")
        applicant_review(applicant=b, actor=staff["bureau"], approve=False, reason="岗位信息待核实")
        application_county_finish(application=application, actor=staff["bureau"])
        issued = application_city_approve(application=application, actor=staff["city"])
        assert len(issued) == 1
        assert issued[0].number == f"PY-{timezone.localdate().year}-0001"
        status = credential_status(officer=ready)
        assert status.code in ("valid", "at_risk")
        assert status.fields == ["fire", "water"]
        assert credential_status(officer=second).code == "not_qualified"
        kinds = list(application.steps.values_list("kind", flat=True))
        assert kinds == [
            "created",
            "added",
            "added",
            "signed",
            "county_approved",
            "county_returned",
            "county_done",
            "issued",
            "city_approved",
        ]
        assert Notification.objects.filter(user=ready).exists()
        pdf = application_list_pdf(application=application)
        assert pdf.startswith(b"%PDF")
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
            ).stdout.decode()
            assert "张伟" in text and "乡镇主要负责人" in text and "镇长 郑伟" in text

    def test_only_eligible_officers_can_be_added(self, city, fields, staff):
        application = application_create(unit=city["township11"], actor=staff["supervisor"])
        no_exams = OfficerFactory(unit=city["township11"])
        with pytest.raises(ValidationError, match="通用法律知识|general law"):
            applicant_add(application=application, officer=no_exams, actor=staff["supervisor"])
        contract = OfficerFactory(unit=city["township11"], employment="contract")
        qualify(contract)
        with pytest.raises(ValidationError):
            applicant_add(application=application, officer=contract, actor=staff["supervisor"])
        holder = OfficerFactory(unit=city["township11"])
        qualify(holder)
        certificate(holder, issued_on=timezone.localdate() - datetime.timedelta(days=30))
        with pytest.raises(ValidationError):
            applicant_add(application=application, officer=holder, actor=staff["supervisor"])
        elsewhere = OfficerFactory(unit=city["township12"])
        qualify(elsewhere)
        with pytest.raises(ValidationError):
            applicant_add(application=application, officer=elsewhere, actor=staff["supervisor"])
        assert not application.applicants.exists()

    def test_steps_are_append_only(self, city, fields, staff):
        application = application_create(unit=city["township11"], actor=staff["supervisor"])
        step = ApplicationStep.objects.get(application=application)
        with pytest.raises(Exception):  # noqa: B017
            step.delete()


@pytest.mark.django_db
class TestAnnualReview:
    def test_closing_a_year_suspends_the_short_and_notifies_them_once(self, city, fields, staff):
        last = timezone.localdate().year - 1
        short = OfficerFactory(unit=city["township11"])
        certificate(short, issued_on=D(last, 3, 15))  # 9 months → 45 hours required
        hours_add(short, 40, on=D(last, 6, 1))
        good = OfficerFactory(unit=city["township12"])
        certificate(good, issued_on=D(last, 3, 15))
        hours_add(good, 45, on=D(last, 6, 1))
        outcome = annual_review_close(county=city["county1"], year=last, actor=staff["bureau"])
        assert (outcome.passed, outcome.suspended) == (1, 1)
        decision = CredentialEvent.objects.get(credential__officer=short, kind="annual_review")
        assert decision.year == last and decision.reason_code == "hours_shortfall"
        assert credential_status(officer=short).code == "suspended"
        assert Notification.objects.filter(user=short).count() == 1
        with pytest.raises(ValidationError):
            annual_review_close(county=city["county1"], year=last, actor=staff["bureau"])
        assert Notification.objects.filter(user=short).count() == 1
        assert AnnualReview.objects.get().suspended == 1

    def test_reinstated_after_make_up_hours(self, city, fields, staff):
        today = timezone.localdate()
        last = today.year - 1
        officer = OfficerFactory(unit=city["township11"])
        credential = certificate(officer, issued_on=D(last - 1, 1, 1))
        hours_add(officer, 60, on=D(last - 1, 6, 1))
        hours_add(officer, 30, on=D(last, 6, 1))
        hours_add(officer, 30, on=D(today.year, 1, 2), title="补学")
        credential_reinstate(
            credential=credential, reason="已补足学时", actor=staff["bureau"], effective_on=today
        )
        assert credential_status(officer=officer).code != "suspended"

    def test_only_closed_years_and_counties(self, city, staff):
        with pytest.raises(ValidationError):
            annual_review_close(
                county=city["county1"], year=timezone.localdate().year, actor=staff["bureau"]
            )
        with pytest.raises(ValidationError):
            annual_review_close(county=city["township11"], year=2020, actor=staff["bureau"])


@pytest.mark.django_db
def test_the_application_page_and_its_log_name_fields_not_codes(client, city, fields, staff):
    from django.urls import reverse

    officer = OfficerFactory(unit=city["township11"], full_name="周明")
    qualify(officer, fields=("water", "urban"))
    application = application_create(unit=city["township11"], actor=staff["supervisor"])
    applicant_add(application=application, officer=officer, actor=staff["supervisor"])
    client.force_login(staff["supervisor"])
    page = client.get(reverse("certification:application", args=[application.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    names = f"{fields['urban'].name}、{fields['water'].name}"
    assert names in text  # the applicant's row, and the "added" step of the log
    assert "urban, water" not in text and ">water<" not in text
    step = ApplicationStep.objects.get(application=application, applicant__officer=officer)
    assert step.note == names
