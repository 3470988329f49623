"""Notifications, daily reminders and the weekly supervisor digest.

Once-only delivery rests on `ReminderSent`'s unique (user, reason, ISO week): the row
and the in-app notification are written in one transaction, so a second run of the task
(or a rerun after a worker died) finds the row and sends nothing again. Email goes out
after that transaction commits: at most once, never twice.
"""

import datetime
import logging
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit, Role, RoleAssignment, User
from people.selectors import officers

from ..models import Notification, ReminderSent, StatusCode

__all__ = [
    "notification_send",
    "reminder_send_once",
    "reminders_send",
    "supervisor_digests_send",
    "iso_week",
]

log = logging.getLogger(__name__)


def iso_week(day: datetime.date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def notification_send(
    *, user: User, title: str, body: str = "", url: str = "", email: bool = True
) -> Notification:
    """An in-app notification, and the same by email (after commit) when the user has an address."""
    notice = Notification.objects.create(user=user, title=title[:200], body=body, url=url)
    if email and user.email:
        address = user.email

        def deliver():
            try:
                send_mail(title[:200], f"{body}\n\n{url}".strip(), None, [address])
            except Exception:  # a mail outage must not undo the notification
                log.exception("certificate notice email to user %s failed", user.pk)

        transaction.on_commit(deliver)
    return notice


def reminder_send_once(
    *, user: User, reason_code: str, on: datetime.date, title: str, body: str, url: str = ""
) -> bool:
    """Send a reminder unless this user already had one for this reason this ISO week."""
    week = iso_week(on)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user=user, reason_code=reason_code[:60], week=week)
            notification_send(user=user, title=title, body=body, url=url)
    except IntegrityError:
        return False
    return True


@dataclass
class ReminderOutcome:
    sent: int = 0
    skipped: int = 0


def reminders_send(*, on: datetime.date | None = None) -> ReminderOutcome:
    """Remind officers whose status changed since yesterday, or who are at risk.

    Two status queries for the whole city (today, yesterday), then one reminder per
    officer, reason and week.
    """
    from ..selectors.status import officer_facts, policy_current, status_evaluate

    on = on or timezone.localdate()
    policy = policy_current()
    pool = officers()
    yesterday = {
        f.officer_id: f.status for f in officer_facts(pool, on=on - datetime.timedelta(days=1))
    }
    today = officer_facts(pool, on=on, policy=policy)
    interesting = [
        f
        for f in today
        if f.status == StatusCode.AT_RISK
        or (f.officer_id in yesterday and yesterday[f.officer_id] != f.status)
    ]
    people = {u.pk: u for u in User.objects.filter(pk__in=[f.officer_id for f in interesting])}
    outcome = ReminderOutcome()
    url = reverse("certification:mine")
    for facts in interesting:
        user = people[facts.officer_id]
        code, reasons = status_evaluate(facts, on=on, policy=policy)
        label = StatusCode(code).label
        messages = [r.message for r in reasons]
        notes = []
        if yesterday.get(facts.officer_id) not in (None, facts.status):
            notes.append(
                (
                    f"status:{code}",
                    _("Your certificate status is now: %(status)s") % {"status": label},
                )
            )
        if code == StatusCode.AT_RISK:
            notes += [
                (reason.code, _("Certificate at risk: %(what)s") % {"what": reason.message})
                for reason in reasons
            ]
        for reason_code, title in notes:
            if reminder_send_once(
                user=user,
                reason_code=reason_code,
                on=on,
                title=title,
                body="\n".join(messages),
                url=url,
            ):
                outcome.sent += 1
            else:
                outcome.skipped += 1
    return outcome


def supervisor_digests_send(*, on: datetime.date | None = None) -> ReminderOutcome:
    """Once a week, each township supervisor and head and each justice bureau gets a digest."""
    from people.selectors import unit_county

    from ..selectors.readiness import readiness_summary

    on = on or timezone.localdate()
    outcome = ReminderOutcome()
    url = reverse("certification:dashboard")
    assignments = RoleAssignment.objects.filter(
        role__in=[Role.TOWNSHIP_SUPERVISOR, Role.TOWNSHIP_HEAD, Role.JUSTICE_BUREAU]
    ).select_related("user", "unit")
    summaries: dict[int, dict] = {}
    for assignment in assignments:
        unit: OrgUnit | None = assignment.unit
        if assignment.role == Role.JUSTICE_BUREAU:
            unit = unit_county(unit)
        if unit is None:
            continue
        if unit.pk not in summaries:
            summaries[unit.pk] = readiness_summary(unit=unit, on=on)
        summary = summaries[unit.pk]
        body = "\n".join(f"{label}: {count}" for _code, label, count in summary.rows())
        title = _("Weekly certificate readiness: %(unit)s — %(good)s of %(total)s may enforce") % {
            "unit": unit.name,
            "good": summary.may_enforce,
            "total": summary.total,
        }
        if reminder_send_once(
            user=assignment.user,
            reason_code=f"digest:{unit.pk}",
            on=on,
            title=title,
            body=body,
            url=url,
        ):
            outcome.sent += 1
        else:
            outcome.skipped += 1
    return outcome
