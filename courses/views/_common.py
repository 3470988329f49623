"""What the training views share: turning a refusal into one line, and the officer check."""

from django.core.exceptions import PermissionDenied, ValidationError


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def require_officer(request) -> None:
    if request.user.unit_id is None or not request.user.unit.is_grassroots:
        raise PermissionDenied
