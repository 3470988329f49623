"""The security suite's shared world: one small city with every role, objects for every view,
and the project's URL patterns discovered from the resolver.

Building the world takes a few seconds, and the matrix asks hundreds of questions of it, so
each test module builds it once (`world`, module scope) inside a transaction that is rolled
back when the module ends; each test still runs in its own savepoint (the `db` fixture), so
nothing a test writes leaks into the next one, and nothing the module writes leaks out.
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

import pytest

from people.models import Role, UnitKind

#: Every role of DESIGN.md §2, and the anonymous visitor.
ROLES = [
    "anonymous",
    Role.OFFICER,
    Role.TRAINER,
    Role.HOST,
    Role.TOWNSHIP_SUPERVISOR,
    Role.TOWNSHIP_HEAD,
    Role.JUSTICE_BUREAU,
    Role.CITY_ADMIN,
]

#: One officer with a name found nowhere else in every grassroots unit of the city.
MARKERS = {
    "township11": "赵一一",
    "township12": "钱一二",
    "township21": "孙二一",
    "township22": "李二二",
    "subdistrict1": "周街一",
}

COUNTY1 = {"township11", "township12", "subdistrict1"}

#: Whose officers each role may see (DESIGN.md §2: a role's part of the organisation tree).
#: The viewers sit in township 11 / county 1; an officer or a host oversees nobody.
SCOPE: dict[str, set[str]] = {
    "anonymous": set(),
    Role.OFFICER: set(),
    Role.HOST: set(),
    Role.TOWNSHIP_SUPERVISOR: {"township11"},
    Role.TOWNSHIP_HEAD: {"township11"},
    Role.TRAINER: COUNTY1,
    Role.JUSTICE_BUREAU: COUNTY1,
    Role.CITY_ADMIN: set(MARKERS),
}

#: Path prefixes that are not the product's own views (Wagtail and Django admin, documents,
#: static and media files, the language switch).
EXCLUDED_PREFIXES = ("admin/", "django-admin/", "documents/", "i18n/", "static/", "media/")

#: Apps whose views are left out of the matrix (none: every app's views are in it).
EXCLUDED_APPS: tuple[str, ...] = ()

#: Pages anyone may read without signing in.
# Public verification pages (`verify`) answer 404 to an unknown token, as the matrix expects.
PUBLIC_NAMES = {
    "login",
    "powers:index",
    "powers:unit",
    "powers:list",
    # The API's schema is published for the provincial platform; its data needs a token.
    "certification:api:openapi-json",
    # Password help for people who cannot sign in (Django's reset-by-email flow).
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    # Browsers ask for /favicon.ico before any page; it redirects to the static icon.
    "favicon",
}
# Public addresses that answer with a permanent redirect rather than a page.
PUBLIC_REDIRECTS = {"favicon"}

REFLECTION_TEXT = "通过观摩县人民法院行政诉讼庭审，我认识到行政处罚程序合法的重要性。" * 12


# --- URL discovery --------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the project: its qualified name and its pattern, prefixes joined."""

    name: str
    pattern: str
    params: tuple[str, ...] = field(default_factory=tuple)

    def __str__(self) -> str:
        return f"{self.name}[/{self.pattern}]"


def _urlconf_module(resolver: URLResolver) -> str:
    return getattr(resolver.urlconf_name, "__name__", str(resolver.urlconf_name))


def _is_wagtail_serving(resolver: URLResolver) -> bool:
    return _urlconf_module(resolver) == "wagtail.urls"


def _app_of(view) -> str:
    view = getattr(view, "view_class", view)
    return getattr(view, "__module__", "").split(".")[0]


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        here = prefix + str(entry.pattern)
        if here.startswith(EXCLUDED_PREFIXES) or here.lstrip("^").startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            if _is_wagtail_serving(entry) or _urlconf_module(entry).startswith(EXCLUDED_APPS):
                continue
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, here, inner)
        elif isinstance(entry, URLPattern):
            if _app_of(entry.callback) in EXCLUDED_APPS:
                continue
            name = entry.name or here
            qualified = f"{namespace}:{name}" if namespace and entry.name else name
            params = tuple(getattr(entry.pattern, "converters", {}).keys())
            yield Route(name=qualified, pattern=here, params=params)


def discover_routes() -> list[Route]:
    """Every URL pattern of the project that is one of its own views, in URLconf order."""
    seen: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns):
        seen.setdefault(route.name, route)
    return list(seen.values())


ROUTES = discover_routes()


# --- The world ------------------------------------------------------------------------------


class World(dict):
    """Attribute access to what `world_build` made, for readable tests."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(name) from error


def _submitted_essay_attempt(*, quiz, officer, text: str):
    from quizzes import services
    from quizzes.models import QuestionType

    attempt = services.attempt_start(quiz=quiz, user=officer)
    for seq, slot in enumerate(attempt.slots.select_related("question"), start=1):
        answer = text if slot.question.qtype == QuestionType.ESSAY else [0]
        services.answer_save(attempt=attempt, position=slot.position, answer=answer, seq=seq)
    attempt, _done = services.attempt_finish(attempt=attempt)
    return attempt


def _observed(*, placement, officer, coordinator, host):
    from courses.services import training as svc

    application = svc.placement_apply(officer=officer, placement=placement)
    svc.placement_decide(application=application, actor=coordinator, accept=True)
    return svc.placement_attendance_confirm(application=application, actor=host)


def _law_due(obj):
    from pathlib import Path

    from laws import services as laws
    from laws.models import ArticleChange

    texts = Path(__file__).resolve().parents[1] / "laws" / "texts"
    title = "示范市城乡环境卫生管理条例"
    today = timezone.localdate()
    for name, effective in (
        ("sanitation_2019.md", today - datetime.timedelta(days=800)),
        ("sanitation_2024.md", today - datetime.timedelta(days=400)),
    ):
        laws.law_version_import(
            title=title,
            text=(texts / name).read_text(encoding="utf-8"),
            promulgated_on=effective,
            effective_on=effective,
        )
    citation = laws.citation_add(
        obj=obj, title=title, number=2, on=today - datetime.timedelta(days=500)
    )
    change = ArticleChange.objects.get(old_article=citation.article)
    return change, citation


def world_build() -> World:
    """The small city of `people.factories.city_tree`, a user of every role, a marker officer
    in every grassroots unit, and for each view an object of the viewing officer's."""
    from cases.factories import CaseLibraryPageFactory, CasePageFactory
    from cases.services import case_assign
    from courses.factories import LectureFactory, PlacementFactory, lesson_create, module_create
    from courses.models import FieldPracticeParticipant, FieldPracticeSession
    from courses.services import training as svc
    from people.factories import OfficerFactory, StaffFactory, UnitFactory, city_tree
    from powers.factories import PowerFactory, PowerListFactory
    from quizzes import services as quiz_services
    from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory
    from quizzes.models import QuestionType

    city = city_tree()
    court1 = UnitFactory(name="T县1人民法院", kind=UnitKind.COURT, parent=city["county1"])
    viewer = OfficerFactory(unit=city["township11"], full_name="吴看员", username="viewer_officer")
    users = {
        "anonymous": None,
        Role.OFFICER: viewer,
        Role.TRAINER: StaffFactory(
            role=Role.TRAINER, unit=city["department1"], full_name="郑讲师", username="trainer1"
        ),
        Role.HOST: StaffFactory(
            role=Role.HOST, unit=city["department1"], full_name="冯接待", username="host1"
        ),
        Role.TOWNSHIP_SUPERVISOR: StaffFactory(
            role=Role.TOWNSHIP_SUPERVISOR,
            unit=city["township11"],
            full_name="陈监督",
            username="supervisor11",
        ),
        Role.TOWNSHIP_HEAD: StaffFactory(
            role=Role.TOWNSHIP_HEAD, unit=city["township11"], full_name="褚镇长", username="head11"
        ),
        Role.JUSTICE_BUREAU: StaffFactory(
            role=Role.JUSTICE_BUREAU, unit=city["bureau1"], full_name="卫司法", username="bureau1"
        ),
        Role.CITY_ADMIN: StaffFactory(
            role=Role.CITY_ADMIN, unit=city["city"], full_name="蒋市管", username="cityadmin"
        ),
    }
    trainer2 = StaffFactory(
        role=Role.TRAINER, unit=city["department2"], full_name="沈讲师", username="trainer2"
    )
    host2 = StaffFactory(
        role=Role.HOST, unit=city["department2"], full_name="韩接待", username="host2"
    )
    markers = {
        key: OfficerFactory(unit=city[key], full_name=name, username=f"marker_{key}")
        for key, name in MARKERS.items()
    }
    neighbour = OfficerFactory(
        unit=city["township11"], full_name="杨同镇", username="neighbour_officer"
    )

    # Powers (public pages, field practice).
    power = PowerFactory()
    power_list = PowerListFactory(powers=[power])

    # Quizzes: a plain one and one with an essay, which waits for a trainer's mark.
    category = QuestionCategoryFactory(name="行政处罚法")
    single = QuestionFactory(category=category)
    essay = QuestionFactory(
        category=category, qtype=QuestionType.ESSAY, text="简述听证程序。", points=Decimal(3)
    )
    quiz = QuizFactory(title="行政处罚法练习", questions=[single])
    essay_quiz = QuizFactory(title="执法程序测验", questions=[single, essay])
    marker_attempts = {
        key: _submitted_essay_attempt(quiz=essay_quiz, officer=o, text=f"{o.full_name}的答卷")
        for key, o in markers.items()
    }
    viewer_graded = quiz_services.attempt_finish(
        attempt=quiz_services.attempt_start(quiz=quiz, user=viewer)
    )[0]
    viewer_open = quiz_services.attempt_start(quiz=quiz, user=viewer)
    neighbour_open = quiz_services.attempt_start(quiz=quiz, user=neighbour)
    neighbour_graded = quiz_services.attempt_finish(attempt=neighbour_open)[0]
    neighbour_open = quiz_services.attempt_start(quiz=quiz, user=neighbour)

    # Training: a module with a lesson, a lecture and a placement in each county.
    module = module_create(title="行政处罚法基础")
    lesson = lesson_create(module=module)
    lecture = LectureFactory(county=city["county1"], lecturer=users[Role.TRAINER])
    lecture2 = LectureFactory(county=city["county2"], lecturer=trainer2)
    today = timezone.localdate()
    placement = PlacementFactory(host_unit=city["department1"], held_on=today, capacity=20)
    placement2 = PlacementFactory(host_unit=city["department2"], held_on=today, capacity=20)
    applications = {}
    for key, officer in {**markers, "viewer": viewer, "neighbour": neighbour}.items():
        in_county1 = key in COUNTY1 or key in ("viewer", "neighbour")
        application = _observed(
            placement=placement if in_county1 else placement2,
            officer=officer,
            coordinator=users[Role.TRAINER] if in_county1 else trainer2,
            host=users[Role.HOST] if in_county1 else host2,
        )
        svc.reflection_submit(application=application, officer=officer, text=REFLECTION_TEXT)
        applications[key] = application

    session = FieldPracticeSession.objects.create(
        power=power,
        case_reference="某镇综执罚〔2025〕1号",
        held_on=today - datetime.timedelta(days=1),
        place="某镇某村",
        hours=Decimal("4.0"),
        recorded_by=users[Role.TRAINER],
        recorded_at=timezone.now(),
    )
    session.specialists.set([users[Role.TRAINER]])
    participant = FieldPracticeParticipant.objects.create(session=session, officer=viewer)
    neighbour_participant = FieldPracticeParticipant.objects.create(
        session=session, officer=neighbour
    )

    # Case library: one case, required of every grassroots unit by the city.
    library = CaseLibraryPageFactory()
    case = CasePageFactory(parent=library, title="某镇非法占地案")
    assignments = {
        key: case_assign(actor=users[Role.CITY_ADMIN], page=case, unit=city[key]) for key in MARKERS
    }

    # Laws: a version in force since last year amends an article the case cites.
    law_change, law_citation = _law_due(case)

    return World(
        law_change=law_change,
        law_citation=law_citation,
        city=city,
        court1=court1,
        users=users,
        trainer2=trainer2,
        host2=host2,
        markers=markers,
        neighbour=neighbour,
        power=power,
        power_list=power_list,
        quiz=quiz,
        essay_quiz=essay_quiz,
        marker_attempts=marker_attempts,
        viewer_graded=viewer_graded,
        viewer_open=viewer_open,
        neighbour_open=neighbour_open,
        neighbour_graded=neighbour_graded,
        module=module,
        lesson=lesson,
        lecture=lecture,
        lecture2=lecture2,
        placement=placement,
        placement2=placement2,
        applications=applications,
        session=session,
        participant=participant,
        neighbour_participant=neighbour_participant,
        library=library,
        case=case,
        assignments=assignments,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once per module and rolled back at its end."""
    media = tmp_path_factory.mktemp("security-media")
    with (
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        cache.clear()
        built = world_build()
        yield built
        transaction.set_rollback(True)
    # Wagtail and the case library cache what they found in the database: forget it.
    cache.clear()


# --- Concrete URLs --------------------------------------------------------------------------


def _essay_slot(attempt):
    return attempt.slots.get(question__qtype="essay").pk


#: How to fill each pattern's parameters from the world: the viewing officer's own objects,
#: or objects in county 1 (the county of every viewer).
KWARGS = {
    "powers:unit": lambda w: {"code": w.city["township11"].code},
    "powers:list": lambda w: {"pk": w.power_list.pk},
    "quizzes:detail": lambda w: {"pk": w.quiz.pk},
    "quizzes:start": lambda w: {"pk": w.quiz.pk},
    "quizzes:attempt": lambda w: {"public_id": w.viewer_open.public_id},
    "quizzes:attempt_save": lambda w: {"public_id": w.viewer_open.public_id},
    "quizzes:attempt_submit": lambda w: {"public_id": w.viewer_open.public_id},
    "quizzes:attempt_answer": lambda w: {"public_id": w.viewer_open.public_id},
    "quizzes:attempt_result": lambda w: {"public_id": w.viewer_graded.public_id},
    "quizzes:officer_result_detail": lambda w: {"user_pk": w.markers["township11"].pk},
    "quizzes:mark_essay": lambda w: {"slot_pk": _essay_slot(w.marker_attempts["township11"])},
    "courses:lesson_complete": lambda w: {"pk": w.lesson.pk},
    "courses:lecture_detail": lambda w: {"pk": w.lecture.pk},
    "courses:lecture_signup": lambda w: {"pk": w.lecture.pk},
    "courses:lecture_withdraw": lambda w: {"pk": w.lecture.pk},
    "courses:lecture_checkin": lambda w: {"pk": w.lecture.pk},
    "courses:lecture_roster": lambda w: {"pk": w.lecture.pk},
    "courses:placement_apply": lambda w: {"pk": w.placement.pk},
    "courses:placement_manage": lambda w: {"pk": w.placement.pk},
    "courses:placement_decide": lambda w: {"pk": w.applications["viewer"].pk},
    "courses:placement_confirm": lambda w: {"pk": w.applications["viewer"].pk},
    "courses:reflection_submit": lambda w: {"pk": w.applications["viewer"].pk},
    "courses:reflection_review": lambda w: {"pk": w.applications["viewer"].pk},
    "courses:field_session": lambda w: {"pk": w.session.pk},
    "courses:field_sign": lambda w: {"pk": w.session.pk},
    "courses:field_evaluate": lambda w: {"pk": w.participant.pk},
    "courses:field_acknowledge": lambda w: {"pk": w.participant.pk},
    "cases:case_read": lambda w: {"page_id": w.case.pk},
    "cases:case_assignment_withdraw": lambda w: {"pk": w.assignments["township11"].pk},
    "certification:officer": lambda w: {"pk": w.markers["township11"].pk},
    "officer_password_reset": lambda w: {"pk": w.markers["township11"].pk},
    "certification:officer_suspend": lambda w: {"pk": w.markers["township11"].pk},
    "certification:transcript": lambda w: {"pk": w.markers["township11"].pk},
    "certification:dashboard_unit": lambda w: {"code": w.city["township11"].code},
    "certification:export_start": lambda w: {"code": w.city["township11"].code},
    "laws:citation_review": lambda w: {"pk": w.law_citation.pk},
    "laws:change": lambda w: {"pk": w.law_change.pk},
    "laws:change_confirm": lambda w: {"pk": w.law_change.pk},
    "laws:change_pair": lambda w: {"pk": w.law_change.pk},
}

#: A value for a parameter nobody told us how to fill: the view must still not fail.
_FALLBACK = {"int": 999_999, "str": "no-such-thing", "uuid": uuid.UUID(int=1), "slug": "none"}


def route_url(route: Route, world: World) -> str:
    """A concrete URL for a route: from `KWARGS`, or unknown ids for a route not listed there."""
    if route.name in KWARGS:
        return reverse(route.name, kwargs=KWARGS[route.name](world))
    if not route.params:
        return reverse(route.name)
    kwargs = {}
    for param in route.params:
        if param == "public_id":
            kwargs[param] = _FALLBACK["uuid"]
        elif param.endswith(("pk", "id")):
            kwargs[param] = _FALLBACK["int"]
        else:
            kwargs[param] = _FALLBACK["str"]
    return reverse(route.name, kwargs=kwargs)


@pytest.fixture
def as_role(client):
    """Log the test client in as a role's user of the world (or leave it anonymous)."""

    def login(world: World, role: str):
        user = world.users[role]
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login
