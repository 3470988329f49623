"""Suspension and reinstatement decisions are the county justice bureau's: an officer, a
township supervisor and another county's bureau cannot suspend, approve or refuse (they
write nothing), and the bureau of the officer's county can."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from certification.factories import certificate, hours_add
from certification.models import CredentialEvent, ReinstatementRequest
from certification.selectors import credential_status
from certification.services import reinstatement_request_create
from people.factories import StaffFactory
from people.models import Role

D = datetime.date


def _suspended_with_request(officer):
    today = timezone.localdate()
    certificate(officer, issued_on=D(today.year - 2, 1, 1))
    hours_add(officer, 60, on=D(today.year - 2, 6, 1))
    hours_add(officer, 30, on=D(today.year - 1, 6, 1))
    hours_add(officer, 31, on=D(today.year, 1, 2), title="补学")
    return reinstatement_request_create(officer=officer)


def _client_for(world, client, who):
    if who == "other_bureau":
        user = StaffFactory(role=Role.JUSTICE_BUREAU, unit=world.city["bureau2"])
    else:
        user = world.users[who]
    client.force_login(user)
    return client


WRONG = [Role.OFFICER, Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_HEAD, "other_bureau"]


@pytest.mark.django_db
@pytest.mark.parametrize("who", WRONG)
def test_only_the_county_bureau_can_suspend(world, client, who):
    officer = world.markers["township11"]
    certificate(officer, issued_on=timezone.localdate() - datetime.timedelta(days=30))
    client = _client_for(world, client, who)
    url = reverse("certification:officer_suspend", args=[officer.pk])
    data = {"reason": "冒用", "effective_on": timezone.localdate().isoformat(), "confirm": "1"}
    response = client.post(url, data)
    assert response.status_code in (403, 404)
    assert not CredentialEvent.objects.filter(kind="suspension").exists()
    assert credential_status(officer=officer).code != "suspended"


@pytest.mark.django_db
@pytest.mark.parametrize("who", WRONG)
@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_only_the_county_bureau_can_decide_a_request(world, client, who, decision):
    request = _suspended_with_request(world.markers["township11"])
    client = _client_for(world, client, who)
    url = reverse("certification:reinstatement_decide")
    for extra in ({"county": world.city["county1"].code}, {}):
        client.post(url, {**extra, "decision": decision, "request": [request.pk], "reason": "越权"})
        client.post(url, {**extra, "decision": decision, "only": request.pk, "reason": "越权"})
    request.refresh_from_db()
    assert request.status == "pending"
    assert not CredentialEvent.objects.filter(kind="reinstatement").exists()
    # Nor may they bulk-reinstate from the annual review page.
    client.post(
        reverse("certification:annual_review"),
        {
            "county": world.city["county1"].code,
            "action": "reinstate_selected",
            "officer": [request.officer_id],
        },
    )
    assert not CredentialEvent.objects.filter(kind="reinstatement").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", [Role.OFFICER, Role.TOWNSHIP_SUPERVISOR, "other_bureau"])
def test_the_request_list_is_not_shown_outside_the_county(world, client, who):
    _suspended_with_request(world.markers["township11"])
    client = _client_for(world, client, who)
    response = client.get(reverse("certification:reinstatement_requests"))
    assert response.status_code in (403, 404) or "赵一一" not in response.content.decode()


@pytest.mark.django_db
def test_the_county_bureau_can_decide(world, client):
    request = _suspended_with_request(world.markers["township11"])
    client.force_login(world.users[Role.JUSTICE_BUREAU])
    client.post(
        reverse("certification:reinstatement_decide"),
        {"decision": "approve", "request": [request.pk]},
    )
    assert ReinstatementRequest.objects.get(pk=request.pk).status == "approved"
