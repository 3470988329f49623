"""Write-side rules of the people app: creating units, officers and roles, and importing officers."""

import re
from typing import IO

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ALLOWED_PARENT_KINDS,
    GRASSROOTS_KINDS,
    Employment,
    OfficerImport,
    OrgUnit,
    Role,
    RoleAssignment,
    UnitKind,
    User,
)
from .roles import ADMIN_ROLES, ROLE_UNIT_KINDS, group_name
from .signals import role_assigned
from .tabular import ImportReport, TableError, parse_bool, read_rows

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$")
PHONE_RE = re.compile(r"^1\d{10}$")


def _next_child_code(parent: OrgUnit | None, kind: str) -> str:
    prefix = parent.code if parent else kind.upper()[:4]
    siblings = (
        OrgUnit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).count()
        if parent
        else OrgUnit.get_root_nodes().count()
    )
    number = siblings + 1
    while OrgUnit.objects.filter(code=f"{prefix}-{number:02d}").exists():
        number += 1
    return f"{prefix}-{number:02d}"


@transaction.atomic
def unit_create(
    *, name: str, kind: str, parent: OrgUnit | None = None, code: str | None = None
) -> OrgUnit:
    """Add a unit to the organisation tree, under a parent of a kind that may hold it."""
    if kind not in UnitKind.values:
        raise ValidationError(_("Unknown unit kind: %(kind)s") % {"kind": kind})
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENT_KINDS[UnitKind(kind)]:
        raise ValidationError(
            _("A unit of kind %(kind)s cannot be placed under %(parent)s.")
            % {"kind": kind, "parent": parent_kind or _("nothing (the root)")}
        )
    code = code or _next_child_code(parent, kind)
    if OrgUnit.objects.filter(code=code).exists():
        raise ValidationError(_("The unit code %(code)s is already used.") % {"code": code})
    fields = {"name": name, "kind": kind, "code": code}
    if parent is None:
        return OrgUnit.add_root(**fields)
    # Re-read the parent: treebeard needs its current child count to place the new node.
    fresh_parent = OrgUnit.objects.get(pk=parent.pk)
    unit = fresh_parent.add_child(**fields)
    # Keep the caller's copy of the parent current, so its tree helpers see the new child.
    parent.numchild = fresh_parent.numchild
    return unit


@transaction.atomic
def role_assign(
    *, user: User, role: str, unit: OrgUnit, actor: User | None = None
) -> RoleAssignment:
    """Give a user a role at a unit; admin roles also join the matching Wagtail group."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role: %(role)s") % {"role": role})
    if unit.kind not in ROLE_UNIT_KINDS[Role(role)]:
        raise ValidationError(
            _("The role %(role)s cannot be held at a unit of kind %(kind)s.")
            % {"role": Role(role).label, "kind": unit.get_kind_display()}
        )
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, unit=unit, defaults={"granted_by": actor}
    )
    if role in ADMIN_ROLES:
        group, _group_created = Group.objects.get_or_create(name=group_name(role))
        user.groups.add(group)
    user.__dict__.pop("_role_codes", None)  # see selectors.user_roles
    role_assigned.send(sender=RoleAssignment, assignment=assignment, created=created)
    return assignment


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    unit: OrgUnit | None = None,
    password: str | None = None,
    email: str = "",
    phone: str = "",
) -> User:
    """A staff account (trainer, supervisor, administrator); roles are given separately."""
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The username %(username)s is taken.") % {"username": username})
    user = User(username=username, full_name=full_name, unit=unit, email=email, phone=phone)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def officer_create(
    *,
    username: str,
    full_name: str,
    unit: OrgUnit,
    established: bool = True,
    enforcement_post: bool = True,
    employee_number: str | None = None,
    phone: str = "",
    id_number: str = "",
    password: str | None = None,
    employment: str | None = None,
    actor: User | None = None,
) -> User:
    """An officer of a township or sub-district (`established` is 在编); `actor` grants the role."""
    if unit.kind not in GRASSROOTS_KINDS:
        raise ValidationError(
            _("Officers belong to a township or sub-district, not to %(unit)s.") % {"unit": unit}
        )
    if employment is None:
        employment = Employment.ESTABLISHED if established else Employment.CONTRACT
    user = user_create(
        username=username, full_name=full_name, unit=unit, password=password, phone=phone
    )
    user.employee_number = employee_number
    user.enforcement_post = enforcement_post
    user.employment = employment
    user.id_number = id_number
    user.save(update_fields=["employee_number", "enforcement_post", "employment", "id_number"])
    role_assign(user=user, role=Role.OFFICER, unit=unit, actor=actor)
    return user


OFFICER_COLUMNS = {
    "工号": "employee_number",
    "employee number": "employee_number",
    "employee_number": "employee_number",
    "姓名": "full_name",
    "name": "full_name",
    "full_name": "full_name",
    "单位编码": "unit_code",
    "unit code": "unit_code",
    "unit_code": "unit_code",
    "手机号": "phone",
    "手机": "phone",
    "phone": "phone",
    "身份证号": "id_number",
    "identity number": "id_number",
    "id_number": "id_number",
    "用工性质": "employment",
    "employment": "employment",
    "执法岗位": "enforcement_post",
    "enforcement post": "enforcement_post",
    "enforcement_post": "enforcement_post",
    "用户名": "username",
    "username": "username",
}

EMPLOYMENT_WORDS = {
    "在编": Employment.ESTABLISHED,
    "established": Employment.ESTABLISHED,
    "编制": Employment.ESTABLISHED,
    "合同": Employment.CONTRACT,
    "合同制": Employment.CONTRACT,
    "contract": Employment.CONTRACT,
    "临时": Employment.TEMPORARY,
    "临聘": Employment.TEMPORARY,
    "temporary": Employment.TEMPORARY,
}


def officers_import(
    *, source: IO[bytes], filename: str, actor: User | None = None, dry_run: bool = False
) -> ImportReport:
    """Import officers from XLSX or CSV, keyed by employee number.

    All or nothing: when any row has a problem the report lists every problem and nothing
    is saved. Importing the same file twice changes nothing the second time.

    `actor` is the person importing (None: the system, `manage.py import_officers`). They
    may name only units of their area, and update only officers they oversee: an employee
    number of an officer elsewhere is a problem, never a move. A run that saves anything
    is recorded as an `OfficerImport` naming the actor and every officer it created or
    changed; the officer roles it grants or moves are `granted_by` the actor.
    """
    from .selectors import officers_visible_to, units_visible_to

    report = ImportReport()
    try:
        rows = read_rows(
            source,
            filename=filename,
            aliases=OFFICER_COLUMNS,
            required=["employee_number", "full_name", "unit_code"],
        )
    except TableError as error:
        report.add_problem(1, str(error))
        return report
    if not rows:
        report.add_problem(1, _("The file has a header but no officers."))
        return report

    units = {u.code: u for u in OrgUnit.objects.filter(kind__in=GRASSROOTS_KINDS)}
    allowed_unit_ids = (
        set(units_visible_to(actor).values_list("pk", flat=True)) if actor is not None else None
    )
    existing = {
        u.employee_number: u
        for u in User.objects.filter(employee_number__in=[r.get("employee_number") for r in rows])
    }
    # Employee numbers are unique city-wide, so a number may name someone outside the
    # actor's area; those rows are refused below.
    overseen_ids = (
        set(
            officers_visible_to(actor)
            .filter(pk__in=[u.pk for u in existing.values()])
            .values_list("pk", flat=True)
        )
        if actor is not None
        else None
    )
    seen: dict[str, int] = {}
    planned: list[tuple[dict, User | None]] = []

    for row in rows:
        problems_before = len(report.problems)
        number = row.get("employee_number")
        if not number:
            report.add_problem(row.number, _("the employee number is empty"))
        elif number in seen:
            report.add_problem(
                row.number,
                _("employee number %(number)s already appears on row %(row)s")
                % {"number": number, "row": seen[number]},
            )
        else:
            seen[number] = row.number
        full_name = row.get("full_name")
        if not full_name:
            report.add_problem(row.number, _("the name is empty"))
        unit = units.get(row.get("unit_code"))
        if unit is None:
            report.add_problem(
                row.number,
                _("no township or sub-district has the code “%(code)s”")
                % {"code": row.get("unit_code")},
            )
        elif allowed_unit_ids is not None and unit.pk not in allowed_unit_ids:
            report.add_problem(
                row.number, _("the unit %(unit)s is outside your area") % {"unit": unit.name}
            )
        phone = row.get("phone")
        if phone and not PHONE_RE.match(phone):
            report.add_problem(
                row.number,
                _("the phone number “%(phone)s” is not an 11-digit mobile number")
                % {"phone": phone},
            )
        id_number = row.get("id_number").upper()
        if id_number and not ID_NUMBER_RE.match(id_number):
            report.add_problem(
                row.number, _("the identity number is not 18 characters of digits (and a final X)")
            )
        employment_text = row.get("employment") or "在编"
        employment = EMPLOYMENT_WORDS.get(employment_text.lower())
        if employment is None:
            report.add_problem(
                row.number,
                _("employment “%(value)s” is not one of 在编, 合同, 临时")
                % {"value": employment_text},
            )
        post = parse_bool(row.get("enforcement_post") or "是")
        if post is None:
            report.add_problem(
                row.number,
                _("enforcement post “%(value)s” should be 是 or 否")
                % {"value": row.get("enforcement_post")},
            )
        if len(report.problems) > problems_before:
            continue
        values = {
            "full_name": full_name,
            "unit": unit,
            "phone": phone,
            "id_number": id_number,
            "employment": employment,
            "enforcement_post": post,
        }
        username = row.get("username") or f"u{number}"
        user = existing.get(number)
        if user is not None and overseen_ids is not None and user.pk not in overseen_ids:
            report.add_problem(
                row.number, _("this employee number belongs to an officer outside your area")
            )
            continue
        if user is None and User.objects.filter(username=username).exists():
            report.add_problem(
                row.number, _("the username %(username)s is taken") % {"username": username}
            )
            continue
        planned.append(({"employee_number": number, "username": username, **values}, user))

    if report.problems:
        return report

    touched: list[User] = []
    with transaction.atomic():
        for values, user in planned:
            if user is None:
                report.created += 1
                if not dry_run:
                    touched.append(
                        officer_create(
                            username=values["username"],
                            full_name=values["full_name"],
                            unit=values["unit"],
                            employment=values["employment"],
                            enforcement_post=values["enforcement_post"],
                            employee_number=values["employee_number"],
                            phone=values["phone"],
                            id_number=values["id_number"],
                            actor=actor,
                        )
                    )
                continue
            changed = [
                name
                for name in ("full_name", "phone", "id_number", "employment", "enforcement_post")
                if getattr(user, name) != values[name]
            ]
            if user.unit_id != values["unit"].pk:
                changed.append("unit")
            if not changed:
                report.unchanged += 1
                continue
            report.updated += 1
            if dry_run:
                continue
            for name in changed:
                setattr(user, name, values[name])
            user.save(update_fields=changed)
            touched.append(user)
            if "unit" in changed:
                RoleAssignment.objects.filter(user=user, role=Role.OFFICER).update(
                    unit=values["unit"], granted_by=actor, granted_at=timezone.now()
                )
            else:
                role_assign(user=user, role=Role.OFFICER, unit=values["unit"], actor=actor)
        if touched:
            record = OfficerImport.objects.create(
                actor=actor,
                filename=filename[:255],
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
            record.officers.add(*touched)
    return report
