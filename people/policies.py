"""Who may do what to which row in the Wagtail admin: one permission policy per model.

Wagtail asks a model's permission policy (`wagtail.permissions.policy_registry`) whether a
user may add, change, delete or publish, and which rows they may see. Its default policy
answers from Django's model permissions alone, so a trainer with `change_lecture` could
change every county's lectures. The policies here add the organisation tree: a user acts
only on rows that lie in their area (`people.selectors.units_visible_to`).

Three pieces work together, and a scoped snippet needs all three; `ScopedSnippetViewSet`
brings them, so a new snippet cannot forget one:

- the policy (registered with `wagtail.permissions.register_permission_policy` at the top
  of the app's `wagtail_hooks.py`) answers for listings, bulk actions and choosers;
- the view set looks up every object named in a URL (edit, delete, history, copy, …)
  through the policy, so a row outside the area is a 404 before any form is built;
- the form (`ScopedAdminForm`) offers only in-scope choices and refuses a save that would
  put the row outside the area.

See docs/admin-scoping.md. Wagtail's own policies: wagtail/permission_policies/base.py.
"""

import operator
from functools import reduce, wraps

from django import forms
from django.contrib.admin.utils import unquote
from django.core import checks
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import ObjectList, extract_panel_definitions_from_model_class
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import policy_registry
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import OrgUnit, Role, User
from .selectors import units_visible_to, user_roles

#: Roles whose area is the whole city: they may change what belongs to the city itself.
CITY_ROLES = {Role.CITY_ADMIN}

#: The apps whose snippets must be scoped (the system check people.E001).
PROJECT_APPS = {"people", "powers", "quizzes", "courses", "certification", "laws", "cases"}


def holds_city_role(user) -> bool:
    """Superusers and city administrators act for the whole city."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user_roles(user) & CITY_ROLES)
    )


def _visible_unit_ids(user) -> set[int]:
    """The user's area as a set of ids, remembered on the user for the request."""
    cached = getattr(user, "_visible_unit_ids", None)
    if cached is None:
        cached = frozenset(units_visible_to(user).values_list("pk", flat=True))
        user._visible_unit_ids = cached
    return set(cached)


class ScopedPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, narrowed to the rows of the user's area.

    A subclass says which stored rows a user may act on (`scope`, a Q over the model) and
    whether an instance as it stands in memory, perhaps unsaved or just edited, lies in
    that area (`instance_in_scope`). Superusers pass both. Anything a subclass does not
    allow is refused: the defaults allow nothing.
    """

    def scope(self, user, action: str) -> Q:
        return Q(pk__in=[])

    def instance_in_scope(self, user, action: str, instance) -> bool:
        return False

    # --- Wagtail's policy interface -------------------------------------------------

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        manager = self.model._default_manager
        allowed = [action for action in actions if self.user_has_permission(user, action)]
        if not allowed:
            return manager.none()
        if user.is_superuser:
            return manager.all()
        conditions = [self.scope(user, action) for action in allowed]
        # An empty Q means "every row"; OR-ing it with others would silently drop it.
        if any(not condition for condition in conditions):
            return manager.all()
        return manager.filter(reduce(operator.or_, conditions))

    def instances_user_has_permission_for(self, user, action) -> QuerySet:
        return self.instances_user_has_any_permission_for(user, [action])

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if not self.user_has_permission(user, action):
            return False
        return user.is_superuser or self.instance_in_scope(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance) -> bool:
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)


class UnitScopedPolicy(ScopedPermissionPolicy):
    """Rows that name an organisation unit (`unit_field`), acted on by users whose area holds it.

    A lecture for 濮阳县 (`county`) or a placement hosted by its court (`host_unit`) may be
    changed by that county's trainers and by the city, never by another county's.
    """

    def __init__(self, model, *, unit_field: str, auth_model=None):
        super().__init__(model, auth_model=auth_model)
        self.unit_field = unit_field

    def scope(self, user, action: str) -> Q:
        return Q(**{f"{self.unit_field}__in": units_visible_to(user)})

    def instance_in_scope(self, user, action: str, instance) -> bool:
        unit_id = getattr(instance, f"{self.unit_field}_id", None)
        return unit_id is not None and unit_id in _visible_unit_ids(user)


class CityOwnedPolicy(ScopedPermissionPolicy):
    """City-wide reference data (the powers catalogue, the evaluation checklist).

    Anyone whose group grants `view` sees every row; only city-level roles write, whatever
    model permissions a group was given.
    """

    read_actions = ("view", "choose")

    def scope(self, user, action: str) -> Q:
        if action in self.read_actions or holds_city_role(user):
            return Q()
        return Q(pk__in=[])

    def instance_in_scope(self, user, action: str, instance) -> bool:
        return action in self.read_actions or holds_city_role(user)


# --- Choice fields ---------------------------------------------------------------------

_page_policy = PagePermissionPolicy()


def choices_for(user, queryset: QuerySet, *, action: str = "view") -> QuerySet:
    """The part of a choice field's queryset that `user` may pick.

    Units: the user's area. Users: those of the user's area (the user included). Pages:
    those the user may edit. A model with a scoped policy: what that policy allows for
    `action`. Anything else is offered as it is.
    """
    model = queryset.model
    if user is None or user.is_superuser:
        return queryset
    if issubclass(model, OrgUnit):
        return queryset.filter(pk__in=units_visible_to(user).values("pk"))
    if issubclass(model, User):
        return queryset.filter(Q(unit__in=units_visible_to(user)) | Q(pk=user.pk))
    if issubclass(model, Page):
        editable = _page_policy.instances_user_has_any_permission_for(user, ["change", "publish"])
        return queryset.filter(pk__in=editable.values("pk"))
    policy = policy_registry.get_by_type(model, fallback=False)
    if isinstance(policy, ScopedPermissionPolicy):
        return queryset.filter(
            pk__in=policy.instances_user_has_permission_for(user, action).values("pk")
        )
    return queryset


class ScopedAdminForm(WagtailAdminModelForm):
    """The admin form of a scoped model: in-scope choices only, and no save out of scope.

    `choice_actions` names, per field, the action the chosen object must allow (default
    `view`): an override must name a quiz the editor may *change*, say.
    """

    choice_actions: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None:
            return
        for name, field in self.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.queryset = choices_for(
                    self.for_user, field.queryset, action=self.choice_actions.get(name, "view")
                )
                if issubclass(field.queryset.model, OrgUnit):
                    # Units of several counties share names (城关镇): name each with its county.
                    field.queryset = field.queryset.with_county()
                    field.label_from_instance = lambda unit: unit.name_with_county

    def _post_clean(self):
        # After Django has copied the cleaned values onto the instance: check where the
        # instance would now lie, so a tampered POST cannot move a row out of the area.
        super()._post_clean()
        user = self.for_user
        if user is None or user.is_superuser:
            return
        policy = policy_registry.get_by_type(self._meta.model, fallback=False)
        if not isinstance(policy, ScopedPermissionPolicy):
            return
        action = "change" if self.instance.pk else "add"
        if not policy.user_has_permission_for_instance(user, action, self.instance):
            self.add_error(
                None,
                ValidationError(
                    _("You may only save records of your own area."), code="out_of_scope"
                ),
            )


# --- The view set ----------------------------------------------------------------------

#: The action a URL of a snippet view set needs on the object it names. Reading views
#: accept any of view/change; a name not listed needs `change` (refuse when unsure).
URL_ACTIONS: dict[str, tuple[str, ...]] = {
    "edit": ("change",),
    "delete": ("delete",),
    "copy": ("change",),
    "unpublish": ("publish",),
    "usage": ("view", "change"),
    "history": ("view", "change"),
    "history_results": ("view", "change"),
    "inspect": ("view", "change"),
}


def _guarded(view, *, policy: ScopedPermissionPolicy, actions: tuple[str, ...]):
    @wraps(view)
    def guarded_view(request, *args, **kwargs):
        pk = unquote(str(kwargs["pk"]))
        allowed = policy.instances_user_has_any_permission_for(request.user, actions)
        try:
            found = allowed.filter(pk=pk).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            raise Http404
        return view(request, *args, **kwargs)

    return guarded_view


class ScopedSnippetViewSet(SnippetViewSet):
    """A snippet view set whose every view goes through the model's scoped policy.

    The model must have a `ScopedPermissionPolicy` registered before the view set (see the
    module docstring); the check `people.E001` refuses to start otherwise.
    """

    base_form_class = ScopedAdminForm

    @property
    def scoped_policy(self) -> ScopedPermissionPolicy:
        return policy_registry.get_by_type(self.model)

    def get_queryset(self, request):
        return self.scoped_policy.instances_user_has_any_permission_for(
            request.user, ["view", "change", "delete"]
        )

    def get_edit_handler(self):
        # Wagtail builds the form from the model's `panels` with the model's base form,
        # ignoring the view set's; the scoped form must be used whatever the panels.
        if hasattr(self, "panels"):
            panels = self.panels
        elif hasattr(self.model, "panels"):
            panels = self.model.panels
        else:
            panels = extract_panel_definitions_from_model_class(
                self.model, exclude=self.get_exclude_form_fields()
            )
        return ObjectList(panels, base_form_class=self.base_form_class).bind_to_model(self.model)

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        policy = self.scoped_policy
        for pattern in patterns:
            if "pk" in getattr(pattern.pattern, "converters", {}):
                actions = URL_ACTIONS.get(pattern.name, ("change",))
                pattern.callback = _guarded(pattern.callback, policy=policy, actions=actions)
        return patterns


@checks.register(checks.Tags.security)
def snippets_scoped_check(app_configs=None, **kwargs):
    """Every snippet of this project goes through a scoped view set and policy (people.E001)."""
    from wagtail.snippets.models import get_snippet_models

    errors = []
    for model in get_snippet_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        viewset = getattr(model, "snippet_viewset", None)
        policy = policy_registry.get_by_type(model, fallback=False)
        if not isinstance(viewset, ScopedSnippetViewSet) or not isinstance(
            policy, ScopedPermissionPolicy
        ):
            errors.append(
                checks.Error(
                    f"{model._meta.label} is a snippet without a scoped policy and view set.",
                    hint="Register a ScopedPermissionPolicy for it at the top of its app's "
                    "wagtail_hooks.py and give it a ScopedSnippetViewSet "
                    "(docs/admin-scoping.md).",
                    obj=model,
                    id="people.E001",
                )
            )
    return errors
