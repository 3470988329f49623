"""The quiz engine's admin forms: choices in the editor's scope, owners, and the exam pools.

Each is the base form of a scoped snippet view set (`people.policies.ScopedAdminForm`), so
choice fields offer only what the editor may pick and a save out of scope is refused; these
add what the quiz engine needs on top (docs/exam-pools.md).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from people.models import OrgUnit, UnitKind
from people.policies import ScopedAdminForm, holds_city_role
from people.selectors import officers_visible_to

from . import services
from .models import QUALIFICATION_KINDS, QuestionCategory
from .selectors import (
    authoring_county,
    authoring_units,
    category_move_conflicts,
    question_move_conflicts,
)


def _catalogue_choices(form) -> None:
    """Offer the whole powers catalogue (fields, powers) to tag with: everyone reads it.

    `people.policies.choices_for` asks the catalogue's `CityOwnedPolicy`, whose "every
    row" scope (an empty `Q`) drops out of the union of scopes and leaves no choice at all
    for anyone but the city; until that is mended there, the catalogue is offered here.
    """
    for name in ("field", "fields", "powers"):
        field = form.fields.get(name)
        if field is not None:
            field.queryset = field.queryset.model._default_manager.all()


class OwnedAdminForm(ScopedAdminForm):
    """Content a county maintains (`owner_unit`). City administrators may leave the owner
    empty (the city's) or name a county; a trainer picks one of the counties they maintain,
    and a new row starts with the county of their trainer role."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("owner_unit")
        user = self.for_user
        if field is None or user is None:
            return
        if holds_city_role(user):
            field.queryset = OrgUnit.objects.filter(kind=UnitKind.COUNTY)
            return
        field.queryset = authoring_units(user=user)
        field.required = True
        if self.instance._state.adding and self.instance.owner_unit_id is None:
            county = authoring_county(user=user)
            if county is not None:
                self.initial.setdefault("owner_unit", county.pk)


class QuizAdminForm(OwnedAdminForm):
    """Qualification exams are the city's; no quiz may cross the exam/practice line."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _catalogue_choices(self)
        if self.for_user is not None and not holds_city_role(self.for_user):
            kind = self.fields.get("kind")
            if kind is not None:
                kind.choices = [c for c in kind.choices if c[0] not in QUALIFICATION_KINDS]

    def _bank_use(self) -> tuple[list[tuple[int, bool]], list[int]]:
        """The draws (category id, include sub-categories) and fixed question ids posted."""
        draws: list[tuple[int, bool]] = []
        fixed: list[int] = []
        for name in ("draws", "fixed_questions"):
            formset = self.formsets.get(name)
            if formset is None:
                continue
            formset.is_valid()  # the form is cleaned before its formsets
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if data.get("DELETE"):
                    continue
                if name == "draws" and data.get("category") is not None:
                    draws.append((data["category"].pk, bool(data.get("include_subcategories"))))
                elif name == "fixed_questions" and data.get("question") is not None:
                    fixed.append(data["question"].pk)
        return draws, fixed

    def clean(self):
        cleaned_data = super().clean()
        kind = cleaned_data.get("kind") or self.instance.kind
        user = self.for_user
        if user is not None and kind in QUALIFICATION_KINDS and not holds_city_role(user):
            raise ValidationError(
                _("Only the city's administrators create or change qualification exams."),
                code="qualification_exam",
            )
        draws, fixed = self._bank_use()
        try:
            services.quiz_pools_validate(
                kind=kind, draws=draws, fixed_question_ids=fixed, quiz_id=self.instance.pk
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned_data


class QuestionAdminForm(ScopedAdminForm):
    """A question goes only into a category the editor may change, and never into both
    pools at once (a practice quiz's fixed question moved into an exam's category)."""

    choice_actions = {"category": "change"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _catalogue_choices(self)

    def clean(self):
        cleaned_data = super().clean()
        category = cleaned_data.get("category")
        if category is not None and category.pk != self.instance.category_id:
            conflict = question_move_conflicts(
                question_id=self.instance.pk, category_id=category.pk
            )
            if conflict:
                self.add_error(
                    "category",
                    _(
                        "This question is used by a practice or module quiz and a "
                        "qualification exam would draw it from that category; exam pools "
                        "are kept apart from practice (docs/exam-pools.md)."
                    ),
                )
        return cleaned_data


class QuestionCategoryAdminForm(OwnedAdminForm):
    """A category goes under one the editor may change (or stays where it is), and moving
    it may not bring practice questions into an exam pool."""

    choice_actions = {"parent": "change"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("parent")
        if field is not None and self.instance.parent_id is not None:
            field.queryset = QuestionCategory.objects.filter(
                pk__in=list(field.queryset.values_list("pk", flat=True)) + [self.instance.parent_id]
            )

    def clean(self):
        cleaned_data = super().clean()
        parent = cleaned_data.get("parent")
        if self.instance.pk is not None and "parent" in cleaned_data:
            conflict = category_move_conflicts(
                category_id=self.instance.pk, parent_id=parent.pk if parent else None
            )
            if conflict:
                self.add_error(
                    "parent",
                    _(
                        "Moved there, a qualification exam and a practice or module quiz "
                        "would draw the same questions: %(items)s."
                    )
                    % {"items": conflict.names()},
                )
        return cleaned_data


class QuizOverrideAdminForm(ScopedAdminForm):
    """An override names an officer the editor oversees and a quiz the editor may change;
    the editor is recorded as the one who granted it."""

    choice_actions = {"quiz": "change"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and "user" in self.fields:
            self.fields["user"].queryset = (
                officers_visible_to(self.for_user)
                .select_related("unit")
                .order_by("unit__path", "username")
            )
        if "reason" in self.fields:
            self.fields["reason"].required = True

    def save(self, commit=True):
        if self.instance.created_by_id is None and self.for_user is not None:
            self.instance.created_by = self.for_user
        return super().save(commit=commit)
