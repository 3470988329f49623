"""The nightly status snapshot that area dashboards count (see `models.snapshot`)."""

import datetime

from django.db import connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from people.selectors import officers as all_officers

from ..models import StatusSnapshot
from ..selectors.status import policy_current, status_rows_sql

__all__ = ["status_snapshot_refresh", "status_snapshot_forget"]


def status_snapshot_refresh(*, on: datetime.date | None = None, using: str = "default") -> int:
    """Store each officer's status for `on` (today by default); returns the rows written.

    Rows of other days are removed; officers who already have a row for `on` keep it.
    One INSERT … SELECT over the status SQL of `selectors.status`, so the rules stay in
    one place. On PostgreSQL the table is locked against writers' removals for the length
    of the refresh: a change committed while the refresh reads would otherwise leave a
    row computed before it. Writers wait for the refresh, then remove the row.
    """
    on = on or timezone.localdate()
    connection = connections[using]
    q = connection.ops.quote_name
    table = q(StatusSnapshot._meta.db_table)
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        StatusSnapshot.objects.using(using).exclude(on=on).delete()
        missing = (
            all_officers()
            .using(using)
            .exclude(Exists(StatusSnapshot.objects.filter(officer_id=OuterRef("pk"), on=on)))
        )
        sql, params, _facts = status_rows_sql(missing, on=on, policy=policy_current())
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (officer_id, {q('on')}, status, credential_pk, hours_year) "  # noqa: S608 - generated SQL; values are parameters
                f"SELECT s.id, %s, s.status, s.c_id, COALESCE(s.h_{on.year}, 0) FROM ({sql}) s",
                [connection.ops.adapt_datefield_value(on), *params],
            )
            written = cursor.rowcount
            if connection.vendor == "postgresql":
                # Fresh statistics, or the planner takes the day's rows for a handful and
                # joins an area's officers to all of them instead of looking each one up.
                cursor.execute(f"ANALYZE {table}")
            return written


def status_snapshot_forget(*, officer_ids=None, using: str = "default") -> None:
    """Remove the stored status of `officer_ids` (everyone's when None): they are computed live."""
    rows = StatusSnapshot.objects.using(using)
    if officer_ids is not None:
        rows = rows.filter(officer_id__in=list(officer_ids))
    rows.delete()
