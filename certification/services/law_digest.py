"""The officer's monthly digest of law changes (docs/laws.md).

On the first run of a month, each officer is sent, once, a notification listing the laws
of their enforcement fields that a new version changed in the month before: a sentence
each, with a link to what changed. A law is of a field when a power of that field cites
it. Once-only delivery rests on `laws.LawDigest`'s unique (officer, month), written in
the same transaction as the notification.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laws.models import LawDigest
from laws.selectors import VersionChange, laws_cited_by, versions_changed
from people.selectors import officers
from powers.models import Power
from powers.selectors import fields_held

from .notices import notification_send

__all__ = ["DigestOutcome", "law_digest_sentence", "law_digests_send", "month_before"]


@dataclass
class DigestOutcome:
    month: str
    sent: int = 0
    skipped: int = 0


def month_before(on: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    """The first and last day of the calendar month before `on`, and its YYYY-MM."""
    end = on.replace(day=1) - datetime.timedelta(days=1)
    start = end.replace(day=1)
    return start, end, f"{start:%Y-%m}"


def law_digest_sentence(item: VersionChange) -> str:
    counts = item.counts
    moved = counts["renumbered"] + counts["replaced"]
    sentence = _(
        "%(law)s: the version in force from %(date)s amended %(amended)s, moved "
        "%(moved)s and repealed %(repealed)s articles, and added %(new)s."
    ) % {
        "law": item.version.law.title,
        "date": item.version.effective_on.isoformat(),
        "amended": counts["amended"],
        "moved": moved,
        "repealed": counts["repealed"],
        "new": counts["new"],
    }
    if item.first_change is not None:
        sentence += " " + reverse("laws:change", args=[item.first_change.pk])
    return sentence


def law_digests_send(*, on: datetime.date | None = None) -> DigestOutcome:
    """Send each officer the digest of last month's law changes in their fields, once."""
    on = on or timezone.localdate()
    start, end, month = month_before(on)
    outcome = DigestOutcome(month=month)
    changes = versions_changed(start=start, end=end)
    if not changes:
        return outcome
    changed_laws = {item.version.law_id for item in changes}
    field_of = dict(Power.objects.values_list("pk", "field_id"))
    laws_of_field: dict[int, set[int]] = {}
    for power_id, law_ids in laws_cited_by(model=Power, object_ids=field_of).items():
        laws_of_field.setdefault(field_of[power_id], set()).update(law_ids & changed_laws)
    already = set(LawDigest.objects.filter(month=month).values_list("officer_id", flat=True))
    unit_laws: dict[int, set[int]] = {}
    for officer in officers().filter(is_active=True).select_related("unit").order_by("pk"):
        if officer.pk in already or officer.unit is None:
            outcome.skipped += 1
            continue
        if officer.unit_id not in unit_laws:
            fields = fields_held(unit=officer.unit, on=end).values_list("pk", flat=True)
            unit_laws[officer.unit_id] = set().union(*(laws_of_field.get(f, set()) for f in fields))
        mine = [item for item in changes if item.version.law_id in unit_laws[officer.unit_id]]
        if not mine:
            continue
        title = ngettext(
            "A law of your fields changed in %(month)s",
            "%(count)s laws of your fields changed in %(month)s",
            len(mine),
        ) % {"count": len(mine), "month": month}
        first = next((item.first_change for item in mine if item.first_change), None)
        try:
            with transaction.atomic():
                LawDigest.objects.create(officer=officer, month=month, laws=len(mine))
                notification_send(
                    user=officer,
                    title=title,
                    body="\n".join(law_digest_sentence(item) for item in mine),
                    url=reverse("laws:change", args=[first.pk]) if first else "",
                )
        except IntegrityError:
            outcome.skipped += 1
            continue
        outcome.sent += 1
    return outcome
