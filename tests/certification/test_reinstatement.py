"""Suspension by the bureau, reinstatement requests and their decisions, bulk actions, and the
year-end review's confirmation."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

import pytest

from certification.factories import certificate, hours_add
from certification.models import (
    AnnualReview,
    CredentialEvent,
    Notification,
    ReinstatementRequest,
)
from certification.selectors import credential_status
from certification.services import (
    annual_review_close,
    annual_review_preview,
    credential_suspend,
    officer_suspend,
    officers_reinstate,
    reinstatement_eligibility,
    reinstatement_request_create,
    reinstatement_request_decide,
    reinstatement_requests_decide,
)
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

D = datetime.date


@pytest.fixture
def staff(city):
    return {
        "bureau": StaffFactory(
            role=Role.JUSTICE_BUREAU, unit=city["bureau1"], full_name="司法局 王芳"
        ),
        "other_bureau": StaffFactory(role=Role.JUSTICE_BUREAU, unit=city["bureau2"]),
        "supervisor": StaffFactory(role=Role.TOWNSHIP_SUPERVISOR, unit=city["township11"]),
    }


def _short_last_year(officer, *, made_up):
    """Certified two years ago, 30 of 60 hours last year (suspended), `made_up` hours this year."""
    today = timezone.localdate()
    credential = certificate(officer, issued_on=D(today.year - 2, 1, 1))
    hours_add(officer, 60, on=D(today.year - 2, 6, 1))
    hours_add(officer, 30, on=D(today.year - 1, 6, 1))
    if made_up:
        hours_add(officer, made_up, on=D(today.year, 1, 2), title="补学")
    return credential


@pytest.fixture
def ready(city, fields):
    officer = OfficerFactory(unit=city["township11"], full_name="补足 张")
    _short_last_year(officer, made_up=31)
    return officer


@pytest.fixture
def short(city, fields):
    officer = OfficerFactory(unit=city["township12"], full_name="未补 李")
    _short_last_year(officer, made_up=10)
    return officer


@pytest.mark.django_db
class TestEligibility:
    def test_made_up_hours_make_an_officer_eligible(self, ready):
        verdict = reinstatement_eligibility(officer=ready)
        assert verdict.ok
        assert verdict.shortfall == 30 and verdict.made_up == 31

    def test_too_few_hours_say_how_many_were_missing(self, short):
        verdict = reinstatement_eligibility(officer=short)
        assert not verdict.ok
        assert "30" in verdict.reason and "10" in verdict.reason

    def test_a_valid_certificate_is_not_eligible(self, city, fields):
        officer = OfficerFactory(unit=city["township11"])
        certificate(officer, issued_on=timezone.localdate() - datetime.timedelta(days=10))
        assert not reinstatement_eligibility(officer=officer).ok

    def test_a_bureau_suspension_is_not_lifted_by_hours(self, city, fields, staff):
        officer = OfficerFactory(unit=city["township11"])
        today = timezone.localdate()
        credential = certificate(officer, issued_on=today - datetime.timedelta(days=10))
        credential_suspend(
            credential=credential, reason="调查中", actor=staff["bureau"], effective_on=today
        )
        verdict = reinstatement_eligibility(officer=officer)
        assert not verdict.ok


@pytest.mark.django_db
class TestRequests:
    def test_request_then_approval_reinstates_and_notifies(self, ready, staff):
        request = reinstatement_request_create(officer=ready, note="已补学 31 学时")
        assert request.status == "pending"
        decided = reinstatement_request_decide(request=request, actor=staff["bureau"], approve=True)
        assert decided.status == "approved" and decided.decided_by == staff["bureau"]
        assert credential_status(officer=ready).code in ("valid", "at_risk")
        event = CredentialEvent.objects.get(credential__officer=ready, kind="reinstatement")
        assert event.actor == staff["bureau"]
        assert Notification.objects.filter(user=ready).count() == 1

    def test_only_one_pending_request_at_a_time(self, ready):
        reinstatement_request_create(officer=ready)
        with pytest.raises(ValidationError):
            reinstatement_request_create(officer=ready)
        assert ReinstatementRequest.objects.filter(officer=ready).count() == 1

    def test_an_officer_short_of_hours_cannot_request(self, short):
        with pytest.raises(ValidationError):
            reinstatement_request_create(officer=short)
        assert not ReinstatementRequest.objects.exists()

    def test_refusal_needs_a_reason_and_keeps_the_suspension(self, ready, staff):
        request = reinstatement_request_create(officer=ready)
        with pytest.raises(ValidationError):
            reinstatement_request_decide(request=request, actor=staff["bureau"], approve=False)
        decided = reinstatement_request_decide(
            request=request, actor=staff["bureau"], approve=False, reason="补学记录待核实"
        )
        assert decided.status == "refused" and decided.reason == "补学记录待核实"
        assert credential_status(officer=ready).code == "suspended"
        assert Notification.objects.filter(user=ready).count() == 1
        with pytest.raises(ValidationError):  # decided once
            reinstatement_request_decide(request=decided, actor=staff["bureau"], approve=True)
        # A new request is possible after a refusal.
        reinstatement_request_create(officer=ready)

    @pytest.mark.parametrize("who", ["other_bureau", "supervisor", "officer"])
    def test_only_the_officers_county_bureau_decides(self, ready, staff, who):
        actor = ready if who == "officer" else staff[who]
        request = reinstatement_request_create(officer=ready)
        with pytest.raises(PermissionDenied):
            reinstatement_request_decide(request=request, actor=actor, approve=True)
        request.refresh_from_db()
        assert request.status == "pending"
        assert credential_status(officer=ready).code == "suspended"

    def test_bulk_decisions_report_the_ones_not_done(self, ready, short, staff, city):
        first = reinstatement_request_create(officer=ready)
        # A request whose officer is no longer suspended (reinstated meanwhile on the review
        # page) is reported, not silently skipped.
        other = OfficerFactory(unit=city["township11"], full_name="撤销 王")
        _short_last_year(other, made_up=31)
        second = reinstatement_request_create(officer=other)
        officers_reinstate(officers=[other], actor=staff["bureau"])
        outcome = reinstatement_requests_decide(
            requests=[first, second], actor=staff["bureau"], approve=True
        )
        assert outcome.done == [ready]
        assert [officer for officer, _reason in outcome.refused] == [other]
        second.refresh_from_db()
        assert second.status == "pending"


@pytest.mark.django_db
class TestSuspendAndBulkReinstate:
    def test_the_bureau_suspends_with_a_reason_and_a_date(self, city, fields, staff):
        officer = OfficerFactory(unit=city["township11"])
        today = timezone.localdate()
        certificate(officer, issued_on=today - datetime.timedelta(days=30))
        event = officer_suspend(
            officer=officer, actor=staff["bureau"], reason="程序违法，停职调查", effective_on=today
        )
        assert event.kind == "suspension" and event.actor == staff["bureau"]
        assert credential_status(officer=officer).code == "suspended"
        assert Notification.objects.filter(user=officer).count() == 1

    @pytest.mark.parametrize("who", ["other_bureau", "supervisor"])
    def test_others_cannot_suspend(self, city, fields, staff, who):
        officer = OfficerFactory(unit=city["township11"])
        today = timezone.localdate()
        certificate(officer, issued_on=today - datetime.timedelta(days=30))
        with pytest.raises(PermissionDenied):
            officer_suspend(officer=officer, actor=staff[who], reason="x", effective_on=today)
        assert not CredentialEvent.objects.filter(kind="suspension").exists()

    def test_bulk_reinstate_applies_the_rule_to_each(self, ready, short, staff):
        outcome = officers_reinstate(officers=[ready, short], actor=staff["bureau"])
        assert outcome.done == [ready]
        assert [officer for officer, _reason in outcome.refused] == [short]
        assert credential_status(officer=short).code == "suspended"


@pytest.mark.django_db
class TestAnnualReviewConfirmation:
    def test_preview_lists_exactly_who_will_be_suspended(self, city, fields, staff):
        last = timezone.localdate().year - 1
        will = OfficerFactory(unit=city["township11"], full_name="将暂扣")
        certificate(will, issued_on=D(last, 1, 1))
        hours_add(will, 40, on=D(last, 6, 1))
        fine = OfficerFactory(unit=city["township12"], full_name="合格")
        certificate(fine, issued_on=D(last, 1, 1))
        hours_add(fine, 60, on=D(last, 6, 1))
        rows = annual_review_preview(county=city["county1"], year=last)
        assert [(r["officer"], r["missing"]) for r in rows] == [(will, 20)]
        assert not CredentialEvent.objects.filter(kind="annual_review").exists()
        outcome = annual_review_close(county=city["county1"], year=last, actor=staff["bureau"])
        assert outcome.suspended == len(rows)

    def test_the_page_confirms_first_then_shows_the_completed_year(
        self, client, city, fields, staff
    ):
        last = timezone.localdate().year - 1
        will = OfficerFactory(unit=city["township11"], full_name="将暂扣")
        certificate(will, issued_on=D(last, 1, 1))
        hours_add(will, 40, on=D(last, 6, 1))
        client.force_login(staff["bureau"])
        url = reverse("certification:annual_review")
        data = {"county": city["county1"].code, "action": "close", "year": last}
        response = client.post(url, data)
        assert response.status_code == 200
        assert "将暂扣" in response.content.decode()
        assert not AnnualReview.objects.exists()
        response = client.post(url, {**data, "confirm": "1"})
        assert response.status_code == 302
        review = AnnualReview.objects.get()
        assert review.suspended == 1
        page = client.get(url, {"county": city["county1"].code}).content.decode()
        assert 'data-review="closed"' in page
        assert 'name="action" value="close"' not in page
        response = client.post(url, data, follow=True)  # no confirmation page for a closed year
        assert response.redirect_chain and len(list(response.context["messages"])) == 1
        response = client.post(url, {**data, "confirm": "1"}, follow=True)
        assert AnnualReview.objects.count() == 1
        assert CredentialEvent.objects.filter(kind="annual_review").count() == 1
        assert len(list(response.context["messages"])) == 1


@pytest.mark.django_db
class TestPages:
    def test_officer_sees_the_request_button_and_the_bureau_approves(
        self, client, ready, staff, city
    ):
        client.force_login(ready)
        page = client.get(reverse("certification:mine")).content.decode()
        assert reverse("certification:reinstatement_request") in page
        client.post(reverse("certification:reinstatement_request"), {"note": "请审核"})
        page = client.get(reverse("certification:mine")).content.decode()
        assert 'data-reinstatement="pending"' in page
        assert reverse("certification:reinstatement_request") not in page
        request = ReinstatementRequest.objects.get()
        client.force_login(staff["bureau"])
        client.post(
            reverse("certification:reinstatement_decide"),
            {"county": city["county1"].code, "decision": "approve", "request": [request.pk]},
        )
        client.force_login(ready)
        page = client.get(reverse("certification:mine")).content.decode()
        assert 'data-reinstatement="approved"' in page
        assert 'data-status="suspended"' not in page

    def test_an_officer_short_of_hours_sees_why_not_a_button(self, client, short):
        client.force_login(short)
        page = client.get(reverse("certification:mine")).content.decode()
        assert 'data-reinstatement="not-eligible"' in page
        assert reverse("certification:reinstatement_request") not in page

    def test_suspension_form_asks_for_confirmation(self, client, city, fields, staff):
        officer = OfficerFactory(unit=city["township11"], full_name="待暂扣")
        today = timezone.localdate()
        certificate(officer, issued_on=today - datetime.timedelta(days=30))
        client.force_login(staff["bureau"])
        page = client.get(reverse("certification:officer", args=[officer.pk])).content.decode()
        url = reverse("certification:officer_suspend", args=[officer.pk])
        assert url in page
        data = {"reason": "停职调查", "effective_on": today.isoformat()}
        response = client.post(url, data)
        assert response.status_code == 200 and 'name="confirm"' in response.content.decode()
        assert credential_status(officer=officer).code != "suspended"
        client.post(url, {**data, "confirm": "1"})
        assert credential_status(officer=officer).code == "suspended"

    def test_a_supervisor_sees_no_suspension_form(self, client, city, fields, staff):
        officer = OfficerFactory(unit=city["township11"])
        certificate(officer, issued_on=timezone.localdate() - datetime.timedelta(days=30))
        client.force_login(staff["supervisor"])
        page = client.get(reverse("certification:officer", args=[officer.pk])).content.decode()
        assert reverse("certification:officer_suspend", args=[officer.pk]) not in page

    def test_bulk_reinstate_and_export_from_the_review_page(
        self, client, ready, short, staff, city
    ):
        client.force_login(staff["bureau"])
        url = reverse("certification:annual_review")
        ids = [ready.pk, short.pk]
        response = client.post(
            url, {"county": city["county1"].code, "action": "export", "officer": ids}
        )
        assert response["Content-Type"].startswith("text/csv")
        body = response.content.decode("utf-8-sig")
        assert "补足 张" in body and "未补 李" in body
        response = client.post(
            url,
            {"county": city["county1"].code, "action": "reinstate_selected", "officer": ids},
            follow=True,
        )
        texts = [str(m) for m in response.context["messages"]]
        assert any("未补 李" in text for text in texts)
        assert credential_status(officer=ready).code != "suspended"
        assert credential_status(officer=short).code == "suspended"

    def test_request_list_is_scoped_to_the_county_with_pinned_queries(
        self, client, ready, staff, city, django_assert_num_queries
    ):
        reinstatement_request_create(officer=ready)
        for index in range(3):
            officer = OfficerFactory(unit=city["township12"], full_name=f"请求 {index}")
            _short_last_year(officer, made_up=40)
            reinstatement_request_create(officer=officer)
        elsewhere = OfficerFactory(unit=city["township21"], full_name="外县 赵")
        _short_last_year(elsewhere, made_up=40)
        reinstatement_request_create(officer=elsewhere)
        client.force_login(staff["bureau"])
        url = reverse("certification:reinstatement_requests")
        client.get(url)  # warm caches (session, roles)
        with django_assert_num_queries(QUERIES):
            page = client.get(url).content.decode()
        assert "补足 张" in page and "请求 2" in page
        assert "外县 赵" not in page
        client.force_login(staff["other_bureau"])
        page = client.get(url).content.decode()
        assert "外县 赵" in page and "补足 张" not in page


QUERIES = 12
