"""Certificate status on a date: every rule of DESIGN.md §4 at its boundaries."""

import datetime
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils import translation

import pytest

from certification.factories import certificate, hours_add
from certification.models import CredentialEvent, ImmutableRecordError, PolicyChange
from certification.selectors import credential_status, readiness_summary
from certification.services import (
    credential_cancel,
    credential_issue,
    credential_reinstate,
    credential_revoke,
    credential_suspend,
    policy_update,
)
from people.factories import OfficerFactory, StaffFactory
from people.models import Role

D = datetime.date


def full_years(officer, *years, hours=60):
    for year in years:
        hours_add(officer, hours, on=D(year, 3, 10))


@pytest.mark.django_db
class TestNotQualified:
    def test_no_certificate_means_not_qualified_with_what_is_missing(self, officer):
        status = credential_status(officer=officer, on=D(2026, 5, 1))
        assert status.code == "not_qualified"
        codes = [r.code for r in status.reasons]
        assert codes[0] == "no_certificate"
        assert "general_law_exam" in codes and "specialised_exam" in codes
        assert status.fields == []

    def test_a_certificate_issued_after_the_date_does_not_count_yet(self, officer):
        certificate(officer, issued_on=D(2026, 6, 1))
        assert credential_status(officer=officer, on=D(2026, 5, 31)).code == "not_qualified"
        assert credential_status(officer=officer, on=D(2026, 6, 1)).code == "valid"

    @pytest.mark.parametrize("employment", ["contract", "temporary"])
    def test_contract_and_temporary_staff_are_never_eligible(self, city, fields, employment):
        staff = OfficerFactory(unit=city["township11"], employment=employment)
        with pytest.raises(ValidationError):
            credential_issue(officer=staff, fields=["urban"], issued_on=D(2026, 1, 5))
        status = credential_status(officer=staff, on=D(2026, 5, 1))
        assert status.code == "not_qualified"
        assert "not_established" in [r.code for r in status.reasons]

    def test_officer_outside_an_enforcement_post_cannot_be_issued(self, city, fields):
        clerk = OfficerFactory(unit=city["township11"], enforcement_post=False)
        with pytest.raises(ValidationError):
            credential_issue(officer=clerk, fields=["urban"], issued_on=D(2026, 1, 5))


@pytest.mark.django_db
class TestAnnualHours:
    def test_exactly_60_hours_in_a_closed_year_keeps_the_certificate(self, officer):
        certificate(officer, issued_on=D(2024, 1, 1))
        full_years(officer, 2024)
        hours_add(officer, 60, on=D(2025, 12, 31))
        status = credential_status(officer=officer, on=D(2026, 3, 1))
        assert status.code == "valid"
        assert status.fields == ["natural_resources"]

    def test_59_and_a_half_hours_suspends_from_1_january(self, officer):
        certificate(officer, issued_on=D(2024, 1, 1))
        full_years(officer, 2024)
        hours_add(officer, "59.5", on=D(2025, 6, 1))
        assert credential_status(officer=officer, on=D(2025, 12, 31)).code != "suspended"
        status = credential_status(officer=officer, on=D(2026, 1, 1))
        assert status.code == "suspended"
        assert status.fields == []
        reason = status.reasons[0]
        assert reason.code == "hours_shortfall"
        assert "59.5" in reason.message_zh and "60" in reason.message_zh
        assert "2025" in reason.message_en

    def test_mid_year_issue_is_pro_rated_by_whole_months_held(self, officer):
        # Issued 15 March: April–December, 9 months → 45 hours.
        certificate(officer, issued_on=D(2025, 3, 15))
        hours_add(officer, 45, on=D(2025, 11, 1))
        assert credential_status(officer=officer, on=D(2026, 2, 1)).code == "valid"

    def test_mid_year_issue_one_half_hour_short_is_suspended(self, city, fields):
        officer = OfficerFactory(unit=city["township11"])
        certificate(officer, issued_on=D(2025, 3, 15))
        hours_add(officer, "44.5", on=D(2025, 11, 1))
        status = credential_status(officer=officer, on=D(2026, 2, 1))
        assert status.code == "suspended"
        assert status.reasons[0].details["required"] == 45

    def test_issued_on_the_first_of_a_month_counts_that_month(self, officer):
        certificate(officer, issued_on=D(2025, 3, 1))  # March–December: 10 months, 50 hours
        hours_add(officer, "49.5", on=D(2025, 11, 1))
        assert credential_status(officer=officer, on=D(2026, 2, 1)).code == "suspended"

    def test_issued_in_december_owes_nothing_for_that_year(self, officer):
        certificate(officer, issued_on=D(2025, 12, 10))
        assert credential_status(officer=officer, on=D(2026, 2, 1)).code == "valid"

    def test_reinstatement_lifts_the_automatic_suspension_from_its_date(self, officer):
        bureau = StaffFactory(
            role=Role.JUSTICE_BUREAU,
            unit=officer.unit.get_parent().get_children().filter(kind="justice_bureau").first(),
        )
        credential = certificate(officer, issued_on=D(2024, 1, 1))
        full_years(officer, 2024)
        hours_add(officer, 40, on=D(2025, 5, 1))
        hours_add(officer, 20, on=D(2026, 2, 5), title="补学")
        credential_reinstate(
            credential=credential, reason="已补足学时", actor=bureau, effective_on=D(2026, 2, 10)
        )
        assert credential_status(officer=officer, on=D(2026, 2, 9)).code == "suspended"
        assert credential_status(officer=officer, on=D(2026, 2, 10)).code == "valid"

    def test_category_minimums_when_the_policy_sets_them(self, officer):
        policy_update(actor=None, min_skills=10)
        certificate(officer, issued_on=D(2024, 1, 1))
        full_years(officer, 2024)
        hours_add(officer, 60, on=D(2024, 4, 1), category="skills")
        hours_add(officer, 60, on=D(2025, 4, 1), category="public_law")
        status = credential_status(officer=officer, on=D(2026, 2, 1))
        assert status.code == "suspended"
        assert status.reasons[0].details["categories"] == ["skills"]


@pytest.mark.django_db
class TestExpiry:
    def test_good_through_the_expiry_day_and_expired_the_day_after(self, officer):
        certificate(officer, issued_on=D(2026, 1, 1), expires_on=D(2026, 6, 30))
        assert credential_status(officer=officer, on=D(2026, 6, 30)).code == "at_risk"
        expired = credential_status(officer=officer, on=D(2026, 7, 1))
        assert expired.code == "expired"
        assert expired.fields == []

    def test_default_validity_is_five_years_from_issue(self, officer):
        credential = certificate(officer, issued_on=D(2021, 3, 15))
        assert credential.expires_on == D(2026, 3, 15)

    def test_at_risk_when_expiry_is_180_days_away_or_fewer(self, officer):
        on = D(2026, 3, 2)
        certificate(officer, issued_on=D(2026, 1, 1), expires_on=on + datetime.timedelta(days=180))
        status = credential_status(officer=officer, on=on)
        assert status.code == "at_risk"
        assert status.reasons[0].code == "expiring_soon"
        assert status.reasons[0].deadline == on + datetime.timedelta(days=180)
        assert status.fields == ["natural_resources"]
        assert (
            credential_status(officer=officer, on=on - datetime.timedelta(days=1)).code == "valid"
        )


@pytest.mark.django_db
class TestCheckpoints:
    @pytest.fixture
    def holder(self, officer):
        certificate(officer, issued_on=D(2025, 1, 1))
        hours_add(officer, 60, on=D(2025, 5, 1))
        return officer

    def test_no_pace_check_before_1_july(self, holder):
        assert credential_status(officer=holder, on=D(2026, 6, 30)).code == "valid"

    def test_fewer_than_30_hours_from_1_july_is_at_risk(self, holder):
        hours_add(holder, "29.5", on=D(2026, 6, 1))
        status = credential_status(officer=holder, on=D(2026, 7, 1))
        assert status.code == "at_risk"
        reason = status.reasons[0]
        assert reason.code == "hours_behind_pace"
        assert reason.deadline == D(2026, 9, 30)
        with translation.override("zh-hans"):
            assert "还需完成 15.5 学时" in reason.message_zh
            assert "9 月 30 日" in reason.message_zh or "2026 年 9 月 30 日" in reason.message_zh

    def test_30_hours_on_1_july_is_on_pace(self, holder):
        hours_add(holder, 30, on=D(2026, 6, 1))
        assert credential_status(officer=holder, on=D(2026, 7, 1)).code == "valid"

    def test_45_hours_needed_from_1_october(self, holder):
        hours_add(holder, "44.5", on=D(2026, 6, 1))
        assert credential_status(officer=holder, on=D(2026, 9, 30)).code == "valid"
        status = credential_status(officer=holder, on=D(2026, 10, 1))
        assert status.code == "at_risk"
        assert status.reasons[0].deadline == D(2026, 12, 31)
        hours_add(holder, "0.5", on=D(2026, 10, 1))
        assert credential_status(officer=holder, on=D(2026, 10, 1)).code == "valid"

    def test_checkpoints_follow_the_policy(self, holder):
        policy_update(actor=None, checkpoint1_hours=20)
        hours_add(holder, 20, on=D(2026, 6, 1))
        assert credential_status(officer=holder, on=D(2026, 7, 1)).code == "valid"


@pytest.mark.django_db
class TestEvents:
    @pytest.fixture
    def credential(self, officer):
        credential = certificate(officer, issued_on=D(2026, 1, 1))
        return credential

    def test_explicit_suspension_until_reinstated(self, officer, credential):
        credential_suspend(
            credential=credential, reason="涉嫌违规执法", actor=None, effective_on=D(2026, 3, 1)
        )
        assert credential_status(officer=officer, on=D(2026, 2, 28)).code == "valid"
        status = credential_status(officer=officer, on=D(2026, 3, 1))
        assert status.code == "suspended"
        assert "涉嫌违规执法" in status.reasons[0].message_zh
        credential_reinstate(
            credential=credential, reason="调查结束", actor=None, effective_on=D(2026, 4, 1)
        )
        assert credential_status(officer=officer, on=D(2026, 3, 31)).code == "suspended"
        assert credential_status(officer=officer, on=D(2026, 4, 1)).code == "valid"

    def test_a_second_suspension_after_a_reinstatement_suspends_again(self, officer, credential):
        credential_suspend(
            credential=credential, reason="一", actor=None, effective_on=D(2026, 2, 1)
        )
        credential_reinstate(
            credential=credential, reason="二", actor=None, effective_on=D(2026, 3, 1)
        )
        credential_suspend(
            credential=credential, reason="三", actor=None, effective_on=D(2026, 4, 1)
        )
        assert credential_status(officer=officer, on=D(2026, 3, 15)).code == "valid"
        assert credential_status(officer=officer, on=D(2026, 4, 1)).code == "suspended"

    def test_revocation_takes_effect_on_its_date(self, officer, credential):
        credential_revoke(
            credential=credential, reason="违法执法", actor=None, effective_on=D(2026, 5, 10)
        )
        assert credential_status(officer=officer, on=D(2026, 5, 9)).code == "valid"
        status = credential_status(officer=officer, on=D(2026, 5, 10))
        assert status.code == "revoked"
        assert status.fields == []

    def test_cancellation_takes_effect_on_its_date_and_beats_suspension(self, officer, credential):
        credential_suspend(
            credential=credential, reason="暂扣", actor=None, effective_on=D(2026, 2, 1)
        )
        credential_cancel(
            credential=credential, reason="调离执法岗位", actor=None, effective_on=D(2026, 6, 1)
        )
        assert credential_status(officer=officer, on=D(2026, 5, 31)).code == "suspended"
        assert credential_status(officer=officer, on=D(2026, 6, 1)).code == "cancelled"

    def test_nothing_after_revocation_and_no_blank_reasons(self, credential):
        with pytest.raises(ValidationError):
            credential_suspend(
                credential=credential, reason=" ", actor=None, effective_on=D(2026, 2, 1)
            )
        credential_revoke(
            credential=credential, reason="吊销", actor=None, effective_on=D(2026, 3, 1)
        )
        with pytest.raises(ValidationError):
            credential_cancel(
                credential=credential, reason="注销", actor=None, effective_on=D(2026, 4, 1)
            )

    def test_reinstating_a_certificate_that_is_not_suspended_is_refused(self, credential):
        with pytest.raises(ValidationError):
            credential_reinstate(
                credential=credential, reason="无", actor=None, effective_on=D(2026, 2, 1)
            )

    def test_history_is_append_only(self, credential):
        event = credential.events.get()
        assert event.kind == "issue"
        event.reason = "改"
        with pytest.raises(ImmutableRecordError):
            event.save()
        with pytest.raises(ImmutableRecordError):
            CredentialEvent.objects.all().delete()
        with pytest.raises(ImmutableRecordError):
            credential.delete()

    def test_a_second_certificate_is_a_renewal_and_governs_from_its_issue(
        self, officer, credential
    ):
        credential_revoke(
            credential=credential, reason="吊销", actor=None, effective_on=D(2026, 3, 1)
        )
        renewed = certificate(officer, issued_on=D(2026, 9, 1), fields=("water", "fire"))
        assert renewed.events.get().kind == "renewal"
        assert renewed.number != credential.number
        assert credential_status(officer=officer, on=D(2026, 8, 31)).code == "revoked"
        status = credential_status(officer=officer, on=D(2026, 9, 1))
        assert status.fields == ["fire", "water"]


@pytest.mark.django_db
class TestPolicy:
    def test_every_policy_change_is_audited_with_actor_and_before_after(self, officer):
        admin = StaffFactory(role=Role.CITY_ADMIN, unit=officer.unit.get_root())
        policy_update(actor=admin, annual_hours=40, at_risk_days=90)
        change = PolicyChange.objects.get()
        assert change.actor == admin
        assert change.before == {"annual_hours": "60", "at_risk_days": 180}
        assert change.after == {"annual_hours": "40", "at_risk_days": 90}
        policy_update(actor=admin, annual_hours=40)
        assert PolicyChange.objects.count() == 1

    def test_the_policy_numbers_drive_the_status(self, officer):
        certificate(officer, issued_on=D(2024, 1, 1))
        full_years(officer, 2024, hours=40)
        hours_add(officer, 40, on=D(2025, 3, 1))
        assert credential_status(officer=officer, on=D(2026, 2, 1)).code == "suspended"
        policy_update(actor=None, annual_hours=40)
        assert credential_status(officer=officer, on=D(2026, 2, 1)).code == "valid"


@pytest.mark.django_db
class TestSummaryAgreesWithStatus:
    def test_readiness_summary_counts_what_credential_status_says(self, city, fields):
        township = city["township11"]
        people = [OfficerFactory(unit=township) for _ in range(9)]
        OfficerFactory(unit=city["township21"])  # another county: not counted under county1
        a, b, c, d, e, f, g, h, _i = people
        certificate(a, issued_on=D(2024, 1, 1))
        full_years(a, 2024, 2025)
        hours_add(a, 50, on=D(2026, 2, 1))
        certificate(b, issued_on=D(2024, 1, 1))  # short in 2024 and 2025 → suspended
        certificate(c, issued_on=D(2020, 1, 1), expires_on=D(2026, 5, 1))  # expired
        cred = certificate(d, issued_on=D(2026, 1, 1))
        credential_revoke(credential=cred, reason="吊销", actor=None, effective_on=D(2026, 4, 1))
        cred = certificate(e, issued_on=D(2026, 1, 1))
        credential_cancel(credential=cred, reason="退休", actor=None, effective_on=D(2026, 4, 1))
        certificate(f, issued_on=D(2026, 1, 1))  # 0 hours on 1 October → at risk
        cred = certificate(g, issued_on=D(2025, 3, 15))
        hours_add(g, 45, on=D(2025, 6, 1))
        hours_add(g, 45, on=D(2026, 6, 1))
        credential_suspend(credential=cred, reason="暂扣", actor=None, effective_on=D(2026, 9, 1))
        certificate(h, issued_on=D(2025, 3, 15))
        hours_add(h, 45, on=D(2025, 6, 1))
        hours_add(h, 45, on=D(2026, 6, 1))
        on = D(2026, 10, 1)
        expected = Counter(credential_status(officer=o, on=on).code for o in people)
        summary = readiness_summary(unit=city["county1"], on=on)
        assert summary == {code: expected.get(code, 0) for code in summary}
        assert set(summary) == {
            "not_qualified",
            "cancelled",
            "revoked",
            "expired",
            "suspended",
            "at_risk",
            "valid",
        }
        assert summary["valid"] == 2 and summary["suspended"] == 2 and summary["at_risk"] == 1
        assert sum(summary.values()) == 9

    def test_summary_query_count_does_not_grow_with_officers(
        self, city, fields, django_assert_max_num_queries
    ):
        for _ in range(30):
            officer = OfficerFactory(unit=city["township12"])
            certificate(officer, issued_on=D(2025, 1, 1))
        with django_assert_max_num_queries(4):
            summary = readiness_summary(unit=city["city"], on=D(2026, 3, 1))
        assert summary["suspended"] == 30


@pytest.mark.django_db
def test_editing_the_policy_in_the_wagtail_admin_is_audited_with_the_editor(client, city):
    from django.contrib.auth import get_user_model

    from certification.models import CredentialPolicy

    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    policy = CredentialPolicy.load()
    url = f"/admin/settings/certification/credentialpolicy/{policy.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "annual_hours": "50",
        "min_public_law": "",
        "min_professional": "",
        "min_skills": "",
        "pass_mark": "60",
        "retakes_allowed": "1",
        "validity_years": "5",
        "at_risk_days": "180",
        "checkpoint1_month": "7",
        "checkpoint1_hours": "30",
        "checkpoint2_month": "10",
        "checkpoint2_hours": "45",
        "number_pattern": "豫执{year}{county}{serial:05d}",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    change = PolicyChange.objects.get()
    assert change.actor == admin
    assert change.after == {"annual_hours": "50"}
    assert CredentialPolicy.load().annual_hours == 50


@pytest.mark.django_db
def test_the_fixed_field_codes_work_before_the_catalogue_is_loaded(city):
    from certification.services import exam_result_record
    from powers.models import EnforcementField

    assert not EnforcementField.objects.exists()
    officer = OfficerFactory(unit=city["township11"])
    exam_result_record(
        officer=officer, kind="specialised", score=70, sat_on=D(2026, 1, 5), field="transport"
    )
    credential_issue(officer=officer, fields=["fire", "transport"], issued_on=D(2026, 2, 1))
    assert credential_status(officer=officer, on=D(2026, 3, 1)).fields == ["fire", "transport"]
    with pytest.raises(ValidationError):
        credential_issue(officer=officer, fields=["mars"], issued_on=D(2026, 2, 1))


@pytest.mark.django_db
def test_training_pages_follow_the_policys_annual_hours():
    from certification.selectors.status import policy_current
    from courses.selectors.training import hours_required

    policy = policy_current()
    policy.annual_hours = 48
    policy.save()
    assert hours_required(year=2026) == 48
