"""The nightly status snapshot: area counts read it, and no change leaves it stale."""

import datetime

from django.utils import timezone

import pytest

from certification.factories import certificate, hours_add
from certification.models import CredentialPolicy, StatusCode, StatusSnapshot
from certification.selectors import (
    field_coverage,
    hours_distribution,
    readiness_by_unit,
    readiness_summary,
)
from certification.selectors.readiness import officers_at_risk
from certification.services import credential_suspend, status_snapshot_refresh
from certification.tasks import status_snapshot_refresh as refresh_task
from people.factories import OfficerFactory

D = datetime.date


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def mixed(city, fields, today):
    """Officers of two counties: valid, at risk (expiring), behind on hours, none certified."""
    made = []
    for index, unit in enumerate([city["township11"], city["township12"], city["township21"]] * 4):
        officer = OfficerFactory(unit=unit)
        made.append(officer)
        if index % 4 == 3:
            continue
        certificate(
            officer,
            issued_on=today - datetime.timedelta(days=20),
            expires_on=today + datetime.timedelta(days=30 if index % 4 == 1 else 700),
            fields=("water",),
        )
        hours_add(officer, 60 if index % 4 != 2 else 5, on=today)
    return made


def _figures(city, on):
    return (
        readiness_summary(unit=city["city"], on=on),
        readiness_by_unit(parent=city["city"], on=on),
        [(c.unit.pk, c.held, c.counts) for c in field_coverage(parent=city["city"], on=on)[0]],
        hours_distribution(unit=city["city"], on=on),
        [row.officer.pk for row in officers_at_risk(city["city"], on=on)],
    )


@pytest.mark.django_db
class TestStatusSnapshot:
    def test_area_figures_are_the_same_with_and_without_the_snapshot(self, city, mixed, today):
        live = _figures(city, today)
        assert status_snapshot_refresh(on=today) == len(mixed)
        assert StatusSnapshot.objects.filter(on=today).count() == len(mixed)
        assert _figures(city, today) == live
        assert live[0][StatusCode.AT_RISK] > 0 and live[0][StatusCode.VALID] > 0

    def test_area_counts_read_the_stored_status(self, city, mixed, today):
        status_snapshot_refresh(on=today)
        before = readiness_summary(unit=city["city"], on=today)
        # A stored row is what is counted (nothing recomputes it while it is fresh) …
        row = StatusSnapshot.objects.filter(status=StatusCode.VALID).first()
        StatusSnapshot.objects.filter(pk=row.pk).update(status=StatusCode.REVOKED)
        after = readiness_summary(unit=city["city"], on=today)
        assert after[StatusCode.REVOKED] == before[StatusCode.REVOKED] + 1
        # … and only for the day it was computed for.
        tomorrow = today + datetime.timedelta(days=1)
        assert StatusSnapshot.objects.filter(on=tomorrow).count() == 0
        assert readiness_summary(unit=city["city"], on=tomorrow).total == len(mixed)
        assert readiness_summary(unit=city["city"], on=tomorrow)[StatusCode.REVOKED] == 0

    def test_a_suspension_shows_at_once(self, city, mixed, today):
        status_snapshot_refresh(on=today)
        officer = next(o for o in mixed if o.credentials.exists())
        credential = officer.credentials.get()
        before = readiness_summary(unit=city["city"], on=today)
        credential_suspend(credential=credential, reason="测试", actor=None, effective_on=today)
        assert not StatusSnapshot.objects.filter(officer=officer).exists()
        after = readiness_summary(unit=city["city"], on=today)
        assert after[StatusCode.SUSPENDED] == before[StatusCode.SUSPENDED] + 1

    def test_hours_and_new_certificates_show_at_once(self, city, mixed, today):
        status_snapshot_refresh(on=today)
        behind = [o for o in mixed if o.credentials.exists()]
        stored = {s.officer_id for s in StatusSnapshot.objects.all()}
        hours_add(behind[0], 3, on=today)
        newcomer = next(o for o in mixed if not o.credentials.exists())
        certificate(newcomer, issued_on=today - datetime.timedelta(days=3), fields=("water",))
        left = {s.officer_id for s in StatusSnapshot.objects.all()}
        assert stored - left == {behind[0].pk, newcomer.pk}
        assert readiness_summary(unit=city["city"], on=today)[StatusCode.NOT_QUALIFIED] == sum(
            1 for o in mixed if not o.credentials.exists()
        )

    def test_a_policy_change_forgets_every_status(self, city, mixed, today):
        status_snapshot_refresh(on=today)
        policy = CredentialPolicy.load()
        policy.annual_hours = 200
        policy.save()
        assert StatusSnapshot.objects.count() == 0
        summary = readiness_summary(unit=city["city"], on=today)
        assert summary.total == len(mixed)

    def test_the_nightly_task_replaces_yesterday_and_is_idempotent(self, city, mixed, today):
        status_snapshot_refresh(on=today - datetime.timedelta(days=1))
        assert StatusSnapshot.objects.exclude(on=today).count() == len(mixed)
        assert refresh_task.delay().get() == len(mixed)
        assert StatusSnapshot.objects.filter(on=today).count() == len(mixed)
        assert status_snapshot_refresh(on=today) == 0


@pytest.mark.django_db
def test_an_area_with_nobody_at_risk_lists_nobody(city, fields, today):
    """An empty at-risk list is an empty list, from the snapshot and live alike."""
    officer = OfficerFactory(unit=city["township11"])
    certificate(officer, issued_on=today - datetime.timedelta(days=20), fields=("water",))
    hours_add(officer, 60, on=today)
    assert officers_at_risk(city["city"], on=today) == []
    status_snapshot_refresh(on=today)
    assert officers_at_risk(city["city"], on=today) == []
    assert readiness_summary(unit=city["city"], on=today)[StatusCode.VALID] == 1


@pytest.mark.django_db
def test_with_everyone_stored_the_database_never_runs_the_status_rules(city, mixed, today):
    """The live part of the area rows is behind a one-time check: with a full snapshot,
    PostgreSQL plans it but never executes it, so a province's dashboard does not read
    every certificate of the nation."""
    from django.db import connection

    from certification.selectors.readiness import area_rows_sql, officers_under

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN ANALYZE's 'never executed' is PostgreSQL's")
    status_snapshot_refresh(on=today)
    sql, params = area_rows_sql(officers_under(city["city"]), on=today)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) SELECT COUNT(*) FROM ({sql}) s", params)  # noqa: S608 - generated SQL; values are parameters
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "certification_credential" in plan
    credential_scans = [line for line in plan.splitlines() if "certification_credential" in line]
    assert all("never executed" in line for line in credential_scans), plan
