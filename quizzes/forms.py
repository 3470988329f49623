"""The quiz engine's admin forms: choices in the editor's scope, owners, and the exam pools.

Each is the base form of a scoped snippet view set (`people.policies.ScopedAdminForm`), so
choice fields offer only what the editor may pick and a save out of scope is refused; these
add what the quiz engine needs on top (docs/exam-pools.md).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from people.models import OrgUnit, UnitKind
from people.policies import ScopedAdminForm, holds_city_role
from people.selectors import officers_visible_to

from . import services
from .formats.common import weight_allowed, weight_text
from .models import QUALIFICATION_KINDS, QuestionCategory, QuestionType
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
        self._options_check(cleaned_data.get("qtype") or self.instance.qtype)
        return cleaned_data

    def _options_check(self, qtype: str) -> None:
        """The options must mark the way the question says (`services.slot_auto_mark`):
        the errors go on the option's field, or on the type when the set is wrong."""
        formset = self.formsets.get("options")
        if formset is None:
            return
        formset.is_valid()  # the form is cleaned before its formsets
        forms = [
            form
            for form in formset.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("text") or "").strip()
        ]
        for problem in options_problems(
            qtype,
            [
                (f.cleaned_data.get("is_correct", False), f.cleaned_data.get("weight"))
                for f in forms
            ],
        ):
            index, field, message = problem
            if index is None:
                self.add_error("qtype", message)
            else:
                forms[index].add_error(field, message)


def options_problems(qtype: str, options: list[tuple[bool, Decimal | None]]) -> list:
    """What is wrong with a question's options, as (option index or None, field, message):
    the rules the importers apply, so that a question edited by hand marks as one imported
    from Moodle would. `options` are (correct, weight) in order."""
    problems = []
    right = [ok for ok, _weight in options]
    weights = [weight for _ok, weight in options]
    if qtype == QuestionType.ESSAY:
        if options:
            problems.append((None, "", _("An essay question has no options; remove them.")))
        return problems
    if qtype == QuestionType.TRUE_FALSE:
        if len(options) != 2 or sum(right) != 1:
            problems.append(
                (None, "", _("A true/false question has two options, exactly one of them correct."))
            )
        return problems
    if len(options) < 2:
        problems.append((None, "", _("A choice question needs at least two options.")))
    if not any(right):
        problems.append((None, "", _("Mark at least one option correct.")))
    given = [w is not None for w in weights]
    if not any(given):
        if qtype == QuestionType.SINGLE and sum(right) > 1:
            problems.append(
                (
                    None,
                    "",
                    _(
                        "A single-choice question has exactly one correct option; give weights "
                        "(100 for each full-marks option) to have several."
                    ),
                )
            )
        return problems
    for index, weight in enumerate(weights):
        if weight is None:
            problems.append(
                (index, "weight", _("Give a weight for every option, or for none of them."))
            )
        elif not Decimal(-100) <= weight <= Decimal(100):
            problems.append((index, "weight", _("A weight is between -100 and 100.")))
        elif not weight_allowed(weight):
            problems.append(
                (
                    index,
                    "weight",
                    _(
                        "Moodle does not give the weight %(weight)s %%; use 100, 50, 33.33333, 25, 0, -50, …"
                    )
                    % {"weight": weight_text(weight)},
                )
            )
    if problems:
        return problems
    if qtype == QuestionType.SINGLE:
        if Decimal(100) not in weights:
            problems.append((None, "", _("A single-choice question needs an option weighted 100.")))
        for index, (ok, weight) in enumerate(options):
            if ok != (weight == 100):
                problems.append(
                    (
                        index,
                        "is_correct",
                        _("Tick “correct” exactly for the options weighted 100."),
                    )
                )
    else:
        total = sum((w for w in weights if w > 0), Decimal(0))
        if abs(total - 100) > Decimal("0.5"):
            problems.append(
                (
                    None,
                    "",
                    _(
                        "The positive weights of a multiple-choice question add up to %(total)s, not 100."
                    )
                    % {"total": weight_text(total)},
                )
            )
        for index, (ok, weight) in enumerate(options):
            if ok != (weight > 0):
                problems.append(
                    (
                        index,
                        "is_correct",
                        _("Tick “correct” exactly for the options with a positive weight."),
                    )
                )
    return problems


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
