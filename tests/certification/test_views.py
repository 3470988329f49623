"""Pages: my certificate, readiness dashboards, verification, transcript, exports, API, reminders."""

import datetime
import shutil
import subprocess

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import pytest

from certification.factories import certificate, hours_add, qualify
from certification.models import ApiToken, ExportJob, Notification, ReminderSent, VerificationToken
from certification.services import (
    credential_revoke,
    reminders_send,
    supervisor_digests_send,
    verification_token_for,
    verification_token_revoke,
)
from certification.tasks import reminders_daily
from people.factories import OfficerFactory, StaffFactory
from people.models import Role
from powers.factories import PowerFactory, PowerListFactory

D = datetime.date


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def area(city, fields, today):
    """Township 11 with a valid officer, an at-risk one (expiring) and a newcomer; fire powers held."""
    holder = OfficerFactory(unit=city["township11"], full_name="王建国", employee_number="PY00001")
    certificate(holder, issued_on=today - datetime.timedelta(days=20), fields=("water",))
    hours_add(holder, 60, on=today)
    expiring = OfficerFactory(
        unit=city["township11"], full_name="李秀英", employee_number="PY00002"
    )
    certificate(
        expiring,
        issued_on=today - datetime.timedelta(days=20),
        expires_on=today + datetime.timedelta(days=30),
        fields=("fire",),
    )
    hours_add(expiring, 60, on=today)
    newcomer = OfficerFactory(unit=city["township11"], full_name="赵敏", employee_number="PY00003")
    other = OfficerFactory(unit=city["township21"], full_name="外县人员", employee_number="PY00004")
    water = PowerFactory(field=fields["water"], applies_from=D(2020, 1, 1))
    fire = PowerFactory(field=fields["fire"], applies_from=D(2020, 1, 1))
    transport = PowerFactory(field=fields["transport"], applies_from=D(2020, 1, 1))
    PowerListFactory(effective_from=D(2020, 1, 1), powers=[water, fire, transport])
    return {"holder": holder, "expiring": expiring, "newcomer": newcomer, "other": other}


@pytest.mark.django_db
class TestMyCertificate:
    def test_officer_sees_status_reasons_next_step_hours_and_history(
        self, client, area, django_assert_max_num_queries
    ):
        client.force_login(area["expiring"])
        with django_assert_max_num_queries(25):
            response = client.get(reverse("certification:mine"))
        page = response.content.decode()
        assert 'data-status="at_risk"' in page
        assert 'data-reason="expiring_soon"' in page
        assert "60" in page
        assert "消防救援" in page

    def test_an_officer_behind_pace_reads_the_reason_once_and_what_it_means(
        self, client, city, english
    ):
        year = timezone.localdate().year
        officer = OfficerFactory(unit=city["township11"])
        certificate(officer, issued_on=D(year - 1, 1, 1), fields=("water",))
        hours_add(officer, 20, on=D(year, 3, 1))
        hours_add(officer, 60, on=D(year - 1, 3, 1))
        client.force_login(officer)
        page = client.get(reverse("certification:mine"), {"on": f"{year}-10-15"}).text
        assert 'data-status="at_risk"' in page
        assert page.count("Behind pace this year (20 hours, 45 expected by now)") == 1
        assert "At risk (预警) means the certificate is still valid" in page
        assert "30 hours by July 1; 45 hours by October 1; 60 hours by the end of the year" in page
        assert "the certificate is suspended from 1 January" in page

    def test_home_panel_shows_status_and_hours(self, client, area):
        client.force_login(area["holder"])
        page = client.get(reverse("home")).content.decode()
        assert "60 / 60" in page or "60 /" in page
        assert reverse("certification:mine") in page

    def test_transcript_is_a_pdf_with_extractable_chinese_and_a_verify_link(self, client, area):
        client.force_login(area["holder"])
        response = client.get(reverse("certification:transcript_mine"))
        assert response["Content-Type"] == "application/pdf"
        token = VerificationToken.objects.get(credential__officer=area["holder"])
        assert len(token.token) >= 40
        if shutil.which("pdftotext"):
            text = subprocess.run(
                ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
            ).stdout.decode()
            assert "王建国" in text and "培训考核记录" in text and "水利" in text
            assert token.token in text.replace("\n", "")


@pytest.mark.django_db
class TestVerification:
    def test_public_page_shows_only_masked_name_number_status_fields(self, client, area):
        credential = area["holder"].credentials.get()
        token = verification_token_for(credential=credential)
        page = client.get(reverse("certification:verify", args=[token.token])).content.decode()
        assert "王**" in page and "王建国" not in page
        assert credential.number in page
        assert 'data-status="valid"' in page and "水利" in page
        assert "PY00001" not in page

    def test_revoked_tokens_and_guesses_show_nothing(self, client, area):
        token = verification_token_for(credential=area["holder"].credentials.get())
        verification_token_revoke(token=token)
        assert client.get(reverse("certification:verify", args=[token.token])).status_code == 404
        assert client.get(reverse("certification:verify", args=["guess"])).status_code == 404

    def test_a_revoked_certificate_verifies_as_revoked(self, client, area, today):
        credential = area["holder"].credentials.get()
        credential_revoke(credential=credential, reason="吊销", actor=None, effective_on=today)
        token = verification_token_for(credential=credential)
        page = client.get(reverse("certification:verify", args=[token.token])).content.decode()
        assert 'data-status="revoked"' in page


@pytest.mark.django_db
class TestDashboards:
    def test_township_dashboard_counts_flags_and_at_risk(
        self, client, city, area, django_assert_max_num_queries
    ):
        supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        client.force_login(supervisor)
        with django_assert_max_num_queries(35):
            response = client.get(
                reverse("certification:dashboard_unit", args=[city["township11"].code])
            )
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-flagged="transport"' in page  # holds transport powers, nobody certified
        assert "李秀英" in page and 'data-reason="expiring_soon"' in page
        assert "外县人员" not in page

    def test_query_count_does_not_grow_with_officers(
        self, client, city, area, today, django_assert_max_num_queries
    ):
        for _ in range(25):
            officer = OfficerFactory(unit=city["township12"])
            certificate(officer, issued_on=today - datetime.timedelta(days=400))
        admin = StaffFactory(role=Role.CITY_ADMIN, unit=city["city"])
        client.force_login(admin)
        with django_assert_max_num_queries(35):
            response = client.get(reverse("certification:dashboard_unit", args=[city["city"].code]))
        assert response.status_code == 200
        assert city["county1"].name in response.content.decode()

    def test_another_area_is_a_404_and_officers_cannot_open_dashboards(self, client, city, area):
        supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        client.force_login(supervisor)
        assert (
            client.get(
                reverse("certification:dashboard_unit", args=[city["township21"].code])
            ).status_code
            == 404
        )
        assert (
            client.get(reverse("certification:officer", args=[area["other"].pk])).status_code == 404
        )
        assert (
            client.get(reverse("certification:officer", args=[area["holder"].pk])).status_code
            == 200
        )
        client.force_login(area["holder"])
        assert client.get(reverse("certification:dashboard")).status_code == 403

    @pytest.mark.parametrize("on", ["9999-12-31", "0001-01-01", "2026-13-01", "0"])
    def test_a_date_outside_the_calendar_shows_today_instead_of_failing(
        self, client, city, area, on
    ):
        client.force_login(StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]))
        dashboard = reverse("certification:dashboard_unit", args=[city["township11"].code])
        for path in (dashboard, reverse("certification:mine")):
            response = client.get(path, {"on": on})
            assert response.status_code == 200, path
        assert response.context["on"] == timezone.localdate()

    def test_drill_down_city_to_county_to_township(self, client, city, area):
        client.force_login(StaffFactory(role=Role.CITY_ADMIN, unit=city["city"]))
        page = client.get(
            reverse("certification:dashboard_unit", args=[city["city"].code])
        ).content.decode()
        assert reverse("certification:dashboard_unit", args=[city["county1"].code]) in page
        page = client.get(
            reverse("certification:dashboard_unit", args=[city["county1"].code])
        ).content.decode()
        assert reverse("certification:dashboard_unit", args=[city["township11"].code]) in page
        page = client.get(
            reverse("certification:dashboard_unit", args=[city["township11"].code])
        ).content.decode()
        assert reverse("certification:officer", args=[area["holder"].pk]) in page

    def test_export_runs_as_a_task_and_keeps_the_file(
        self, client, city, area, django_capture_on_commit_callbacks
    ):
        user = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        client.force_login(user)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("certification:export_start", args=[city["township11"].code]),
                HTTP_ACCEPT="application/json",
            )
        job = ExportJob.objects.get(pk=response.json()["id"])
        progress = client.get(reverse("certification:export_status", args=[job.pk])).json()
        assert progress["state"] == "done" and progress["progress"] == 100
        download = client.get(progress["download_url"])
        assert download.status_code == 200
        import io

        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
        names = [row[0] for row in book["人员"].iter_rows(values_only=True)]
        assert "王建国" in names and "外县人员" not in names
        client.force_login(area["holder"])
        assert client.get(reverse("certification:export_status", args=[job.pk])).status_code == 404


@pytest.mark.django_db
class TestApplicationPages:
    def test_supervisor_sees_what_each_ineligible_officer_lacks(self, client, city, area):
        qualify(area["newcomer"], fields=("fire",))
        lacking = OfficerFactory(unit=city["township11"], full_name="钱多多")
        supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        client.force_login(supervisor)
        response = client.post(
            reverse("certification:application_new"), {"unit": city["township11"].code}
        )
        page = client.get(response.url).content.decode()
        assert 'data-lack="general_law_exam"' in page
        assert 'data-lack="holds_certificate"' in page
        assert page.count('data-eligible="yes"') == 1
        response = client.post(
            reverse(
                "certification:application_action", args=[response.url.rstrip("/").split("/")[-1]]
            ),
            {"action": "add", "officer": lacking.pk},
            follow=True,
        )
        assert response.status_code == 200
        assert "钱多多" in response.content.decode()  # the refusal names the officer


@pytest.mark.django_db
class TestApi:
    def test_token_scoped_status_and_readiness_with_an_openapi_schema(self, client, city, area):
        supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        _token, key = ApiToken.issue(user=supervisor, name="省平台")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        body = client.get("/certificate/api/officers/PY00002/status", **auth).json()
        assert body["code"] == "at_risk" and body["fields"] == ["fire"]
        assert body["reasons"][0]["code"] == "expiring_soon"
        assert client.get("/certificate/api/officers/PY00004/status", **auth).status_code == 404
        counts = client.get(
            f"/certificate/api/units/{city['township11'].code}/readiness", **auth
        ).json()
        assert counts["counts"]["valid"] == 1 and counts["total"] == 3
        assert (
            client.get(
                f"/certificate/api/units/{city['township21'].code}/readiness", **auth
            ).status_code
            == 404
        )
        assert client.get("/certificate/api/officers/PY00002/status").status_code == 401
        schema = client.get("/certificate/api/openapi.json", **auth).json()
        assert "/certificate/api/units/{code}/readiness" in schema["paths"]


@pytest.mark.django_db
class TestReminders:
    def test_at_risk_officers_are_reminded_once_a_week_even_if_run_twice(self, city, area, today):
        area["holder"].email = "holder@example.com"
        area["holder"].save(update_fields=["email"])
        first = reminders_send(on=today)
        second = reminders_send(on=today)
        assert first.sent >= 1 and second.sent == 0
        assert Notification.objects.filter(user=area["expiring"]).count() == 1
        assert (
            ReminderSent.objects.filter(user=area["expiring"], reason_code="expiring_soon").count()
            == 1
        )

    def test_status_changes_are_notified_by_email_too(
        self, city, area, today, mailoutbox, django_capture_on_commit_callbacks
    ):
        area["holder"].email = "holder@example.com"
        area["holder"].save(update_fields=["email"])
        credential_revoke(
            credential=area["holder"].credentials.get(),
            reason="吊销",
            actor=None,
            effective_on=today,
        )
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send(on=today)
        assert Notification.objects.filter(user=area["holder"]).exists()
        assert [m.to for m in mailoutbox] == [["holder@example.com"]]

    def test_weekly_digest_for_supervisors_once_per_week(self, city, area, today):
        supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"])
        assert supervisor_digests_send(on=today).sent == 1
        assert supervisor_digests_send(on=today).sent == 0
        notice = Notification.objects.get(user=supervisor)
        assert "3" in notice.title
        reminders_daily.delay()
        assert Notification.objects.filter(user=supervisor).count() == 1


#: A township page's queries (measured: session, user and roles, the unit, the policy, one
#: status SQL, its officers, fields held, credential fields, ancestors, exports, header).
TOWNSHIP_PAGE_QUERIES = 19


@pytest.mark.django_db
class TestTownshipReadiness:
    """A township page counts from its roster; the figures must be those of the area selectors."""

    def _mixed_township(self, city, today):
        unit = city["township12"]
        for index in range(12):
            officer = OfficerFactory(unit=unit)
            if index % 4 == 0:
                continue  # no certificate: not qualified
            expires = today + datetime.timedelta(days=30 if index % 4 == 1 else 700)
            certificate(
                officer,
                issued_on=today - datetime.timedelta(days=20),
                expires_on=expires,
                fields=("water", "fire") if index % 2 else ("water",),
            )
            hours_add(officer, [5, 20, 35, 50, 70][index % 5], on=today)
        return unit

    def test_figures_agree_with_the_grouped_queries(self, city, area, today):
        from certification.selectors import (
            field_coverage,
            hours_distribution,
            readiness_summary,
        )
        from certification.selectors.readiness import township_readiness

        unit = self._mixed_township(city, today)
        township = township_readiness(unit=unit, on=today)
        assert township.summary == readiness_summary(unit=unit, on=today)
        assert township.summary.total == 12
        assert township.bands == hours_distribution(unit=unit, on=today)
        (expected,), _fields = field_coverage(parent=unit, on=today)
        (coverage,) = township.coverage
        assert coverage.held == expected.held and coverage.held
        assert coverage.counts == expected.counts and coverage.counts["water"] > 0
        assert len(township.roster) == 12
        assert {row.code for row in township.at_risk} <= {"at_risk"}
        assert len(township.at_risk) == township.summary["at_risk"]

    def test_the_page_runs_the_status_query_once(self, client, city, area, today):
        unit = self._mixed_township(city, today)
        supervisor = StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=unit)
        client.force_login(supervisor)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("certification:dashboard_unit", args=[unit.code]))
        assert response.status_code == 200
        status_queries = [
            q for q in captured.captured_queries if "status" in q["sql"] and "h_" in q["sql"]
        ]
        assert len(status_queries) == 1, [q["sql"][:120] for q in status_queries]
        assert len(captured.captured_queries) <= TOWNSHIP_PAGE_QUERIES
