"""Users, the organisation tree and role assignments.

The organisation tree (city → county → township/sub-district, with county departments,
courts and justice bureaus under their county) is a materialised-path tree
(django-treebeard, which Wagtail already uses for pages), so "everything under this
unit" is a single indexed `path LIKE 'prefix%'` query — the basis of all scoping.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet


class UnitKind(models.TextChoices):
    CITY = "city", _("City")
    COUNTY = "county", _("County / district")
    TOWNSHIP = "township", _("Township")
    SUBDISTRICT = "subdistrict", _("Sub-district")
    DEPARTMENT = "department", _("County department")
    COURT = "court", _("Court")
    JUSTICE_BUREAU = "justice_bureau", _("Justice bureau")


#: Units whose officers enforce delegated powers (乡镇 and 街道).
GRASSROOTS_KINDS = (UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT)

#: The depth of a county in the tree (the city is the root, at depth 1).
COUNTY_DEPTH = 2

#: Which kinds of unit may hang under which (None: the root).
ALLOWED_PARENT_KINDS = {
    UnitKind.CITY: {None},
    UnitKind.COUNTY: {UnitKind.CITY},
    UnitKind.TOWNSHIP: {UnitKind.COUNTY},
    UnitKind.SUBDISTRICT: {UnitKind.COUNTY},
    UnitKind.DEPARTMENT: {UnitKind.COUNTY, UnitKind.CITY},
    UnitKind.COURT: {UnitKind.COUNTY, UnitKind.CITY},
    UnitKind.JUSTICE_BUREAU: {UnitKind.COUNTY, UnitKind.CITY},
}


class OrgUnitQuerySet(MP_NodeQuerySet):
    def under(self, *units: "OrgUnit") -> "OrgUnitQuerySet":
        """Units in the subtrees of `units` (each unit included)."""
        if not units:
            return self.none()
        condition = models.Q()
        for unit in units:
            condition |= models.Q(path__startswith=unit.path)
        return self.filter(condition)

    def grassroots(self) -> "OrgUnitQuerySet":
        return self.filter(kind__in=GRASSROOTS_KINDS)

    def with_county(self) -> "OrgUnitQuerySet":
        """Each unit with the name of the county it lies in (`county_name`), in the same
        query, so a list that spans counties can name every unit by `name_with_county`."""
        step = self.model.steplen
        county = self.model.objects.filter(
            path=Substr(OuterRef("path"), 1, step * COUNTY_DEPTH),
            kind=UnitKind.COUNTY,
            depth=COUNTY_DEPTH,
        ).exclude(pk=OuterRef("pk"))
        return self.annotate(county_name=Subquery(county.values("name")[:1]))


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def under(self, *units: "OrgUnit") -> OrgUnitQuerySet:
        return self.get_queryset().under(*units)

    def grassroots(self) -> OrgUnitQuerySet:
        return self.get_queryset().grassroots()

    def with_county(self) -> OrgUnitQuerySet:
        return self.get_queryset().with_county()


class OrgUnit(MP_Node):
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, db_index=True)

    # No `node_order_by`: a new unit is appended as the last child, so no existing unit's
    # path ever changes when one is added. (Ordered insertion shifts the paths of later
    # siblings and their subtrees, and any unit object already in memory then names the
    # wrong part of the tree.) A list that should follow the codes orders by "code".
    objects = OrgUnitManager()

    class Meta:
        verbose_name = _("organisation unit (单位)")
        verbose_name_plural = _("organisation units")

    def __str__(self) -> str:
        return self.name

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS

    @property
    def name_with_county(self) -> str:
        """The name followed by its county, e.g. "城关镇（濮阳县）": how a list that spans
        counties names its units, since many counties have a township of the same name.
        A county, the city and the city's own departments keep their plain name.

        Reads `county_name` when the unit came from `OrgUnit.objects.with_county()`;
        otherwise asks the database once."""
        if self.depth is None or self.depth <= COUNTY_DEPTH:
            return self.name
        if hasattr(self, "county_name"):
            county = self.county_name
        else:
            county = (
                OrgUnit.objects.filter(
                    path=self.path[: self.steplen * COUNTY_DEPTH], kind=UnitKind.COUNTY
                )
                .values_list("name", flat=True)
                .first()
            )
            self.county_name = county
        if not county:
            return self.name
        return _("%(unit)s (%(county)s)") % {"unit": self.name, "county": county}

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and every ancestor, root first, computed without a query."""
        step = self.steplen
        return [self.path[: step * depth] for depth in range(1, self.depth + 1)]


class Employment(models.TextChoices):
    ESTABLISHED = "established", _("Established post (在编)")
    CONTRACT = "contract", _("Contract staff (合同)")
    TEMPORARY = "temporary", _("Temporary staff (临时)")


class User(AbstractUser):
    """Everyone who signs in. Exists from the first migration (a custom user is hard to add later)."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    employee_number = models.CharField(
        _("employee number"), max_length=40, unique=True, null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    enforcement_post = models.BooleanField(_("in an enforcement post"), default=False)
    employment = models.CharField(
        _("employment"),
        max_length=20,
        choices=Employment.choices,
        default=Employment.ESTABLISHED,
    )
    id_number = models.CharField(_("identity card number"), max_length=18, blank=True)
    must_change_password = models.BooleanField(
        _("must change password at next sign-in"),
        default=False,
        help_text=_("Set when a supervisor issues a one-time password."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("import_officers", _("Can import officers from a spreadsheet"))]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    @property
    def established(self) -> bool:
        """In an established post (在编); contract and temporary staff are not."""
        return self.employment == Employment.ESTABLISHED

    @property
    def id_number_masked(self) -> str:
        """The identity number as it may be shown: first 3 and last 4 digits only."""
        value = self.id_number
        if len(value) <= 7:
            return "*" * len(value)
        return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer (执法人员)")
    TRAINER = "trainer", _("Trainer / county specialist (培训讲师)")
    HOST = "host", _("Observation host (观摩接待人)")
    TOWNSHIP_SUPERVISOR = "township_supervisor", _("Township supervision office (乡镇监督办)")
    TOWNSHIP_HEAD = "township_head", _("Township head (乡镇主要负责人)")
    JUSTICE_BUREAU = "justice_bureau", _("County justice bureau (县司法局)")
    CITY_ADMIN = "city_admin", _("City administrator (市依法治市办)")


class RoleAssignment(models.Model):
    """A role held by a user at one unit; a user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, db_index=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="role_holders"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class OfficerImport(models.Model):
    """One saved run of the officer import: who ran it, when, from which file, what it did.

    Append-only, like every history row: nothing edits or deletes one. `officers` are the
    officers it created or changed, so "who moved this officer?" has an answer. `actor` is
    empty for `manage.py import_officers`, which runs as the system.
    """

    actor = models.ForeignKey(
        User,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    filename = models.CharField(_("file name"), max_length=255)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    officers = models.ManyToManyField(
        User, verbose_name=_("officers created or changed"), related_name="officer_imports"
    )

    class Meta:
        verbose_name = _("officer import")
        verbose_name_plural = _("officer imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.filename} · {self.imported_at:%Y-%m-%d %H:%M}"


class PasswordResetMethod(models.TextChoices):
    ONE_TIME = "one_time", _("One-time password issued by a supervisor")
    EMAIL = "email", _("Reset link sent by email")
    CHANGED = "changed", _("Password changed by its owner")


class PasswordResetEvent(models.Model):
    """One password reset or change, with who did it. Append-only; the password is never kept."""

    user = models.ForeignKey(
        User,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="password_events",
    )
    actor = models.ForeignKey(
        User,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=20, choices=PasswordResetMethod.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("password reset")
        verbose_name_plural = _("password resets")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_method_display()} · {self.at:%Y-%m-%d %H:%M}"
