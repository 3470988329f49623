"""What each role may reach: its scope in the organisation tree and its admin permissions.

DESIGN.md §2: every view and export is scoped to the viewer's part of the tree. A role is
bound to a unit; the scope is the subtree that unit (or, for county-level roles, the county
it belongs to) heads.
"""

from django.utils.translation import gettext_lazy as _

from .models import Role, UnitKind

#: Where a role may be held.
ROLE_UNIT_KINDS: dict[str, set[str]] = {
    Role.OFFICER: {UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT},
    Role.TOWNSHIP_SUPERVISOR: {UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT},
    Role.TOWNSHIP_HEAD: {UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT},
    Role.TRAINER: {UnitKind.COUNTY, UnitKind.DEPARTMENT, UnitKind.JUSTICE_BUREAU, UnitKind.CITY},
    Role.HOST: {UnitKind.DEPARTMENT, UnitKind.COURT},
    Role.JUSTICE_BUREAU: {UnitKind.JUSTICE_BUREAU},
    Role.CITY_ADMIN: {UnitKind.CITY},
}

#: Roles that oversee officers of a whole subtree (as opposed to only themselves).
SUPERVISORY_ROLES = {
    Role.TOWNSHIP_SUPERVISOR,
    Role.TOWNSHIP_HEAD,
    Role.TRAINER,
    Role.JUSTICE_BUREAU,
    Role.CITY_ADMIN,
}

#: Roles whose scope widens from their own unit to the county (or city) it sits under:
#: a trainer in a county department, or the county justice bureau, oversees the county.
COUNTY_WIDE_ROLES = {Role.TRAINER, Role.JUSTICE_BUREAU}

#: Roles that may use the Wagtail admin, and the Django permissions each group carries.
ADMIN_ROLES = {Role.TRAINER, Role.JUSTICE_BUREAU, Role.CITY_ADMIN}

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.TRAINER: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "powers.view_power",
        "powers.view_powerlist",
        "powers.view_enforcementfield",
        "quizzes.add_question",
        "quizzes.change_question",
        "quizzes.view_question",
        "quizzes.add_questioncategory",
        "quizzes.change_questioncategory",
        "quizzes.view_questioncategory",
        "quizzes.add_quiz",
        "quizzes.change_quiz",
        "quizzes.view_quiz",
        "quizzes.publish_quiz",
        "quizzes.add_quizoverride",
        "quizzes.view_quizoverride",
    ],
    Role.JUSTICE_BUREAU: [
        "wagtailadmin.access_admin",
        "certification.view_credential",
        "certification.view_credentialevent",
        "certification.view_examresult",
        "people.view_user",
        "people.import_officers",
        "powers.view_power",
        "powers.view_powerlist",
        "powers.view_enforcementfield",
    ],
    Role.CITY_ADMIN: [
        "wagtailadmin.access_admin",
        "people.view_user",
        "people.import_officers",
        "powers.add_power",
        "powers.change_power",
        "powers.view_power",
        "powers.add_powerlist",
        "powers.change_powerlist",
        "powers.view_powerlist",
        "powers.add_enforcementfield",
        "powers.change_enforcementfield",
        "powers.view_enforcementfield",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "quizzes.add_question",
        "quizzes.change_question",
        "quizzes.view_question",
        "quizzes.add_questioncategory",
        "quizzes.change_questioncategory",
        "quizzes.view_questioncategory",
        "quizzes.add_quiz",
        "quizzes.change_quiz",
        "quizzes.view_quiz",
        "quizzes.publish_quiz",
        "quizzes.add_quizoverride",
        "quizzes.view_quizoverride",
        "quizzes.delete_question",
        "quizzes.delete_questioncategory",
        "quizzes.delete_quiz",
        "certification.change_credentialpolicy",
        "certification.view_credentialpolicy",
        "certification.view_credential",
        "certification.view_credentialevent",
        "certification.view_examresult",
        "certification.view_policychange",
    ],
}

GROUP_NAMES = {
    Role.TRAINER: _("Trainers"),
    Role.JUSTICE_BUREAU: _("County justice bureaus"),
    Role.CITY_ADMIN: _("City administrators"),
}


def group_name(role: str) -> str:
    """Stable group name for a role (the code, so renaming a label never orphans a group)."""
    return f"role:{role}"


def role_groups_sync(*, using: str = "default") -> None:
    """Create the group of each admin role and give it exactly its permissions. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=group_name(role))
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".", 1)
            permission = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def role_groups_sync_on_migrate(sender, using="default", **kwargs) -> None:
    role_groups_sync(using=using)
