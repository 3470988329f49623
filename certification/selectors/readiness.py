"""Readiness of an area: how many officers may enforce, in which fields, and who is at risk.

Everything here is computed in the database over the status SQL of `status.py`: a
handful of queries whatever the number of officers (aggregates grouped by status, by
unit and by field), so a township dashboard and a whole province cost the same number
of round trips.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone

from people.models import GRASSROOTS_KINDS, OrgUnit, User
from people.selectors import officers as all_officers
from powers.models import EnforcementField, Power, PowerList

from ..models import Credential, StatusCode, StatusSnapshot
from .status import (
    OfficerFacts,
    Reason,
    officer_facts,
    policy_current,
    status_evaluate,
    status_rows_sql,
)

__all__ = [
    "ReadinessSummary",
    "readiness_summary",
    "area_rows_sql",
    "officers_at_risk",
    "officers_under",
    "readiness_by_unit",
    "fields_held_by_unit",
    "field_coverage",
    "FieldCoverage",
    "officers_with_status",
    "hours_distribution",
    "HOURS_BUCKETS",
    "TownshipReadiness",
    "township_readiness",
    "STATUS_ORDER",
]

STATUS_ORDER = [
    StatusCode.VALID,
    StatusCode.AT_RISK,
    StatusCode.SUSPENDED,
    StatusCode.EXPIRED,
    StatusCode.REVOKED,
    StatusCode.CANCELLED,
    StatusCode.NOT_QUALIFIED,
]


class ReadinessSummary(dict):
    """Counts by status code (every code present, zeros included)."""

    @classmethod
    def empty(cls) -> "ReadinessSummary":
        return cls({code.value: 0 for code in STATUS_ORDER})

    @property
    def total(self) -> int:
        return sum(self.values())

    @property
    def may_enforce(self) -> int:
        return self[StatusCode.VALID] + self[StatusCode.AT_RISK]

    def rows(self) -> list[tuple[str, str, int]]:
        """(code, label, count) in display order."""
        return [(code.value, code.label, self[code.value]) for code in STATUS_ORDER]


def officers_under(unit: OrgUnit) -> QuerySet[User]:
    """Every officer whose unit is `unit` or lies under it."""
    return all_officers().filter(unit__path__startswith=unit.path)


def _execute(using: str, sql: str, params: list) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def area_rows_sql(officers: QuerySet[User], *, on: datetime.date, policy=None) -> tuple[str, list]:
    """SQL of one row per officer: id, unit_id, c_id, h_cur (hours in `on`'s year), status.

    Officers with a status stored for `on` (`StatusSnapshot`, refreshed nightly) are read
    from it; the rest are computed by the status SQL. With a fresh snapshot, an area's
    counts cost one row per officer, not the rules over every certificate, event and
    yearly total; without one, they cost what they always did.
    """
    using = officers.db
    q = connections[using].ops.quote_name
    fresh = StatusSnapshot.objects.using(using).filter(on=on, officer_id=OuterRef("pk"))
    missing = officers.exclude(Exists(fresh))
    base_sql, base_params = (
        officers.order_by()
        .values(o_id=F("pk"), o_unit=F("unit_id"))
        .query.get_compiler(using=using)
        .as_sql()
    )
    snapshot = q(StatusSnapshot._meta.db_table)
    sql = (
        "SELECT o.o_id AS id, o.o_unit AS unit_id, sn.credential_pk AS c_id, "  # noqa: S608 - generated SQL; values are parameters
        "sn.hours_year AS h_cur, sn.status AS status "
        f"FROM ({base_sql}) o JOIN {snapshot} sn ON sn.officer_id = o.o_id AND sn.{q('on')} = %s"
    )
    missing_sql, missing_params = (
        missing.order_by().values("pk").query.get_compiler(using=using).as_sql()
    )
    live_sql, live_params, _facts = status_rows_sql(
        missing, on=on, policy=policy or policy_current()
    )
    # The EXISTS does not depend on the row: the database checks it once, and when every
    # officer is stored it never runs the status SQL, which reads every certificate to
    # find each officer's current one.
    sql += (
        f" UNION ALL SELECT l.id, l.unit_id, l.c_id, l.h_{on.year}, l.status FROM ({live_sql}) l"  # noqa: S608 - generated SQL; values are parameters
        f" WHERE EXISTS ({missing_sql})"
    )
    params = [*base_params, connections[using].ops.adapt_datefield_value(on)]
    return sql, [*params, *live_params, *missing_params]


def readiness_summary(*, unit: OrgUnit, on: datetime.date | None = None) -> ReadinessSummary:
    """Counts by status code on `on` (today by default) of every officer under `unit`.

    One grouped query over the status SQL (plus reading the policy and the earliest
    issue year): the database computes each officer's status and counts them.
    """
    on = on or timezone.localdate()
    officers = officers_under(unit)
    sql, params = area_rows_sql(officers, on=on)
    summary = ReadinessSummary.empty()
    for code, count in _execute(
        officers.db,
        f"SELECT s.status, COUNT(*) FROM ({sql}) s GROUP BY s.status",  # noqa: S608 - generated SQL; values are parameters
        params,
    ):
        summary[code] = count
    return summary


def readiness_by_unit(
    *, parent: OrgUnit, on: datetime.date | None = None
) -> list[tuple[OrgUnit, ReadinessSummary]]:
    """For each child of `parent` that has officers under it: its counts by status (drill-down)."""
    on = on or timezone.localdate()
    children = list(
        OrgUnit.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by(
            "path"
        )
    )
    officers = officers_under(parent)
    sql, params = area_rows_sql(officers, on=on)
    unit_paths = dict(
        OrgUnit.objects.filter(path__startswith=parent.path, kind__in=GRASSROOTS_KINDS).values_list(
            "pk", "path"
        )
    )
    by_child: dict[int, ReadinessSummary] = {}
    rows = _execute(
        officers.db,
        f"SELECT s.unit_id, s.status, COUNT(*) FROM ({sql}) s GROUP BY s.unit_id, s.status",  # noqa: S608 - generated SQL; values are parameters
        params,
    )
    child_by_prefix = {child.path: child for child in children}
    step = parent.steplen
    for unit_id, code, count in rows:
        path = unit_paths.get(unit_id, "")
        child = child_by_prefix.get(path[: step * (parent.depth + 1)])
        if child is None:
            continue
        by_child.setdefault(child.pk, ReadinessSummary.empty())[code] += count
    return [(child, by_child[child.pk]) for child in children if child.pk in by_child]


def fields_held_by_unit(
    *, units: list[OrgUnit], on: datetime.date | None = None
) -> dict[int, set[str]]:
    """Field codes each township or sub-district holds powers in on `on`, in two queries.

    The same rule as `powers.selectors.fields_held` (a power in force on a list in effect
    that covers the unit), applied to many units at once.
    """
    on = on or timezone.localdate()
    lists = list(PowerList.objects.filter(effective_from__lte=on).select_related("issuer"))
    in_force = Power.objects.in_force_on(on)
    fields_by_list: dict[int, set[str]] = defaultdict(set)
    for list_id, code in in_force.filter(lists__in=lists).values_list("lists__pk", "field__code"):
        fields_by_list[list_id].add(code)
    held: dict[int, set[str]] = {}
    for unit in units:
        codes: set[str] = set()
        if unit.is_grassroots:
            ancestors = set(unit.ancestor_paths())
            for power_list in lists:
                if power_list.applies_to not in ("both", unit.kind):
                    continue
                if power_list.issuer_id and power_list.issuer.path not in ancestors:
                    continue
                codes |= fields_by_list.get(power_list.pk, set())
        held[unit.pk] = codes
    return held


@dataclass
class FieldCoverage:
    """Per township: officers who may enforce each field, and the fields held with none."""

    unit: OrgUnit
    held: set[str]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def flagged(self) -> list[str]:
        return sorted(code for code in self.held if not self.counts.get(code))


def field_coverage(
    *, parent: OrgUnit, on: datetime.date | None = None
) -> tuple[list[FieldCoverage], list[EnforcementField]]:
    """For each township under `parent`: per field, officers who may enforce it on `on`.

    A township that holds powers in a field (per the list in effect) and has no valid or
    at-risk officer certified for it is flagged — what a new list (fire rescue, transport)
    causes until officers are trained and certified.
    """
    on = on or timezone.localdate()
    townships = list(
        OrgUnit.objects.filter(path__startswith=parent.path, kind__in=GRASSROOTS_KINDS)
        .with_county()
        .order_by("path")
    )
    held = fields_held_by_unit(units=townships, on=on)
    officers = officers_under(parent)
    sql, params = area_rows_sql(officers, on=on)
    using = officers.db
    q = connections[using].ops.quote_name
    through = Credential.fields.through
    rows = _execute(
        using,
        f"SELECT s.unit_id, ef.code, COUNT(*) FROM ({sql}) s "  # noqa: S608 - generated SQL; values are parameters
        f"JOIN {q(through._meta.db_table)} cf ON cf.credential_id = s.c_id "
        f"JOIN {q(EnforcementField._meta.db_table)} ef ON ef.id = cf.enforcementfield_id "
        "WHERE s.status IN (%s, %s) GROUP BY s.unit_id, ef.code",
        [*params, StatusCode.VALID.value, StatusCode.AT_RISK.value],
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, code, count in rows:
        counts[unit_id][code] = count
    coverage = [
        FieldCoverage(unit=unit, held=held[unit.pk], counts=counts.get(unit.pk, {}))
        for unit in townships
    ]
    return coverage, list(EnforcementField.objects.all())


@dataclass
class OfficerRow:
    officer: User
    code: str
    reasons: list[Reason]
    facts: OfficerFacts

    @property
    def label(self) -> str:
        return StatusCode(self.code).label

    @property
    def deadline(self) -> datetime.date | None:
        dated = [r.deadline for r in self.reasons if r.deadline]
        return min(dated) if dated else None

    @property
    def hours_this_year(self):
        return self.facts.hours_in(max(self.facts.hours)) if self.facts.hours else 0


def officers_with_status(
    officers: QuerySet[User],
    *,
    on: datetime.date | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[OfficerRow]:
    """Officers (optionally only those with `status`) with their status and reasons.

    Three queries: the officers, the status SQL restricted to them, the policy. Use on a
    page of officers or a filtered list, not on a whole province.
    """
    on = on or timezone.localdate()
    policy = policy_current()
    facts_list = officer_facts(officers, on=on, policy=policy, status=status, limit=limit)
    people = {
        o.pk: o
        for o in User.objects.filter(pk__in=[f.officer_id for f in facts_list]).select_related(
            "unit"
        )
    }
    rows = []
    for facts in facts_list:
        code, reasons = status_evaluate(facts, on=on, policy=policy)
        rows.append(
            OfficerRow(officer=people[facts.officer_id], code=code, reasons=reasons, facts=facts)
        )
    rows.sort(key=lambda r: (r.officer.unit.path, r.officer.username))
    return rows


def officers_at_risk(
    unit: OrgUnit, *, on: datetime.date | None = None, limit: int = 100
) -> list[OfficerRow]:
    """The first `limit` officers under `unit` at risk on `on`, with their reasons.

    Chosen from the area rows (the snapshot where fresh), then evaluated live, so the
    list a supervisor acts on always carries today's reasons.
    """
    on = on or timezone.localdate()
    officers = officers_under(unit)
    sql, params = area_rows_sql(officers, on=on)
    ids = [
        row[0]
        for row in _execute(
            officers.db,
            f"SELECT s.id FROM ({sql}) s WHERE s.status = %s ORDER BY s.id LIMIT {int(limit)}",  # noqa: S608 - generated SQL; values are parameters
            [*params, StatusCode.AT_RISK.value],
        )
    ]
    if not ids:
        return []
    return officers_with_status(all_officers().filter(pk__in=ids), on=on, status=StatusCode.AT_RISK)


HOURS_BUCKETS = [(0, 15), (15, 30), (30, 45), (45, 60), (60, None)]


def hours_distribution(*, unit: OrgUnit, on: datetime.date | None = None) -> list[tuple[str, int]]:
    """How many officers under `unit` have approved hours this year in each band (0–15, …, 60+)."""
    on = on or timezone.localdate()
    officers = officers_under(unit)
    sql, params = area_rows_sql(officers, on=on)
    column = "COALESCE(s.h_cur, 0)"
    whens, case_params = [], []
    for index, (low, high) in enumerate(HOURS_BUCKETS):
        if high is None:
            whens.append(f"WHEN {column} >= %s THEN %s")
            case_params += [low, index]
        else:
            whens.append(f"WHEN {column} < %s THEN %s")
            case_params += [high, index]
    rows = dict(
        _execute(
            officers.db,
            f"SELECT b, COUNT(*) FROM (SELECT CASE {' '.join(whens)} END AS b FROM ({sql}) s) x "  # noqa: S608 - generated SQL; values are parameters
            "GROUP BY b",
            [*case_params, *params],
        )
    )
    return _bands_labelled(rows)


def _bands_labelled(counts: dict[int, int]) -> list[tuple[str, int]]:
    labels = [f"{low}–{high}" if high else f"{low}+" for low, high in HOURS_BUCKETS]
    return [(labels[i], counts.get(i, 0)) for i in range(len(HOURS_BUCKETS))]


def _band_of(hours) -> int:
    """The index in HOURS_BUCKETS of `hours` (the same bounds as the SQL of `hours_distribution`)."""
    for index, (_low, high) in enumerate(HOURS_BUCKETS):
        if high is None or hours < high:
            return index
    raise AssertionError("the last band is open")


@dataclass
class TownshipReadiness:
    """Everything a township's dashboard shows, computed from one load of its roster."""

    summary: ReadinessSummary
    roster: list[OfficerRow]
    at_risk: list[OfficerRow]
    bands: list[tuple[str, int]]
    coverage: list[FieldCoverage]
    all_fields: list[EnforcementField]


def township_readiness(
    *, unit: OrgUnit, on: datetime.date | None = None, at_risk_limit: int = 100
) -> TownshipReadiness:
    """A township's counts, roster, at-risk list, hours bands and field coverage.

    A township page lists every officer anyway, so the status SQL runs once, for the
    roster, and the counts are made from its rows in Python rather than by four more
    grouped queries over the same SQL (whose planning, not execution, dominated a
    township page's cost). The figures are those of `readiness_summary`,
    `hours_distribution` and `field_coverage` for the same unit: tests compare them.
    """
    on = on or timezone.localdate()
    roster = officers_with_status(officers_under(unit), on=on)
    summary = ReadinessSummary.empty()
    band_counts: dict[int, int] = defaultdict(int)
    may_enforce: list[int] = []
    for row in roster:
        summary[row.code] += 1
        band_counts[_band_of(row.facts.hours_in(on.year))] += 1
        if row.code in (StatusCode.VALID, StatusCode.AT_RISK) and row.facts.credential_id:
            may_enforce.append(row.facts.credential_id)
    field_counts: dict[str, int] = defaultdict(int)
    for code in Credential.fields.through.objects.filter(credential_id__in=may_enforce).values_list(
        "enforcementfield__code", flat=True
    ):
        field_counts[code] += 1
    held = fields_held_by_unit(units=[unit], on=on)[unit.pk]
    return TownshipReadiness(
        summary=summary,
        roster=roster,
        at_risk=[row for row in roster if row.code == StatusCode.AT_RISK][:at_risk_limit],
        bands=_bands_labelled(band_counts),
        coverage=[FieldCoverage(unit=unit, held=held, counts=dict(field_counts))],
        all_fields=list(EnforcementField.objects.all()),
    )
