"""The annual review (年审): a county justice bureau closes a calendar year.

Suspension for a short year is automatic in the status rules (it runs from 1 January
whether or not anyone closes the year); closing records each holder's decision as an
append-only annual-review event — passed, or suspended with the hours and the
requirement — and notifies the suspended officers. Closing twice records nothing twice.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit, UnitKind, User

from ..messages import hours_text
from ..models import AnnualReview, CredentialEvent, EventKind, StatusCode
from .notices import reminder_send_once

__all__ = ["annual_review_close", "annual_review_preview", "ReviewDecision", "ReviewOutcome"]


@dataclass
class ReviewOutcome:
    review: AnnualReview
    reviewed: int = 0
    passed: int = 0
    suspended: int = 0
    already: int = 0


@dataclass
class ReviewDecision:
    """One certificate holder's outcome if the year were closed now."""

    officer_id: int
    credential_id: int
    hours: Decimal
    required: Decimal

    @property
    def short(self) -> bool:
        return self.hours < self.required

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.hours, Decimal("0"))


def _check_closable(county: OrgUnit, year: int) -> None:
    if county.kind != UnitKind.COUNTY:
        raise ValidationError(_("Annual reviews are closed per county."))
    if year >= timezone.localdate().year:
        raise ValidationError(_("Only a year that has ended can be closed."))


def _refuse_if_closed(county: OrgUnit, year: int) -> None:
    done = AnnualReview.objects.filter(unit=county, year=year).select_related("closed_by").first()
    if done is not None:
        raise ValidationError(
            _("%(year)s was already closed on %(date)s by %(name)s.")
            % {
                "year": year,
                "date": timezone.localtime(done.closed_at).date().isoformat(),
                "name": done.closed_by.get_full_name() or done.closed_by.username,
            }
        )


def _decisions(county: OrgUnit, year: int) -> list[ReviewDecision]:
    from ..selectors.readiness import officers_under
    from ..selectors.status import officer_facts, policy_current, required_hours

    policy = policy_current()
    start_next = datetime.date(year + 1, 1, 1)
    decisions = []
    for facts in officer_facts(officers_under(county), on=start_next, policy=policy):
        if facts.credential_id is None or facts.issued_on > datetime.date(year, 12, 31):
            continue
        if facts.status in (StatusCode.REVOKED, StatusCode.CANCELLED, StatusCode.EXPIRED):
            continue
        required = required_hours(amount=policy.annual_hours, issued_on=facts.issued_on, year=year)
        if required <= 0:
            continue
        decisions.append(
            ReviewDecision(
                officer_id=facts.officer_id,
                credential_id=facts.credential_id,
                hours=facts.hours_in(year),
                required=required,
            )
        )
    return decisions


def annual_review_preview(*, county: OrgUnit, year: int) -> list[dict]:
    """Exactly who closing `year` now would suspend: officer (with unit), hours, required,
    hours short — the confirmation page lists these before anything is recorded."""
    _check_closable(county, year)
    _refuse_if_closed(county, year)
    already = set(
        CredentialEvent.objects.filter(kind=EventKind.ANNUAL_REVIEW, year=year).values_list(
            "credential_id", flat=True
        )
    )
    short = [d for d in _decisions(county, year) if d.short and d.credential_id not in already]
    people = User.objects.select_related("unit").in_bulk([d.officer_id for d in short])
    rows = [
        {
            "officer": people[d.officer_id],
            "hours": d.hours,
            "required": d.required,
            "missing": d.missing,
        }
        for d in short
    ]
    rows.sort(
        key=lambda r: (r["officer"].unit.path if r["officer"].unit else "", r["officer"].username)
    )
    return rows


def annual_review_close(*, county: OrgUnit, year: int, actor: User) -> ReviewOutcome:
    """Close `year` for every certificate holder under `county`: decide, record, notify.

    A year is closed once: closing it again is refused, saying when and by whom."""
    _check_closable(county, year)
    _refuse_if_closed(county, year)
    start_next = datetime.date(year + 1, 1, 1)
    outcome = ReviewOutcome(review=None)  # type: ignore[arg-type]
    url = reverse("certification:mine")
    suspended_users = []
    with transaction.atomic():
        for decision in _decisions(county, year):
            required = decision.required
            hours = decision.hours
            short = decision.short
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
                        credential_id=decision.credential_id,
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
                suspended_users.append((decision.officer_id, reason))
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
