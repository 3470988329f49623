"""Verification links behind the QR code on a transcript: unguessable, revocable."""

import secrets

from django.db import transaction
from django.utils import timezone

from people.models import User

from ..models import Credential, VerificationToken

__all__ = ["verification_token_for", "verification_token_revoke"]


@transaction.atomic
def verification_token_for(
    *, credential: Credential, actor: User | None = None
) -> VerificationToken:
    """The certificate's live verification token, created (32 random bytes) when it has none."""
    token = (
        VerificationToken.objects.filter(credential=credential, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if token is not None:
        return token
    return VerificationToken.objects.create(
        credential=credential, token=secrets.token_urlsafe(32), created_by=actor
    )


def verification_token_revoke(*, token: VerificationToken) -> VerificationToken:
    """Kill a link: its page then says the link is not valid. A new one can be made."""
    if token.revoked_at is None:
        VerificationToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        token.revoked_at = timezone.now()
    return token
