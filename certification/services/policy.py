"""Changing the credential policy; every change leaves an audited before/after row."""

import contextvars
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from people.models import User

from ..models import POLICY_FIELDS, CredentialPolicy, PolicyChange

__all__ = ["policy_update", "policy_snapshot", "policy_change_record", "policy_actor"]

#: Who is changing the policy in this context (set by the admin hook around the edit view).
policy_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "policy_actor", default=None
)


def _plain(value):
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return value


def policy_snapshot(policy: CredentialPolicy) -> dict:
    return {name: _plain(getattr(policy, name)) for name in POLICY_FIELDS}


def policy_change_record(*, before: dict, after: dict, actor: User | None) -> PolicyChange | None:
    """Append the difference between two snapshots (nothing when nothing changed)."""
    changed = [name for name in POLICY_FIELDS if before.get(name) != after.get(name)]
    if not changed:
        return None
    return PolicyChange.objects.create(
        actor=actor,
        before={name: before.get(name) for name in changed},
        after={name: after.get(name) for name in changed},
    )


@transaction.atomic
def policy_update(*, actor: User | None, **changes) -> CredentialPolicy:
    """Change policy numbers in code (the admin form does the same through Wagtail settings)."""
    unknown = set(changes) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown policy setting(s): %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    policy = CredentialPolicy.load()
    for name, value in changes.items():
        setattr(policy, name, value)
    policy.full_clean()
    token = policy_actor.set(actor)
    try:
        policy.save()
    finally:
        policy_actor.reset(token)
    return policy
