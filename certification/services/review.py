"""The annual review (年审): a county justice bureau closes a calendar year.

Suspension for a short year is automatic in the status rules (it runs from 1 January
whether or not anyone closes the year); closing records each holder's decision as an
append-only annual-review event — passed, or suspended with the hours and the
requirement — and notifies the suspended officers. Closing twice records nothing twice.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit, UnitKind, User

from ..messages import hours_text
from ..models import AnnualReview, CredentialEvent, EventKind, StatusCode
from .notices import reminder_send_once

__all__ = ["annual_review_close", "ReviewOutcome"]


@dataclass
class ReviewOutcome:
    review: AnnualReview
    reviewed: int = 0
    passed: int = 0
    suspended: int = 0
    already: int = 0


def annual_review_close(*, county: OrgUnit, year: int, actor: User) -> ReviewOutcome:
    """Close `year` for every certificate holder under `county`: decide, record, notify."""
    from ..selectors.readiness import officers_under
    from ..selectors.status import officer_facts, policy_current, required_hours

    if county.kind != UnitKind.COUNTY:
        raise ValidationError(_("Annual reviews are closed per county."))
    if year >= timezone.localdate().year:
        raise ValidationError(_("Only a year that has ended can be closed."))
    policy = policy_current()
    start_next = datetime.date(year + 1, 1, 1)
    facts_list = officer_facts(officers_under(county), on=start_next, policy=policy)
    outcome = ReviewOutcome(review=None)  # type: ignore[arg-type]
    url = reverse("certification:mine")
    suspended_users = []
    with transaction.atomic():
        for facts in facts_list:
            if facts.credential_id is None or facts.issued_on > datetime.date(year, 12, 31):
                continue
            if facts.status in (StatusCode.REVOKED, StatusCode.CANCELLED, StatusCode.EXPIRED):
                continue
            required = required_hours(
                amount=policy.annual_hours, issued_on=facts.issued_on, year=year
            )
            if required <= 0:
                continue
            hours = facts.hours_in(year)
            short = hours < required
            details = {"hours": str(hours), "required": str(required)}
            reason = (
                _(
                    "%(year)s: %(hours)s of %(required)s hours — suspended from %(since)s until reinstated"
                )
                if short
                else _("%(year)s: %(hours)s of %(required)s hours — passed")
            ) % {
                "year": year,
                "hours": hours_text(hours),
                "required": hours_text(required),
                "since": start_next.isoformat(),
            }
            try:
                with transaction.atomic():
                    CredentialEvent.objects.create(
                        credential_id=facts.credential_id,
                        kind=EventKind.ANNUAL_REVIEW,
                        effective_on=start_next,
                        reason=reason,
                        reason_code="hours_shortfall" if short else "annual_review_passed",
                        actor=actor,
                        year=year,
                        details=details,
                    )
            except IntegrityError:
                outcome.already += 1
                continue
            outcome.reviewed += 1
            if short:
                outcome.suspended += 1
                suspended_users.append((facts.officer_id, reason))
            else:
                outcome.passed += 1
        outcome.review = AnnualReview.objects.filter(unit=county, year=year).first()
        if outcome.review is None:
            outcome.review = AnnualReview.objects.create(
                unit=county,
                year=year,
                closed_by=actor,
                holders=outcome.reviewed,
                suspended=outcome.suspended,
            )
        users = {u.pk: u for u in User.objects.filter(pk__in=[pk for pk, _r in suspended_users])}
        for officer_id, reason in suspended_users:
            reminder_send_once(
                user=users[officer_id],
                reason_code=f"annual_review:{year}",
                on=timezone.localdate(),
                title=_("Annual review %(year)s: your certificate is suspended") % {"year": year},
                body=reason,
                url=url,
            )
    return outcome
