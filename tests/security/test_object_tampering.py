"""Object-level tampering: a signed-in user who puts someone else's id in a URL gets a 404
(or a 403), and nothing of the other person's changes.

DESIGN.md §3 and the common brief: another user's object is a 404, so its existence is not
revealed. The attacker here is never anonymous: it holds a real account and a real role.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

import pytest

from courses.models import ApplicationStatus, ReflectionReview
from people.factories import StaffFactory
from people.models import Role
from quizzes.models import AttemptStatus

from .conftest import REFLECTION_TEXT, ROUTES

ATTEMPT_ROUTES = [route for route in ROUTES if "<uuid:public_id>" in route.pattern]


def test_every_attempt_endpoint_is_discovered():
    names = {route.name for route in ATTEMPT_ROUTES}
    assert {"quizzes:attempt", "quizzes:attempt_answer", "quizzes:attempt_result"} <= names


def _hit(client, method: str, url: str):
    if method == "GET":
        return client.get(url)
    if url.endswith("/answer/"):
        body = json.dumps({"q": 1, "a": [0], "seq": 99})
        return client.post(url, body, content_type="application/json")
    return client.post(url, {"shown": ["1"], "q1": ["0"], "go": "finish"})


# --- Quiz attempts ----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OFFICER, Role.TRAINER, Role.CITY_ADMIN])
@pytest.mark.parametrize("route", ATTEMPT_ROUTES, ids=str)
def test_another_officers_attempt_is_404_on_every_endpoint(world, as_role, route, role):
    """The viewing officer's neighbour in the same township, and staff over them, alike."""
    client = as_role(world, role)
    for attempt in (world.neighbour_open, world.neighbour_graded):
        url = reverse(route.name, kwargs={"public_id": attempt.public_id})
        statuses = {method: _hit(client, method, url).status_code for method in ("GET", "POST")}
        # 405: the endpoint does not take that method at all, which reveals nothing; the
        # method it does take must answer 404.
        assert set(statuses.values()) <= {404, 405}, f"{role} {url}: {statuses}"
        assert 404 in statuses.values(), f"{role} {url}: {statuses}"
    open_attempt = world.neighbour_open
    open_attempt.refresh_from_db()
    assert open_attempt.status == AttemptStatus.IN_PROGRESS
    assert not open_attempt.slots.filter(seq__gt=0).exists()


@pytest.mark.django_db
def test_a_guessed_attempt_id_is_404(world, as_role):
    client = as_role(world, Role.OFFICER)
    response = client.get(
        reverse("quizzes:attempt", kwargs={"public_id": "00000000-0000-4000-8000-000000000000"})
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_officer_results_of_someone_outside_scope_are_404(world, as_role):
    client = as_role(world, Role.TOWNSHIP_SUPERVISOR)
    url = reverse("quizzes:officer_result_detail", args=[world.markers["township21"].pk])
    assert client.get(url).status_code == 404
    client = as_role(world, Role.TRAINER)
    assert client.get(url).status_code == 404
    client = as_role(world, Role.OFFICER)
    url = reverse("quizzes:officer_result_detail", args=[world.neighbour.pk])
    assert client.get(url).status_code in (403, 404)


# --- Observation: applications and reflections -----------------------------------------------


@pytest.mark.django_db
def test_another_officers_reflection_cannot_be_read_or_filed(world, as_role):
    client = as_role(world, Role.OFFICER)
    theirs = world.applications["neighbour"]
    url = reverse("courses:reflection_submit", args=[theirs.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"text": REFLECTION_TEXT + "冒名"})
    assert response.status_code == 404
    assert theirs.reflections.count() == 1
    assert REFLECTION_TEXT not in client.get(reverse("courses:my_training")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["courses:placement_decide", "courses:placement_confirm", "courses:reflection_review"]
)
def test_an_officer_cannot_decide_confirm_or_review_applications(world, as_role, name):
    client = as_role(world, Role.OFFICER)
    application = world.applications["neighbour"]
    url = reverse(name, args=[application.pk])
    response = client.post(url, {"accept": "1", "decision": "approve", "comment": "好"})
    assert response.status_code in (403, 404)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_countys_trainer_cannot_review_a_reflection(world, client, method):
    client.force_login(world.trainer2)
    application = world.applications["township11"]
    url = reverse("courses:reflection_review", args=[application.pk])
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {"decision": "approve", "comment": ""})
    assert response.status_code in (403, 404)
    assert "赵一一" not in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not ReflectionReview.objects.filter(reflection__application=application).exists()


@pytest.mark.django_db
def test_another_countys_trainer_cannot_manage_a_placement(world, client):
    client.force_login(world.trainer2)
    assert (
        client.get(reverse("courses:placement_manage", args=[world.placement.pk])).status_code
        == 404
    )
    response = client.post(
        reverse("courses:placement_decide", args=[world.applications["township12"].pk]),
        {"accept": "0"},
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_applying_to_another_countys_placement_creates_nothing(world, as_role):
    client = as_role(world, Role.OFFICER)
    response = client.post(reverse("courses:placement_apply", args=[world.placement2.pk]))
    assert response.status_code < 500
    assert not world.placement2.applications.filter(officer=world.users[Role.OFFICER]).exists()


# --- Lectures and field practice --------------------------------------------------------------


@pytest.mark.django_db
def test_another_countys_lecture_is_404_to_an_officer(world, as_role):
    client = as_role(world, Role.OFFICER)
    lecture = world.lecture2
    assert client.get(reverse("courses:lecture_detail", args=[lecture.pk])).status_code == 404
    for name in ("courses:lecture_signup", "courses:lecture_checkin", "courses:lecture_roster"):
        response = client.post(
            reverse(name, args=[lecture.pk]),
            {"code": lecture.attendance_code, "officer": [world.users[Role.OFFICER].pk]},
        )
        assert response.status_code == 404, name
    assert not lecture.signups.exists()
    assert not lecture.attendances.exists()


@pytest.mark.django_db
def test_an_officer_cannot_mark_a_lecture_roster(world, as_role):
    client = as_role(world, Role.OFFICER)
    lecture = world.lecture
    response = client.post(
        reverse("courses:lecture_roster", args=[lecture.pk]),
        {"officer": [world.users[Role.OFFICER].pk, world.neighbour.pk]},
    )
    assert response.status_code == 404
    assert not lecture.attendances.exists()
    client.force_login(world.trainer2)
    response = client.post(
        reverse("courses:lecture_roster", args=[lecture.pk]), {"officer": [world.neighbour.pk]}
    )
    assert response.status_code == 404
    assert not lecture.attendances.exists()


@pytest.mark.django_db
def test_field_practice_of_others_is_404(world, as_role, client):
    stranger = world.markers["township12"]
    client.force_login(stranger)
    assert client.get(reverse("courses:field_session", args=[world.session.pk])).status_code == 404
    client = as_role(world, Role.OFFICER)
    for name, pk, method in (
        ("courses:field_evaluate", world.participant.pk, "GET"),
        ("courses:field_sign", world.session.pk, "POST"),
        ("courses:field_acknowledge", world.neighbour_participant.pk, "POST"),
    ):
        url = reverse(name, args=[pk])
        response = client.get(url) if method == "GET" else client.post(url, {"password": "x"})
        assert response.status_code == 404, name
    world.neighbour_participant.refresh_from_db()
    assert world.neighbour_participant.acknowledged_at is None
    client.force_login(world.trainer2)
    url = reverse("courses:field_evaluate", args=[world.participant.pk])
    assert client.get(url).status_code == 404


# --- Marking and case assignments -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_another_countys_trainer_cannot_mark_an_essay(world, client, method):
    client.force_login(world.trainer2)
    attempt = world.marker_attempts["township11"]
    slot = attempt.slots.get(question__qtype="essay")
    url = reverse("quizzes:mark_essay", args=[slot.pk])
    response = client.get(url) if method == "GET" else client.post(url, {"points": "3"})
    assert response.status_code in (403, 404)
    slot.refresh_from_db()
    assert slot.points is None
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED


@pytest.mark.django_db
def test_another_countys_bureau_cannot_withdraw_a_case_assignment(world, client):
    bureau2 = StaffFactory(role=Role.JUSTICE_BUREAU, unit=world.city["bureau2"])
    client.force_login(bureau2)
    assignment = world.assignments["township11"]
    response = client.post(reverse("cases:case_assignment_withdraw", args=[assignment.pk]))
    assert response.status_code in (403, 404)
    assignment.refresh_from_db()
    assert assignment.withdrawn_at is None


# --- Files: exports and attachments -----------------------------------------------------------


@pytest.mark.django_db
def test_someone_elses_readiness_export_is_404(world, client):
    """The one place certification is tested here: its XLSX export belongs to whoever asked."""
    from certification.models import ExportJob

    job = ExportJob.objects.create(
        user=world.users[Role.CITY_ADMIN], unit=world.city["county1"], on=timezone.localdate()
    )
    job.file.save("readiness-test.xlsx", ContentFile(b"PK\x03\x04 not really"), save=True)
    urls = [
        reverse("certification:export_download", args=[job.pk]),
        reverse("certification:export_status", args=[job.pk]),
    ]
    for role in (Role.JUSTICE_BUREAU, Role.TRAINER, Role.TOWNSHIP_SUPERVISOR, Role.OFFICER):
        client.force_login(world.users[role])
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
    client.force_login(world.users[Role.CITY_ADMIN])
    download = client.get(urls[0])
    assert download.status_code == 200
    # Read to its end, a file response is closed by the test client (file released, the
    # test's database connection left alone).
    assert b"".join(download.streaming_content).startswith(b"PK")


def _attachment_url(world, client):
    application = world.applications["viewer"]
    application.status = ApplicationStatus.RETURNED
    application.save(update_fields=["status"])
    client.force_login(world.users[Role.OFFICER])
    upload = SimpleUploadedFile("观摩心得.pdf", b"%PDF-1.4 private notes", "application/pdf")
    response = client.post(
        reverse("courses:reflection_submit", args=[application.pk]),
        {"text": REFLECTION_TEXT + "补充", "attachments": [upload]},
    )
    assert response.status_code == 302
    page = client.get(reverse("courses:reflection_submit", args=[application.pk]))
    links = re.findall(r'href="([^"]+\.pdf)"', page.content.decode())
    assert links, "the reflection page links its attachment"
    return links[0]


@pytest.mark.django_db
def test_a_reflection_attachment_is_served_only_to_its_owner_and_reviewers(world, client):
    url = _attachment_url(world, client)
    owner = client.get(url)
    assert owner.status_code == 200, "the owner can download their attachment"
    assert b"".join(owner.streaming_content).startswith(b"%PDF")  # read to its end: closed
    client.force_login(world.neighbour)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code in (302, 404)


def _nginx_internal_media_prefixes() -> list[str]:
    conf = Path(settings.BASE_DIR, "site", "nginx", "enforcement-academy.conf").read_text()
    prefixes = []
    for match in re.finditer(r"location\s+(/media/[^\s{]*)\s*\{([^}]*)\}", conf):
        if re.search(r"^\s*internal;", match.group(2), re.MULTILINE):
            prefixes.append(match.group(1))
    return prefixes


def _private_upload_prefixes():
    from certification.models import ExportJob
    from courses.models import ReflectionAttachment

    yield "reflections/", ReflectionAttachment
    yield ExportJob._meta.get_field("file").upload_to, ExportJob


def _nginx_public_media_folders() -> set[str]:
    conf = Path(settings.BASE_DIR, "site", "nginx", "enforcement-academy.conf").read_text()
    match = re.search(r"location ~ \^/media/\(([^)]*)\)/", conf)
    return set(match.group(1).split("|")) if match else set()


def test_private_uploads_are_never_served_as_public_media():
    """nginx serves an allow-list of media folders, the same as `make run` does; the rest
    of /media/ (documents, reflections, exports, anything added later) is internal."""
    from people.media import PUBLIC_MEDIA_FOLDERS

    assert "/media/" in _nginx_internal_media_prefixes()
    public = _nginx_public_media_folders()
    assert public == set(PUBLIC_MEDIA_FOLDERS)
    exposed = [
        f"{model.__name__}: /media/{prefix}"
        for prefix, model in _private_upload_prefixes()
        if prefix.split("/")[0] in public
    ]
    assert not exposed, exposed
    assert "documents" not in public
