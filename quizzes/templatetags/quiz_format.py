"""`{{ attempt.score|score_percent }}`: a score as people write it, "100 %" or "87.5 %"."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def score_percent(value) -> str:
    """The score without trailing zeros ("100 %", "87.5 %", "66.67 %"); empty for no score."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return str(value)
    text = (
        format(number, "f").rstrip("0").rstrip(".") if "." in format(number, "f") else str(number)
    )
    return f"{text} %"
