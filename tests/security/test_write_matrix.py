"""The back office's write paths, for every snippet of the project and every role.

The suite finds the snippets itself (`wagtail.snippets.models.get_snippet_models`), so a new
snippet is covered the day it is registered: it fails here until `SAMPLES` says how to make
one row of it outside the area of county 1's staff.

For each snippet and each role of county 1 (and the roles without admin access), the admin
add, edit and delete views are asked to write a row that belongs to county 2 or to the city,
with a payload that changes a text field to a marker. Each must refuse: nothing is created,
changed or deleted. The same payload, sent by a superuser, must be accepted — so a refusal
here is the area rule at work, not a malformed form.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.forms import BooleanField, ModelChoiceField, ModelMultipleChoiceField
from django.urls import reverse
from django.utils import timezone

from wagtail.models import DraftStateMixin
from wagtail.permissions import policy_registry
from wagtail.snippets.models import get_snippet_models

import pytest

from people.models import Role
from people.policies import PROJECT_APPS, ScopedPermissionPolicy, ScopedSnippetViewSet

MARKER = "越权写入标记"

#: Roles that attack from county 1; staff of county 2 own the samples.
ATTACKERS = [
    Role.OFFICER,
    Role.HOST,
    Role.TOWNSHIP_SUPERVISOR,
    Role.TOWNSHIP_HEAD,
    Role.TRAINER,
    Role.JUSTICE_BUREAU,
]


def _lecture(city, users):
    from courses.factories import LectureFactory

    return LectureFactory(county=city["county2"], lecturer=users["trainer2"])


def _placement(city, users):
    from courses.factories import PlacementFactory

    return PlacementFactory(host_unit=city["department2"])


def _checklist_item(city, users):
    from courses.models import ChecklistItem

    return ChecklistItem.objects.create(
        label="依法出示执法证件", code="matrix_badge", sort_order=99
    )


def _field(city, users):
    from powers.factories import EnforcementFieldFactory

    return EnforcementFieldFactory()


def _power(city, users):
    from powers.factories import PowerFactory

    return PowerFactory()


def _power_list(city, users):
    from powers.factories import PowerFactory, PowerListFactory

    return PowerListFactory(powers=[PowerFactory()])


def _exam(city, users):
    from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory
    from quizzes.models import QuizKind

    category = QuestionCategoryFactory(name="通用法律知识题库")
    question = QuestionFactory(category=category)
    return QuizFactory(
        title="通用法律知识资格考试", kind=QuizKind.GENERAL_LAW, questions=[question]
    )


def _exam_category(city, users):
    return _exam(city, users).fixed_questions.first().question.category


def _exam_question(city, users):
    return _exam(city, users).fixed_questions.first().question


def _override(city, users):
    from quizzes.models import QuizOverride

    return QuizOverride.objects.create(
        quiz=_exam(city, users),
        user=users["officer2"],
        attempts_allowed=2,
        reason="因公出差，补考一次",
        created_by=users["cityadmin"],
    )


#: How to make one row of each snippet that county 1's staff must not write.
SAMPLES = {
    "courses.Lecture": _lecture,
    "courses.Placement": _placement,
    "courses.ChecklistItem": _checklist_item,
    "powers.EnforcementField": _field,
    "powers.Power": _power,
    "powers.PowerList": _power_list,
    "quizzes.Quiz": _exam,
    "quizzes.QuestionCategory": _exam_category,
    "quizzes.Question": _exam_question,
    "quizzes.QuizOverride": _override,
}


def project_snippets() -> list[type]:
    return sorted(
        (m for m in get_snippet_models() if m._meta.app_label in PROJECT_APPS),
        key=lambda m: m._meta.label,
    )


SNIPPETS = project_snippets()


def _people(city):
    from people.factories import OfficerFactory, StaffFactory

    def staff(role, unit, name):
        return StaffFactory(role=role, unit=city[unit], username=name)

    return {
        Role.OFFICER: OfficerFactory(unit=city["township11"], username="m_officer1"),
        Role.HOST: staff(Role.HOST, "department1", "m_host1"),
        Role.TOWNSHIP_SUPERVISOR: staff(Role.TOWNSHIP_SUPERVISOR, "township11", "m_sup1"),
        Role.TOWNSHIP_HEAD: staff(Role.TOWNSHIP_HEAD, "township11", "m_head1"),
        Role.TRAINER: staff(Role.TRAINER, "department1", "m_trainer1"),
        Role.JUSTICE_BUREAU: staff(Role.JUSTICE_BUREAU, "bureau1", "m_bureau1"),
        "trainer2": staff(Role.TRAINER, "department2", "m_trainer2"),
        "officer2": OfficerFactory(unit=city["township21"], username="m_officer2"),
        "cityadmin": staff(Role.CITY_ADMIN, "city", "m_cityadmin"),
    }


def _superuser():
    from people.models import User

    user, _created = User.objects.get_or_create(
        username="m_root", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def _scalar(bound):
    value = bound.value()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time | Decimal):
        return bound.field.widget.format_value(value)
    return "" if value is None else value


def _form_fields_data(form, data: dict) -> None:
    for name, field in form.fields.items():
        bound = form[name]
        if getattr(field, "disabled", False):
            continue
        if isinstance(field, BooleanField):
            if bound.value():
                data[bound.html_name] = "on"
        elif isinstance(field, ModelMultipleChoiceField):
            data[bound.html_name] = [str(v) for v in (bound.value() or [])]
        elif isinstance(field, ModelChoiceField):
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
        else:
            data[bound.html_name] = _scalar(bound)


def form_payload(model, instance, user) -> dict:
    """What the admin form of `instance` would post, as its editor sees it."""
    form_class = model.snippet_viewset.get_form_class()
    form = form_class(instance=instance, for_user=user)
    data: dict = {}
    _form_fields_data(form, data)
    for formset in getattr(form, "formsets", {}).values():
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[management[name].html_name] = management[name].value()
        for subform in formset.forms:
            _form_fields_data(subform, data)
    return data


def tamper(model, data: dict) -> str:
    """Put the marker into the payload's first free-text field; returns that field's name."""
    form_class = model.snippet_viewset.get_form_class()
    for name, field in form_class.base_fields.items():
        if field.__class__.__name__ in ("CharField", "RegexField") and not getattr(
            field, "choices", None
        ):
            max_length = getattr(field, "max_length", None) or 100
            data[name] = MARKER[:max_length]
            return name
    raise AssertionError(f"{model._meta.label} has no text field to tamper with")


def uniquify(model, data: dict) -> None:
    """Make the payload's unique text values new, so it is a valid add as well as an edit."""
    for field in model._meta.concrete_fields:
        if field.unique and not field.primary_key and data.get(field.name):
            data[field.name] = f"{data[field.name]}-n"[: field.max_length or 100]


def _form_errors(response) -> str:
    context = getattr(response, "context", None) or {}
    form = context.get("form") if hasattr(context, "get") else None
    return repr(form.errors if form is not None else response.status_code)


def _row_state(model, pk):
    return {
        f.attname: getattr(obj, f.attname)
        for obj in [model._default_manager.get(pk=pk)]
        for f in model._meta.concrete_fields
    }


def _url(model, action, pk=None):
    name = f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:{action}"
    return reverse(name, args=[pk] if pk is not None else [])


@pytest.fixture
def setup(db):
    from people.factories import city_tree

    city = city_tree()
    return city, _people(city)


def test_every_snippet_has_a_sample_and_a_scoped_policy():
    assert SNIPPETS, "no snippets found"
    for model in SNIPPETS:
        label = model._meta.label
        assert label in SAMPLES, f"add a sample of {label} to SAMPLES"
        assert isinstance(model.snippet_viewset, ScopedSnippetViewSet), label
        assert isinstance(policy_registry.get_by_type(model), ScopedPermissionPolicy), label


@pytest.mark.parametrize("model", SNIPPETS, ids=lambda m: m._meta.label)
def test_superuser_payload_is_accepted(client, setup, model):
    """The control: the payload the attackers send is a valid edit and a valid add."""
    city, users = setup
    obj = SAMPLES[model._meta.label](city, users)
    root = _superuser()
    client.force_login(root)
    data = form_payload(model, obj, root)
    if issubclass(model, DraftStateMixin):
        data["action-publish"] = "action-publish"  # a plain save of a live row is a draft
    field = tamper(model, data)
    response = client.post(_url(model, "edit", obj.pk), data)
    assert response.status_code == 302, _form_errors(response)
    obj.refresh_from_db()
    assert str(getattr(obj, field)).startswith(MARKER[:2])
    before = model._default_manager.count()
    data[field] = MARKER[:2] + "新"
    uniquify(model, data)
    response = client.post(_url(model, "add"), data)
    assert response.status_code == 302, _form_errors(response)
    assert model._default_manager.count() == before + 1


@pytest.mark.parametrize("role", ATTACKERS)
@pytest.mark.parametrize("model", SNIPPETS, ids=lambda m: m._meta.label)
def test_out_of_area_writes_are_refused(client, setup, model, role):
    city, users = setup
    obj = SAMPLES[model._meta.label](city, users)
    attacker = users[role]
    data = form_payload(model, obj, _superuser())
    if issubclass(model, DraftStateMixin):
        data["action-publish"] = "action-publish"
    tamper(model, data)
    uniquify(model, data)
    state = _row_state(model, obj.pk)
    count = model._default_manager.count()
    client.force_login(attacker)

    for url in (_url(model, "edit", obj.pk), _url(model, "delete", obj.pk)):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        assert MARKER.encode() not in response.content

    with transaction.atomic():
        client.post(_url(model, "edit", obj.pk), data)
        client.post(_url(model, "delete", obj.pk))
        client.post(_url(model, "add"), data)
        bulk = reverse(
            "wagtail_bulk_action", args=[model._meta.app_label, model._meta.model_name, "delete"]
        )
        client.post(f"{bulk}?id={obj.pk}", {})

    assert model._default_manager.filter(pk=obj.pk).exists(), "deleted"
    assert _row_state(model, obj.pk) == state, "changed"
    assert model._default_manager.count() == count, "created"


@pytest.mark.parametrize("model", SNIPPETS, ids=lambda m: m._meta.label)
def test_listing_shows_no_out_of_area_row_to_county_staff(client, setup, model):
    city, users = setup
    obj = SAMPLES[model._meta.label](city, users)
    policy = policy_registry.get_by_type(model)
    for role in (Role.TRAINER, Role.JUSTICE_BUREAU):
        user = users[role]
        listed = model.snippet_viewset.get_queryset(_request(user))
        writable = policy.instances_user_has_any_permission_for(user, ["change", "delete"])
        assert not writable.filter(pk=obj.pk).exists(), (role, "may write")
        if not isinstance(obj, _city_readable()):
            assert not listed.filter(pk=obj.pk).exists(), (role, "lists it")


def _city_readable() -> tuple[type, ...]:
    """Reference data every admin user reads: the catalogue, the checklist, the bank."""
    from courses.models import ChecklistItem
    from powers.models import EnforcementField, Power, PowerList
    from quizzes.models import Question, QuestionCategory, Quiz

    return (ChecklistItem, EnforcementField, Power, PowerList, Question, QuestionCategory, Quiz)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_lecture_edit_page_hides_another_countys_code_and_roster(client, setup):
    """Finding 3: the edit form of another county's lecture showed its attendance code."""
    city, users = setup
    lecture = _lecture(city, users)
    client.force_login(users[Role.TRAINER])
    response = client.get(_url(lecture.__class__, "edit", lecture.pk))
    assert response.status_code == 404
    assert lecture.attendance_code.encode() not in response.content


def test_trainer_cannot_create_a_lecture_for_another_county(client, setup):
    """Finding 3: a lecture created in another county, with 200 hours, credited through the roster."""
    from courses.models import Lecture

    city, users = setup
    trainer = users[Role.TRAINER]
    client.force_login(trainer)
    start = timezone.localtime() + datetime.timedelta(days=2)
    data = {
        "title": "越权讲座",
        "module": "",
        "county": str(city["county2"].pk),
        "lecturer_name": "某某",
        "lecturer": str(trainer.pk),
        "place": "某地",
        "starts_at": start.strftime("%Y-%m-%d %H:%M"),
        "ends_at": (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%d %H:%M"),
        "capacity": "30",
        "hours": "200",
        "category": "public_law",
    }
    response = client.post(_url(Lecture, "add"), data)
    assert not Lecture.objects.filter(title="越权讲座").exists()
    assert response.status_code == 200  # the form again, with the refusal

    data["county"] = str(city["county1"].pk)
    data["hours"] = "3"
    response = client.post(_url(Lecture, "add"), data)
    assert response.status_code == 302
    assert Lecture.objects.get(title="越权讲座").county == city["county1"]


def test_lecture_form_offers_only_own_area_choices(client, setup):
    city, users = setup
    client.force_login(users[Role.TRAINER])
    from courses.models import Lecture

    response = client.get(_url(Lecture, "add"))
    assert response.status_code == 200
    form = response.context["form"]
    counties = set(form.fields["county"].queryset)
    assert city["county1"] in counties
    assert city["county2"] not in counties
    assert city["city"] not in counties
    lecturers = set(form.fields["lecturer"].queryset)
    assert users["trainer2"] not in lecturers
    assert users[Role.TRAINER] in lecturers


def test_placement_hours_of_another_county_cannot_be_raised(client, setup):
    """Finding 3: a court placement of another county edited to 200 hours."""
    from courses.models import Placement

    city, users = setup
    placement = _placement(city, users)
    root = _superuser()
    data = form_payload(Placement, placement, root)
    data["hours"] = "200"
    client.force_login(users[Role.TRAINER])
    response = client.post(_url(Placement, "edit", placement.pk), data)
    assert response.status_code == 404
    placement.refresh_from_db()
    assert placement.hours == Decimal("4.0")


@pytest.mark.parametrize("role", ATTACKERS)
def test_the_credential_policy_is_changed_by_the_city_only(client, setup, role):
    """The numbers of the certificate rules are a Wagtail setting of the city."""
    from certification.models import CredentialPolicy

    city, users = setup
    policy = CredentialPolicy.load()
    before = policy.annual_hours
    url = reverse("wagtailsettings:edit", args=["certification", "credentialpolicy", policy.pk])
    client.force_login(users[role])
    assert client.get(url).status_code in (302, 403)
    client.post(url, {"annual_hours": "1"})
    policy.refresh_from_db()
    assert policy.annual_hours == before

    client.force_login(users["cityadmin"])
    assert client.get(url).status_code == 200


def test_bulk_delete_url_works_for_those_who_may(client, setup):
    """The control for the bulk-delete step of the matrix: the same request by a superuser
    deletes the lecture (trainers may not delete lectures at all)."""
    from courses.models import Lecture

    city, users = setup
    lecture = _lecture(city, users)
    bulk = reverse("wagtail_bulk_action", args=["courses", "lecture", "delete"])
    client.force_login(users[Role.TRAINER])
    client.post(f"{bulk}?id={lecture.pk}", {})
    assert Lecture.objects.filter(pk=lecture.pk).exists()
    client.force_login(_superuser())
    response = client.post(f"{bulk}?id={lecture.pk}", {})
    assert response.status_code == 302
    assert not Lecture.objects.filter(pk=lecture.pk).exists()


@pytest.mark.parametrize("label", ["powers.Power", "powers.PowerList", "quizzes.Quiz"])
def test_county_staff_still_read_the_citys_reference_data(setup, label):
    """Scoping writes must not hide what everyone reads: the catalogue and the quiz bank."""
    city, users = setup
    model = next(m for m in SNIPPETS if m._meta.label == label)
    obj = SAMPLES[label](city, users)
    trainer = users[Role.TRAINER]
    assert model.snippet_viewset.get_queryset(_request(trainer)).filter(pk=obj.pk).exists()
    assert not policy_registry.get_by_type(model).user_has_permission_for_instance(
        trainer, "change", obj
    )
