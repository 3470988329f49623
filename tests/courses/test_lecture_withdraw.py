"""Withdrawing from a lecture asks first; an officer on the waiting list sees their place."""

import datetime

from django.urls import reverse
from django.utils import timezone

import pytest

from courses.factories import LectureFactory
from courses.models import LectureSignup, SignupStatus
from courses.selectors import waiting_positions
from courses.services import lecture_signup, lecture_withdraw
from people.factories import OfficerFactory

pytestmark = pytest.mark.usefixtures("english")

NOW = timezone.now()


@pytest.fixture
def lecture(city):
    return LectureFactory(
        county=city["county1"],
        capacity=1,
        starts_at=NOW + datetime.timedelta(days=1),
        ends_at=NOW + datetime.timedelta(days=1, hours=3),
    )


@pytest.fixture
def queue(city, lecture):
    """One confirmed officer and three on the waiting list, in sign-up order."""
    officers = [OfficerFactory(unit=city["township11"]) for _ in range(4)]
    for minutes, officer in enumerate(officers):
        lecture_signup(
            officer=officer, lecture=lecture, now=NOW + datetime.timedelta(minutes=minutes)
        )
    return officers


@pytest.mark.django_db
def test_waiting_positions_follow_the_order_places_are_given(lecture, queue):
    signups = list(LectureSignup.objects.filter(lecture=lecture))
    positions = waiting_positions(signups=signups)
    by_officer = {s.officer_id: positions.get(s.pk) for s in signups}
    assert [by_officer[o.pk] for o in queue] == [None, 1, 2, 3]
    # The first on the list moves up when the confirmed officer withdraws; the rest move up.
    assert lecture_withdraw(officer=queue[0], lecture=lecture, now=NOW).officer == queue[1]
    signups = list(LectureSignup.objects.filter(lecture=lecture))
    positions = waiting_positions(signups=signups)
    assert {s.officer_id: positions.get(s.pk) for s in signups}[queue[3].pk] == 2


@pytest.mark.django_db
def test_the_lecture_pages_show_the_officers_place_on_the_waiting_list(client, lecture, queue):
    client.force_login(queue[3])
    detail = client.get(reverse("courses:lecture_detail", args=[lecture.pk])).content.decode()
    assert "You are number 3 on the waiting list." in detail
    listing = client.get(reverse("courses:lecture_list")).content.decode()
    assert 'data-waiting-position="3"' in listing and "(number 3)" in listing


@pytest.mark.django_db
def test_withdrawing_without_confirming_shows_the_confirm_page_and_changes_nothing(
    client, lecture, queue
):
    client.force_login(queue[0])
    url = reverse("courses:lecture_withdraw", args=[lecture.pk])
    response = client.post(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Withdraw from the lecture?" in page
    assert "your place goes to the next officer on the waiting list" in page
    assert 'name="confirm" value="yes"' in page
    statuses = dict(LectureSignup.objects.filter(lecture=lecture).values_list("officer", "status"))
    assert statuses[queue[0].pk] == SignupStatus.CONFIRMED
    assert statuses[queue[1].pk] == SignupStatus.WAITING

    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "You have withdrawn from the lecture." in response.content.decode()
    statuses = dict(LectureSignup.objects.filter(lecture=lecture).values_list("officer", "status"))
    assert statuses[queue[0].pk] == SignupStatus.WITHDRAWN
    assert statuses[queue[1].pk] == SignupStatus.CONFIRMED


@pytest.mark.django_db
def test_the_confirm_page_of_a_waiting_officer_shows_their_place(client, lecture, queue):
    client.force_login(queue[2])
    page = client.post(reverse("courses:lecture_withdraw", args=[lecture.pk])).content.decode()
    assert "You are number 2 on the waiting list." in page
    assert LectureSignup.objects.get(officer=queue[2]).status == SignupStatus.WAITING
