"""Every role against every view of the project: nothing fails, strangers are turned away,
and lists of officers show only the officers in the viewer's part of the organisation tree.

The views are discovered from the URL resolver, so a view added later is in the matrix
without anyone remembering to add it; the test id names the view and its pattern.
"""

from django.urls import reverse

import pytest

from people.models import Role

from .conftest import (
    EXCLUDED_PREFIXES,
    MARKERS,
    PUBLIC_NAMES,
    PUBLIC_REDIRECTS,
    ROLES,
    ROUTES,
    SCOPE,
    route_url,
)

#: Views that must be in the discovered list (guards the discovery itself).
KNOWN = {
    "home",
    "login",
    "logout",
    "officer_list",
    "powers:index",
    "powers:unit",
    "powers:list",
    "courses:my_training",
    "courses:lecture_detail",
    "courses:placement_manage",
    "courses:reflection_submit",
    "courses:reflection_review",
    "courses:review_list",
    "courses:field_session",
    "courses:field_evaluate",
    "courses:supervisor_hours",
    "cases:case_assignments",
    "quizzes:index",
    "quizzes:attempt",
    "quizzes:attempt_answer",
    "quizzes:attempt_result",
    "quizzes:officer_results",
    "quizzes:marking_queue",
    "quizzes:mark_essay",
}


def test_discovery_finds_every_known_view_and_nothing_excluded():
    names = {route.name for route in ROUTES}
    assert names, "URL discovery found nothing"
    assert not KNOWN - names, f"not discovered: {sorted(KNOWN - names)}"
    for route in ROUTES:
        assert not route.pattern.startswith(EXCLUDED_PREFIXES), route
    # Wagtail's page-serving catch-all is left out; the project's own home page is not.
    assert not any("(?:" in route.pattern for route in ROUTES)


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


API_PREFIX = "certification:api:"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_get_every_view_as_every_role(world, as_role, route, role):
    client = as_role(world, role)
    url = route_url(route, world)
    response = client.get(url)
    assert response.status_code < 500, f"{role} GET {url}: {response.status_code}"
    if role == "anonymous":
        if route.name in PUBLIC_NAMES:
            expected = 301 if route.name in PUBLIC_REDIRECTS else 200
            assert response.status_code == expected, f"public page {url}: {response.status_code}"
        else:
            # A POST-only view answers a GET with 405 before anything else: it shows nothing;
            # the token-authenticated API answers 401.
            refused = (401, 403, 404, 405) if route.name.startswith(API_PREFIX) else (403, 404, 405)
            assert _is_login_redirect(response) or response.status_code in refused, (
                f"anonymous GET {url}: {response.status_code}"
            )


def _unit_names(world):
    return {key: world.city[key].name for key in MARKERS}


def _officer_names(world):
    return dict(MARKERS)


#: List views that show officers (or the units they sit in), and how to tell them apart.
LIST_VIEWS = {
    "officer_list": _officer_names,
    "courses:supervisor_hours": _officer_names,
    "courses:review_list": _officer_names,
    "quizzes:officer_results": _officer_names,
    "quizzes:marking_queue": _officer_names,
    "cases:case_assignments": _unit_names,
}

#: Who may open each list at all (the others get 403). Everyone else who may open it sees
#: exactly the officers of `SCOPE[role]`.
ALLOWED = {
    "officer_list": {
        Role.TRAINER,
        Role.TOWNSHIP_SUPERVISOR,
        Role.TOWNSHIP_HEAD,
        Role.JUSTICE_BUREAU,
        Role.CITY_ADMIN,
    },
    "courses:review_list": {Role.TRAINER, Role.CITY_ADMIN},
    "quizzes:marking_queue": {Role.TRAINER, Role.CITY_ADMIN},
    "cases:case_assignments": {Role.TOWNSHIP_SUPERVISOR, Role.JUSTICE_BUREAU, Role.CITY_ADMIN},
}
ALLOWED["courses:supervisor_hours"] = ALLOWED["officer_list"]
ALLOWED["quizzes:officer_results"] = ALLOWED["officer_list"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize("view", list(LIST_VIEWS))
def test_lists_show_only_officers_in_scope(world, as_role, view, role):
    client = as_role(world, role)
    response = client.get(reverse(view))
    if role not in ALLOWED[view]:
        assert response.status_code == 403, response.status_code
        return
    assert response.status_code == 200
    body = response.content.decode()
    names = LIST_VIEWS[view](world)
    outside = sorted(names[k] for k in names if k not in SCOPE[role] and names[k] in body)
    missing = sorted(names[k] for k in SCOPE[role] if names[k] not in body)
    assert not outside, f"{role} sees outside their scope on {view}: {outside}"
    assert not missing, f"{role} misses officers in their scope on {view}: {missing}"


@pytest.mark.django_db
def test_scope_is_not_widened_by_query_parameters(world, as_role):
    """A filter that names a unit outside the viewer's scope shows nobody from it."""
    client = as_role(world, Role.TOWNSHIP_SUPERVISOR)
    outside = world.city["township21"]
    for url in (
        reverse("officer_list") + f"?unit={outside.code}",
        reverse("officer_list") + f"?q={MARKERS['township21']}",
        reverse("courses:supervisor_hours") + f"?unit={outside.code}&sort=-total",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        shown = {officer.pk for officer in response.context["page"]}
        assert world.markers["township21"].pk not in shown, url
        assert shown <= {
            world.markers["township11"].pk,
            world.users[Role.OFFICER].pk,
            world.neighbour.pk,
        }, url


@pytest.mark.django_db
def test_hours_spreadsheet_holds_only_officers_in_scope(world, as_role):
    from io import BytesIO

    from openpyxl import load_workbook

    client = as_role(world, Role.TRAINER)
    response = client.get(reverse("courses:supervisor_hours") + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content), read_only=True).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {MARKERS[k] for k in SCOPE[Role.TRAINER]} <= names
    assert not names & {MARKERS["township21"], MARKERS["township22"]}
