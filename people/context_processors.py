"""Template context shared by every page: the viewer's role codes, looked up only when used,
and whether the header links to the admin."""

from django.utils.functional import SimpleLazyObject

from .models import Role
from .roles import SUPERVISORY_ROLES
from .selectors import user_roles


def roles(request) -> dict:
    user = getattr(request, "user", None)

    def codes() -> frozenset:
        return frozenset(user_roles(user)) if user is not None else frozenset()

    def supervises() -> bool:
        if user is not None and user.is_superuser:
            return True
        return bool(codes() & SUPERVISORY_ROLES)

    def may_admin() -> bool:
        # An account that is only an officer's is never given the admin (its groups come
        # from its roles): its pages, an exam's above all, skip the two permission queries.
        if user is None or not user.is_authenticated:
            return False
        if not user.is_superuser and codes() == {Role.OFFICER}:
            return False
        return user.has_perm("wagtailadmin.access_admin")

    return {
        "viewer_roles": SimpleLazyObject(codes),
        "viewer_supervises": SimpleLazyObject(supervises),
        "viewer_may_admin": SimpleLazyObject(may_admin),
    }
