"""Public verification of a certificate (no sign-in)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from ..models import (
    VerificationToken,
)
from ..selectors import (
    credential_status,
)
from ._common import _today


def _mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


@never_cache
def verify(request, token: str):
    """Public: masked name, certificate number, today's status and fields — nothing else."""
    found = (
        VerificationToken.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("credential__officer")
        .first()
    )
    if found is None:
        return render(request, "pages/certification/verify.html", {"invalid": True}, status=404)
    credential = found.credential
    status = credential_status(officer=credential.officer)
    current = status.credential is not None and status.credential.pk == credential.pk
    from powers.models import EnforcementField

    names = dict(EnforcementField.objects.values_list("code", "name"))
    return render(
        request,
        "pages/certification/verify.html",
        {
            "name": _mask_name(credential.officer.full_name or credential.officer.username),
            "number": credential.number,
            "status_label": status.label if current else _("Superseded by a newer certificate"),
            "status_code": status.code if current else "superseded",
            "tone": status.tone if current else "",
            "fields": [names.get(code, code) for code in status.fields] if current else [],
            "today": _today(),
        },
    )
