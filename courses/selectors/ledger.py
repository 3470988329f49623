"""Reading the training-hours ledger (DESIGN.md §5: `training_hours`)."""

from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from people.models import User

from ..models.ledger import HourCategory, TrainingRecord

__all__ = ["training_hours", "officers_with_hours", "HOUR_KEYS"]

HOUR_KEYS = [*HourCategory.values, "total"]
ZERO = Decimal("0.0")


def training_hours(*, officer: User, year: int) -> dict[str, Decimal]:
    """Approved hours in calendar year `year`: `public_law`, `professional`, `skills`, `total`.

    Reversing entries count (as negatives), so a corrected mistake disappears from the sum.
    """
    sums = TrainingRecord.objects.filter(officer=officer, completed_on__year=year).aggregate(
        **{
            category: Coalesce(Sum("hours", filter=Q(category=category)), Value(ZERO))
            for category in HourCategory.values
        },
        total=Coalesce(Sum("hours"), Value(ZERO)),
    )
    return {key: Decimal(sums[key]).quantize(Decimal("0.1")) for key in HOUR_KEYS}


def officers_with_hours(officers: QuerySet[User], *, year: int) -> QuerySet[User]:
    """Annotate each officer with `hours_<category>` and `hours_total` for `year`, in one query."""
    output = DecimalField(max_digits=7, decimal_places=1)

    def hours_in(condition: Q) -> Subquery:
        return Coalesce(
            Subquery(
                TrainingRecord.objects.filter(
                    condition, officer=OuterRef("pk"), completed_on__year=year
                )
                .order_by()
                .values("officer")
                .annotate(s=Sum("hours"))
                .values("s"),
                output_field=output,
            ),
            Value(ZERO),
            output_field=output,
        )

    annotations = {f"hours_{c}": hours_in(Q(category=c)) for c in HourCategory.values}
    annotations["hours_total"] = hours_in(Q())
    return officers.annotate(**annotations)
