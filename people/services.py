"""Write-side rules of the people app: creating units, officers and roles, and importing officers."""

import re
import unicodedata
from typing import IO

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
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
from .tabular import ImportReport, Row, TableError, parse_bool, read_table

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


#: Header text → field, in the spellings rosters use; compared without spaces, full-width
#: forms or a trailing * (see `tabular`).
OFFICER_COLUMNS = {
    **dict.fromkeys(
        ["工号", "职工号", "人员编号", "员工编号", "employee number", "employee_number"],
        "employee_number",
    ),
    **dict.fromkeys(["姓名", "name", "full name", "full_name"], "full_name"),
    **dict.fromkeys(["单位编码", "单位代码", "单位编号", "unit code", "unit_code"], "unit_code"),
    **dict.fromkeys(
        ["手机号", "手机号码", "手机", "联系电话", "电话", "电话号码", "mobile", "phone"], "phone"
    ),
    **dict.fromkeys(
        [
            "身份证号",
            "身份证号码",
            "公民身份号码",
            "身份证",
            "身份证件号码",
            "identity number",
            "id number",
            "id_number",
        ],
        "id_number",
    ),
    **dict.fromkeys(["用工性质", "用工形式", "employment"], "employment"),
    **dict.fromkeys(
        ["执法岗位", "是否执法岗位", "是否在执法岗位", "enforcement post", "enforcement_post"],
        "enforcement_post",
    ),
    **dict.fromkeys(["用户名", "登录名", "登录账号", "账号", "帐号", "username"], "username"),
}

#: How messages name each column when the file does not (the template's header).
OFFICER_COLUMN_LABELS = {
    "employee_number": "工号",
    "full_name": "姓名",
    "unit_code": "单位编码",
    "phone": "手机号",
    "id_number": "身份证号",
    "employment": "用工性质",
    "enforcement_post": "执法岗位",
    "username": "用户名",
}

#: GB 11643-1999: weights of the first 17 digits; the sum mod 11 picks the check character.
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK = "10X98765432"


def id_number_valid(value: str) -> bool:
    """An 18-character resident identity number whose last character is its check digit."""
    if not ID_NUMBER_RE.match(value):
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(value[:17], ID_NUMBER_WEIGHTS, strict=True)
    )
    return ID_NUMBER_CHECK[total % 11] == value[-1].upper()


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


#: Text fields an import writes; each is checked against the model field's max_length.
OFFICER_TEXT_FIELDS = ("employee_number", "full_name", "username", "phone", "id_number")

#: Columns whose numbers must be typed as text (Excel rounds long numbers).
OFFICER_TEXT_ONLY = ("id_number", "phone")


def officers_import(
    *, source: IO[bytes], filename: str, actor: User | None = None, dry_run: bool = False
) -> ImportReport:
    """Import officers from XLSX or CSV, keyed by employee number.

    All or nothing: when any row has a problem the report lists every problem and nothing
    is saved, and a dry run finds every problem a real run would. Importing the same file
    twice changes nothing the second time. Rows are numbered as Excel shows them; every
    cell is NFKC-normalised (full-width digits and letters become ASCII) before it is
    checked; identity numbers are checked by their GB 11643 check digit.

    `actor` is the person importing (None: the system, `manage.py import_officers`). They
    may name only units of their area, and update only officers they oversee: an employee
    number of an officer elsewhere is a problem, never a move. A run that saves anything
    is recorded as an `OfficerImport` naming the actor and every officer it created or
    changed; the officer roles it grants or moves are `granted_by` the actor.
    """
    report = ImportReport()
    try:
        table = read_table(
            source,
            filename=filename,
            aliases=OFFICER_COLUMNS,
            required=["employee_number", "full_name", "unit_code"],
            labels=OFFICER_COLUMN_LABELS,
        )
    except TableError as error:
        report.add_problem(1, str(error))
        return report
    for text in table.unknown:
        report.warnings.append(
            _("The column “%(column)s” is not one this import reads; its cells were ignored.")
            % {"column": text}
        )
    if not table.rows:
        report.add_problem(1, _("The file has a header but no officers."))
        return report
    planned = _officer_rows_check(
        table.rows, labels={**OFFICER_COLUMN_LABELS, **table.columns}, actor=actor, report=report
    )
    if report.problems or dry_run:
        return report
    _officers_save(planned, actor=actor, filename=filename, report=report)
    return report


def _officer_rows_check(rows: list[Row], *, labels, actor, report: ImportReport) -> list:
    """Every problem of every row into `report`; the rows' planned writes when there are none.

    Counts go into `report` as if the rows were saved (what a dry run reports).
    """
    from .selectors import officers_visible_to, units_visible_to

    cells_of = [
        {key: unicodedata.normalize("NFKC", value).strip() for key, value in row.values.items()}
        for row in rows
    ]
    units = {u.code: u for u in OrgUnit.objects.filter(kind__in=GRASSROOTS_KINDS)}
    allowed_unit_ids = (
        set(units_visible_to(actor).values_list("pk", flat=True)) if actor is not None else None
    )
    existing = {
        u.employee_number: u
        for u in User.objects.filter(
            employee_number__in=[cells.get("employee_number", "") for cells in cells_of]
        )
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
    limits = {name: User._meta.get_field(name).max_length for name in OFFICER_TEXT_FIELDS}
    seen_numbers: dict[str, int] = {}
    seen_usernames: dict[str, int] = {}
    planned: list[tuple[int, dict, User | None]] = []

    for row, cells in zip(rows, cells_of, strict=True):
        problems_before = len(report.problems)
        unusable = set()
        for name, limit in limits.items():
            length = len(cells.get(name, ""))
            if length > limit:
                unusable.add(name)
                report.add_problem(
                    row.number,
                    _("%(column)s is %(length)s characters long; at most %(limit)s fit")
                    % {"column": labels[name], "length": length, "limit": limit},
                )
        for name in OFFICER_TEXT_ONLY:
            if name in row.numeric:
                unusable.add(name)
                report.add_problem(
                    row.number,
                    _(
                        "%(column)s was typed as a number, and Excel rounds long numbers: "
                        "format the column as text (设置为文本格式) and type it again"
                    )
                    % {"column": labels[name]},
                )

        number = cells.get("employee_number", "")
        user = existing.get(number) if number else None
        if not number:
            report.add_problem(row.number, _("the employee number is empty"))
        elif "employee_number" in unusable:
            pass
        elif number in seen_numbers:
            report.add_problem(
                row.number,
                _("employee number %(number)s already appears on row %(row)s")
                % {"number": number, "row": seen_numbers[number]},
            )
        else:
            seen_numbers[number] = row.number

        username = cells.get("username", "")
        if username and "username" not in unusable:
            try:
                User.username_validator(username)
            except ValidationError:
                unusable.add("username")
                report.add_problem(
                    row.number,
                    _("the username “%(username)s” may hold only letters, digits and @ . + - _")
                    % {"username": username},
                )
        username = username or (user.username if user is not None else f"u{number}")
        if number and not unusable & {"employee_number", "username"}:
            if username in seen_usernames:
                report.add_problem(
                    row.number,
                    _("the username %(username)s already appears on row %(row)s")
                    % {"username": username, "row": seen_usernames[username]},
                )
            else:
                seen_usernames[username] = row.number

        full_name = cells.get("full_name", "")
        if not full_name:
            report.add_problem(row.number, _("the name is empty"))
        unit = units.get(cells.get("unit_code", ""))
        if unit is None:
            report.add_problem(
                row.number,
                _("no township or sub-district has the code “%(code)s”")
                % {"code": cells.get("unit_code", "")},
            )
        elif allowed_unit_ids is not None and unit.pk not in allowed_unit_ids:
            report.add_problem(
                row.number, _("the unit %(unit)s is outside your area") % {"unit": unit.name}
            )
        phone = cells.get("phone", "")
        if phone and "phone" not in unusable and not PHONE_RE.match(phone):
            report.add_problem(
                row.number,
                _("the phone number “%(phone)s” is not an 11-digit mobile number")
                % {"phone": phone},
            )
        id_number = cells.get("id_number", "").upper()
        if id_number and "id_number" not in unusable:
            if not ID_NUMBER_RE.match(id_number):
                report.add_problem(
                    row.number,
                    _("the identity number is not 18 characters of digits (and a final X)"),
                )
            elif not id_number_valid(id_number):
                report.add_problem(
                    row.number,
                    _(
                        "the identity number fails its check digit (GB 11643): a character "
                        "is mistyped"
                    ),
                )
        employment_text = cells.get("employment") or "在编"
        employment = EMPLOYMENT_WORDS.get(employment_text.lower())
        if employment is None:
            report.add_problem(
                row.number,
                _("employment “%(value)s” is not one of 在编, 合同, 临时")
                % {"value": employment_text},
            )
        post = parse_bool(cells.get("enforcement_post") or "是")
        if post is None:
            report.add_problem(
                row.number,
                _("enforcement post “%(value)s” should be 是 or 否")
                % {"value": cells.get("enforcement_post")},
            )
        if len(report.problems) > problems_before:
            continue
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
        values = {
            "employee_number": number,
            "username": username,
            "full_name": full_name,
            "unit": unit,
            "phone": phone,
            "id_number": id_number,
            "employment": employment,
            "enforcement_post": post,
        }
        planned.append((row.number, values, user))
        if user is None:
            report.created += 1
        elif _officer_changes(user, values):
            report.updated += 1
        else:
            report.unchanged += 1
    if report.problems:
        report.created = report.updated = report.unchanged = 0
    return planned


def _officer_changes(user: User, values: dict) -> list[str]:
    changed = [
        name
        for name in ("full_name", "phone", "id_number", "employment", "enforcement_post")
        if getattr(user, name) != values[name]
    ]
    if user.unit_id != values["unit"].pk:
        changed.append("unit")
    return changed


def _officers_save(planned: list, *, actor, filename: str, report: ImportReport) -> None:
    """Write the checked rows in one transaction; a row the database still refuses undoes all."""
    touched: list[User] = []
    current = 1
    try:
        with transaction.atomic():
            for number, values, user in planned:
                current = number
                if user is None:
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
                changed = _officer_changes(user, values)
                if not changed:
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
    except (ValidationError, IntegrityError, DataError) as error:
        # The checks above should leave nothing for the database to refuse; when they miss
        # something (a username taken meanwhile), the row is still reported, not raised.
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else ""
        report.created = report.updated = report.unchanged = 0
        report.add_problem(
            current,
            (
                _("this row could not be saved, so nothing was imported. %(reason)s")
                % {"reason": reason}
            ).strip(),
        )
