"""Each officer's status as computed for one day: what area dashboards count.

A province's or a nation's counts by status would otherwise run the status rules over
every officer on every page view. The nightly refresh (`services.status_snapshot_refresh`)
stores, per officer, the status the rules give for that day, with the two facts the area
pages also group by. Any change to what the rules read (a ledger entry, a certificate or
one of its events, the policy) removes the rows it affects in the same transaction
(`receivers`), and those officers are computed live until the next refresh. A row is
used only for the day it was computed for, so a snapshot can be missing, never stale.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .credentials import StatusCode

__all__ = ["StatusSnapshot"]


class StatusSnapshot(models.Model):
    officer = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="status_snapshot",
    )
    on = models.DateField(_("computed for"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=StatusCode.choices)
    #: The certificate the status is about (for the fields it covers); None when none.
    credential_pk = models.BigIntegerField(null=True, blank=True)
    #: Approved hours in the year of `on`, up to `on`.
    hours_year = models.DecimalField(max_digits=8, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")

    def __str__(self) -> str:
        return f"{self.officer_id} · {self.on} · {self.status}"
