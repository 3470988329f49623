"""Template context shared by every page: the viewer's role codes, looked up only when used."""

from django.utils.functional import SimpleLazyObject

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

    return {
        "viewer_roles": SimpleLazyObject(codes),
        "viewer_supervises": SimpleLazyObject(supervises),
    }
