"""Certificate status on any date (DESIGN.md §4), for one officer or many at once.

The rules are applied in two places that must agree:

- `status_evaluate` (Python) turns one officer's *facts* into a status with reasons,
  deadlines and fields — what an officer page, a reminder or the API shows;
- `status_case_sql` (SQL) computes the bare status code of every officer in a scope in
  the database, so `readiness_summary` counts a whole province in one query.

Both read the same facts (`facts_sql`): the latest certificate issued on or before the
date, the dates of its suspension, reinstatement, revocation and cancellation events,
and the officer's approved hours per calendar year. `tests/certification` checks the two
against each other over every rule.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connections
from django.db.models import F, Min, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import HourCategory, HoursTotal, TrainingRecord
from people.models import User

from ..messages import hours_text, reason_text
from ..models import (
    Credential,
    CredentialEvent,
    CredentialPolicy,
    EventKind,
    StatusCode,
)

__all__ = [
    "DATE_EARLIEST",
    "DATE_LATEST",
    "Reason",
    "CredentialStatus",
    "OfficerFacts",
    "policy_current",
    "required_hours",
    "months_held",
    "credential_status",
    "credential_current",
    "status_evaluate",
    "status_explanations",
    "officer_facts",
    "status_rows_sql",
]

D = datetime.date

#: The dates a status may be asked for. The rules look ahead of the date asked (the
#: at-risk window, the next year's checkpoints), which overflows Python's calendar near
#: 9999-12-31; no question a supervisor or the provincial platform asks falls outside.
DATE_EARLIEST = D(1900, 1, 1)
DATE_LATEST = D(2099, 12, 31)

CATEGORIES = list(HourCategory.values)
TENTH = Decimal("0.1")


def policy_current() -> CredentialPolicy:
    """The one credential policy row (created with the defaults of §4 on first use)."""
    return CredentialPolicy.load()


@dataclass(frozen=True)
class Reason:
    """Why a status is what it is: a stable code and a sentence saying what to do, by when."""

    code: str
    message: str
    message_zh: str
    message_en: str
    deadline: datetime.date | None = None
    details: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


def _reason(code: str, deadline: datetime.date | None = None, **details) -> Reason:
    zh, en, active = reason_text(code, deadline=deadline, **details)
    return Reason(
        code=code,
        message=active,
        message_zh=zh,
        message_en=en,
        deadline=deadline,
        details={"deadline": deadline, **details},
    )


@dataclass(frozen=True)
class CredentialStatus:
    """An officer's certificate status on a date, with its reasons and the fields they may enforce."""

    code: str
    on: datetime.date
    reasons: list[Reason]
    fields: list[str]
    credential: Credential | None = None
    next_step: Reason | None = None
    #: Sentences that say what the status means and where its numbers come from.
    explanations: list[str] = field(default_factory=list)

    @property
    def other_reasons(self) -> list[Reason]:
        """The reasons besides the next step (shown once, beside it, not twice)."""
        return [r for r in self.reasons if r != self.next_step]

    @property
    def label(self) -> str:
        return StatusCode(self.code).label

    @property
    def may_enforce(self) -> bool:
        return self.code in (StatusCode.VALID, StatusCode.AT_RISK)

    @property
    def tone(self) -> str:
        return STATUS_TONES[self.code]


STATUS_TONES = {
    StatusCode.NOT_QUALIFIED: "",
    StatusCode.CANCELLED: "bad",
    StatusCode.REVOKED: "bad",
    StatusCode.EXPIRED: "bad",
    StatusCode.SUSPENDED: "bad",
    StatusCode.AT_RISK: "warn",
    StatusCode.VALID: "ok",
}


# ---------------------------------------------------------------------------
# Hours required
# ---------------------------------------------------------------------------


def months_held(*, issued_on: datetime.date, year: int) -> int:
    """Whole calendar months of `year` in which a certificate issued on `issued_on` was held.

    Issued 15 March → April to December, 9 months; issued 1 March → March is held whole,
    10 months; issued before the year → 12; issued after it → 0.
    """
    if issued_on.year < year:
        return 12
    if issued_on.year > year:
        return 0
    return 12 - issued_on.month + (1 if issued_on.day == 1 else 0)


def required_hours(
    *, amount: Decimal, issued_on: datetime.date, year: int, policy: CredentialPolicy | None = None
) -> Decimal:
    """`amount` (a yearly requirement) pro-rated by the whole months held in `year`."""
    return _prorate(amount, months_held(issued_on=issued_on, year=year))


# ---------------------------------------------------------------------------
# Facts
# ---------------------------------------------------------------------------


@dataclass
class OfficerFacts:
    officer_id: int
    unit_id: int | None
    credential_id: int | None = None
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    suspended_on: datetime.date | None = None
    reinstated_on: datetime.date | None = None
    revoked_on: datetime.date | None = None
    cancelled_on: datetime.date | None = None
    # year → {"total": …, "public_law": …, …}
    hours: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    status: str = ""

    def hours_in(self, year: int, key: str = "total") -> Decimal:
        return self.hours.get(year, {}).get(key, Decimal("0.0"))


def _q(name: str, using: str) -> str:
    return connections[using].ops.quote_name(name)


def _d(value: datetime.date, using: str):
    """A date as the database driver wants it (SQLite stores text, PostgreSQL dates)."""
    return connections[using].ops.adapt_datefield_value(value)


def _to_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return D.fromisoformat(str(value)[:10])


def _to_hours(value) -> Decimal:
    if value is None:
        return Decimal("0.0")
    return Decimal(str(value)).quantize(TENTH)


def _first_year(officers: QuerySet[User], on: datetime.date) -> int:
    """The earliest issue year among the officers' certificates unexpired on `on` (bounds the years to check)."""
    first = (
        Credential.objects.using(officers.db)
        .filter(
            officer_id__in=officers.order_by().values("pk"), issued_on__lte=on, expires_on__gte=on
        )
        .aggregate(first=Min("issued_on"))["first"]
    )
    return first.year if first else on.year


@dataclass(frozen=True)
class _FactsQuery:
    sql: str
    params: list
    years: list[int]
    categories: list[str]


def facts_sql(
    officers: QuerySet[User], *, on: datetime.date, policy: CredentialPolicy, first_year: int
) -> _FactsQuery:
    """SQL selecting, per officer in `officers`, every fact the status rules read.

    Columns: id, unit_id, c_id, c_issued, c_expires, susp, reinst, revoked_on,
    cancelled_on, then h_<year> (and h_<year>_<category> when per-category minimums are
    set) for each year from `first_year` to `on.year`. Hours in `on`'s own year count up
    to `on`. Three joins, no per-officer subquery: the plan stays the same for fifteen
    officers or a hundred thousand.
    """
    using = officers.db
    q = lambda name: _q(name, using)  # noqa: E731
    base_sql, base_params = (
        officers.order_by()
        .values(o_id=F("pk"), o_unit=F("unit_id"))
        .query.get_compiler(using=using)
        .as_sql()
    )
    cred = q(Credential._meta.db_table)
    event = q(CredentialEvent._meta.db_table)
    ledger = q(TrainingRecord._meta.db_table)
    on_db = _d(on, using)
    years = list(range(min(first_year, on.year), on.year + 1))
    categories = list(policy.category_minimums()) if policy.category_minimums() else []

    # Hours come from the yearly totals (`HoursTotal`), one row per officer, year and
    # category, not from every ledger entry. Only a total holding hours completed after
    # `on` (asked about a past day) is summed again from the ledger, for that officer alone.
    totals = q(HoursTotal._meta.db_table)
    on_year_start = _d(D(on.year, 1, 1), using)
    hour_columns, hour_params, outer_hours = [], [], []
    for year in years:
        if year < on.year:
            value, value_params = "tt.hours", []
        else:
            value = f"""CASE WHEN tt.latest_on <= %s THEN tt.hours ELSE (
    SELECT COALESCE(SUM(t.hours), 0) FROM {ledger} t
    WHERE t.officer_id = tt.officer_id AND t.category = tt.category
      AND t.completed_on >= %s AND t.completed_on <= %s) END"""  # noqa: S608 - table name; values are parameters
            value_params = [on_db, on_year_start, on_db]
        hour_columns.append(f"SUM(CASE WHEN tt.year = %s THEN {value} END) AS h_{year}")
        hour_params += [year, *value_params]
        outer_hours.append(f"h.h_{year}")
        for category in categories:
            hour_columns.append(
                f"SUM(CASE WHEN tt.year = %s AND tt.category = %s THEN {value} END) "
                f"AS h_{year}_{category}"
            )
            hour_params += [year, category, *value_params]
            outer_hours.append(f"h.h_{year}_{category}")

    kinds = [
        EventKind.SUSPENSION,
        EventKind.REINSTATEMENT,
        EventKind.REVOCATION,
        EventKind.CANCELLATION,
    ]
    event_columns = """MAX(CASE WHEN e.kind = %s THEN e.effective_on END) AS susp,
           MAX(CASE WHEN e.kind = %s THEN e.effective_on END) AS reinst,
           MIN(CASE WHEN e.kind = %s THEN e.effective_on END) AS revoked_on,
           MIN(CASE WHEN e.kind = %s THEN e.effective_on END) AS cancelled_on"""
    if connections[using].vendor == "postgresql":
        # LATERAL: each officer's events and hours by index, so a township reads only its
        # own rows and the plan's cost (hence JIT, parallel scans) stays proportional.
        events_join = f"""LEFT JOIN LATERAL (
    SELECT {event_columns}
    FROM {event} e
    WHERE e.credential_id = c.id AND e.effective_on <= %s AND e.kind IN (%s, %s, %s, %s)
) ev ON TRUE"""  # noqa: S608 - generated SQL; values are parameters
        hours_join = f"""LEFT JOIN LATERAL (
    SELECT {", ".join(hour_columns)}
    FROM {totals} tt
    WHERE tt.officer_id = o.o_id AND tt.year >= %s AND tt.year <= %s
) h ON TRUE"""  # noqa: S608 - generated SQL; values are parameters
        join_params = [*kinds, on_db, *kinds, *hour_params, years[0], on.year]
    else:
        events_join = f"""LEFT JOIN (
    SELECT e.credential_id AS credential_id, {event_columns}
    FROM {event} e
    WHERE e.effective_on <= %s AND e.kind IN (%s, %s, %s, %s)
      AND e.credential_id IN (
        SELECT cc.id FROM {cred} cc WHERE cc.officer_id IN (SELECT oe.o_id FROM ({base_sql}) oe))
    GROUP BY e.credential_id
) ev ON ev.credential_id = c.id"""  # noqa: S608 - generated SQL; values are parameters
        hours_join = f"""LEFT JOIN (
    SELECT tt.officer_id AS officer_id, {", ".join(hour_columns)}
    FROM {totals} tt
    WHERE tt.year >= %s AND tt.year <= %s
      AND tt.officer_id IN (SELECT ob.o_id FROM ({base_sql}) ob)
    GROUP BY tt.officer_id
) h ON h.officer_id = o.o_id"""  # noqa: S608 - generated SQL; values are parameters
        join_params = [
            *kinds,
            on_db,
            *kinds,
            *base_params,
            *hour_params,
            years[0],
            on.year,
            *base_params,
        ]
    sql = f"""
SELECT o.o_id AS id, o.o_unit AS unit_id, c.id AS c_id, c.issued_on AS c_issued,
       c.expires_on AS c_expires, ev.susp AS susp, ev.reinst AS reinst,
       ev.revoked_on AS revoked_on, ev.cancelled_on AS cancelled_on,
       {", ".join(outer_hours)}
FROM ({base_sql}) o
LEFT JOIN {cred} c ON c.officer_id = o.o_id AND c.issued_on <= %s AND NOT EXISTS (
    SELECT 1 FROM {cred} c2 WHERE c2.officer_id = c.officer_id AND c2.issued_on <= %s
    AND (c2.issued_on > c.issued_on OR (c2.issued_on = c.issued_on AND c2.id > c.id)))
{events_join}
{hours_join}
"""  # noqa: S608 - generated SQL; values are parameters
    params = [*base_params, on_db, on_db, *join_params]
    return _FactsQuery(sql=sql, params=params, years=years, categories=categories)


def _prorate(amount: Decimal, months: int) -> Decimal:
    return (Decimal(amount) * months / 12).quantize(TENTH)


def _required_case(year: int, amount: Decimal, using: str) -> tuple[str, list]:
    """SQL for `amount` pro-rated by the months a certificate issued on c_issued held in `year`."""
    whens = ["WHEN c_issued < %s THEN %s"]
    params: list = [_d(D(year, 1, 1), using), float(_prorate(amount, 12))]
    for month in range(1, 13):
        first = D(year, month, 1)
        last = D(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
        whens.append("WHEN c_issued = %s THEN %s")
        params += [_d(first, using), float(_prorate(amount, 13 - month))]
        whens.append("WHEN c_issued <= %s THEN %s")
        params += [_d(last, using), float(_prorate(amount, 12 - month))]
    return f"(CASE {' '.join(whens)} ELSE 0 END)", params


#: Hours are kept to a tenth; compare with a margin so float sums never tip a boundary.
EPSILON = 0.001


def status_case_sql(
    facts: _FactsQuery, *, on: datetime.date, policy: CredentialPolicy, using: str
) -> tuple[str, list]:
    """A SQL CASE giving the status code from the columns of `facts_sql` (rules 1–6 of §4).

    Pieces are appended in the order they appear in the SQL, each with its parameters.
    """
    sql: list[str] = []
    params: list = []

    def add(text: str, *values) -> None:
        sql.append(text)
        params.extend(values)

    on_db = _d(on, using)
    add("CASE WHEN c_id IS NULL THEN %s", StatusCode.NOT_QUALIFIED.value)
    add(
        "WHEN revoked_on IS NOT NULL AND (cancelled_on IS NULL OR revoked_on <= cancelled_on) "
        "THEN %s",
        StatusCode.REVOKED.value,
    )
    add("WHEN cancelled_on IS NOT NULL THEN %s", StatusCode.CANCELLED.value)
    add("WHEN c_expires < %s THEN %s", on_db, StatusCode.EXPIRED.value)
    add(
        "WHEN susp IS NOT NULL AND (reinst IS NULL OR reinst < susp) THEN %s",
        StatusCode.SUSPENDED.value,
    )
    minimums = policy.category_minimums()
    closed = [year for year in facts.years if year < on.year]
    if closed:
        add("WHEN")
        for index, year in enumerate(closed):
            add(
                ("OR " if index else "")
                + "(c_issued <= %s AND NOT (reinst IS NOT NULL AND reinst >= %s) AND (",
                _d(D(year, 12, 31), using),
                _d(D(year + 1, 1, 1), using),
            )
            required, required_params = _required_case(year, policy.annual_hours, using)
            add(f"COALESCE(h_{year}, 0) < {required} - {EPSILON}", *required_params)
            for category in facts.categories:
                required, required_params = _required_case(year, minimums[category], using)
                add(
                    f"OR COALESCE(h_{year}_{category}, 0) < {required} - {EPSILON}",
                    *required_params,
                )
            add("))")
        add("THEN %s", StatusCode.SUSPENDED.value)
    at_risk_until = _d(on + datetime.timedelta(days=policy.at_risk_days), using)
    add("WHEN c_expires <= %s THEN %s", at_risk_until, StatusCode.AT_RISK.value)
    passed = [cp for cp in policy.checkpoints(on.year) if cp[0] <= on]
    if passed:
        add(
            f"WHEN COALESCE(h_{on.year}, 0) < %s - {EPSILON} THEN %s",
            float(passed[-1][1]),
            StatusCode.AT_RISK.value,
        )
    add("ELSE %s END", StatusCode.VALID.value)
    return " ".join(sql), params


def status_rows_sql(
    officers: QuerySet[User], *, on: datetime.date, policy: CredentialPolicy | None = None
) -> tuple[str, list, _FactsQuery]:
    """SQL for every fact column plus `status`, one row per officer in `officers`."""
    policy = policy or policy_current()
    using = officers.db
    facts = facts_sql(officers, on=on, policy=policy, first_year=_first_year(officers, on))
    case, case_params = status_case_sql(facts, on=on, policy=policy, using=using)
    sql = f"SELECT f.*, {case} AS status FROM ({facts.sql}) f"  # noqa: S608 - generated SQL; values are parameters
    return sql, [*case_params, *facts.params], facts


def officer_facts(
    officers: QuerySet[User],
    *,
    on: datetime.date,
    policy: CredentialPolicy | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[OfficerFacts]:
    """Facts (and the SQL-computed status) of each officer in `officers`, in two queries.

    `status` and `limit` filter in the database, so "the first 100 at risk in a
    province" never brings a hundred thousand rows into Python.
    """
    sql, params, facts = status_rows_sql(officers, on=on, policy=policy)
    if status is not None or limit is not None:
        sql = f"SELECT * FROM ({sql}) s"  # noqa: S608 - generated SQL; values are parameters
        if status is not None:
            sql += " WHERE s.status = %s"
            params = [*params, status]
        sql += " ORDER BY s.id"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
    with connections[officers.db].cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        rows = cursor.fetchall()
    result = []
    for row in rows:
        values = dict(zip(names, row, strict=True))
        item = OfficerFacts(
            officer_id=values["id"],
            unit_id=values["unit_id"],
            credential_id=values["c_id"],
            issued_on=_to_date(values["c_issued"]),
            expires_on=_to_date(values["c_expires"]),
            suspended_on=_to_date(values["susp"]),
            reinstated_on=_to_date(values["reinst"]),
            revoked_on=_to_date(values["revoked_on"]),
            cancelled_on=_to_date(values["cancelled_on"]),
            status=values["status"],
        )
        for year in facts.years:
            item.hours[year] = {"total": _to_hours(values[f"h_{year}"])}
            for category in facts.categories:
                item.hours[year][category] = _to_hours(values[f"h_{year}_{category}"])
        result.append(item)
    return result


# ---------------------------------------------------------------------------
# The rules, in Python
# ---------------------------------------------------------------------------


def _pace_reason(facts: OfficerFacts, on: datetime.date, policy: CredentialPolicy) -> Reason | None:
    """Behind pace: fewer hours this year than the last checkpoint passed expects."""
    checkpoints = policy.checkpoints(on.year)
    passed = [cp for cp in checkpoints if cp[0] <= on]
    if not passed:
        return None
    hours = facts.hours_in(on.year)
    if hours >= passed[-1][1]:
        return None
    upcoming = [cp for cp in checkpoints if cp[0] > on]
    if upcoming:
        target, deadline = upcoming[0][1], upcoming[0][0] - datetime.timedelta(days=1)
    else:
        target = max(
            required_hours(amount=policy.annual_hours, issued_on=facts.issued_on, year=on.year),
            passed[-1][1],
        )
        deadline = D(on.year, 12, 31)
    return _reason(
        "hours_behind_pace",
        deadline=deadline,
        hours=hours,
        expected=passed[-1][1],
        needed=(Decimal(target) - hours).quantize(TENTH),
    )


def _shortfall_reasons(
    facts: OfficerFacts, on: datetime.date, policy: CredentialPolicy
) -> list[Reason]:
    reasons = []
    minimums = policy.category_minimums()
    for year in range(facts.issued_on.year, on.year):
        if facts.reinstated_on is not None and facts.reinstated_on >= D(year + 1, 1, 1):
            continue
        required = required_hours(amount=policy.annual_hours, issued_on=facts.issued_on, year=year)
        hours = facts.hours_in(year)
        short_categories = {
            category: required_hours(amount=minimum, issued_on=facts.issued_on, year=year)
            for category, minimum in minimums.items()
            if facts.hours_in(year, category)
            < required_hours(amount=minimum, issued_on=facts.issued_on, year=year)
        }
        if hours < required or short_categories:
            reasons.append(
                _reason(
                    "hours_shortfall",
                    year=year,
                    hours=hours,
                    required=required,
                    missing=max(required - hours, Decimal("0.0")),
                    since=D(year + 1, 1, 1),
                    categories=sorted(short_categories),
                )
            )
    return reasons


def status_evaluate(
    facts: OfficerFacts,
    *,
    on: datetime.date,
    policy: CredentialPolicy,
    suspension_reason: str = "",
) -> tuple[str, list[Reason]]:
    """The status code and reasons from an officer's facts: DESIGN.md §4, first match wins."""
    if facts.credential_id is None:
        return StatusCode.NOT_QUALIFIED, [_reason("no_certificate")]
    ended = [
        (day, code)
        for day, code in (
            (facts.revoked_on, StatusCode.REVOKED),
            (facts.cancelled_on, StatusCode.CANCELLED),
        )
        if day is not None
    ]
    if ended:
        day, code = min(ended, key=lambda item: (item[0], item[1] != StatusCode.REVOKED))
        return code, [_reason(str(code), since=day)]
    if on > facts.expires_on:
        return StatusCode.EXPIRED, [_reason("expired", since=facts.expires_on)]
    reasons: list[Reason] = []
    if facts.suspended_on is not None and (
        facts.reinstated_on is None or facts.reinstated_on < facts.suspended_on
    ):
        reasons.append(_reason("suspended", since=facts.suspended_on, note=suspension_reason))
    reasons += _shortfall_reasons(facts, on, policy)
    if reasons:
        return StatusCode.SUSPENDED, reasons
    if (facts.expires_on - on).days <= policy.at_risk_days:
        reasons.append(_reason("expiring_soon", deadline=facts.expires_on))
    pace = _pace_reason(facts, on, policy)
    if pace is not None:
        reasons.append(pace)
    if reasons:
        return StatusCode.AT_RISK, reasons
    return StatusCode.VALID, []


def _next_step(
    code: str, reasons: list[Reason], facts: OfficerFacts, on: datetime.date, policy
) -> Reason | None:
    """The one thing to do next, with its deadline (for the officer page and reminders)."""
    if reasons and code != StatusCode.NOT_QUALIFIED:
        dated = [r for r in reasons if r.deadline]
        return min(dated, key=lambda r: r.deadline) if dated else reasons[0]
    if code == StatusCode.VALID:
        required = required_hours(
            amount=policy.annual_hours, issued_on=facts.issued_on, year=on.year
        )
        hours = facts.hours_in(on.year)
        if hours < required:
            return _reason(
                "hours_this_year",
                deadline=D(on.year, 12, 31),
                hours=hours,
                needed=(required - hours).quantize(TENTH),
            )
    return None


def credential_current(*, officer: User, on: datetime.date | None = None) -> Credential | None:
    """The certificate that governs the officer's status on `on`: the latest issued by then."""
    on = on or timezone.localdate()
    return (
        Credential.objects.filter(officer=officer, issued_on__lte=on)
        .prefetch_related("fields")
        .order_by("-issued_on", "-pk")
        .first()
    )


def credential_status(*, officer: User, on: datetime.date | None = None) -> CredentialStatus:
    """An officer's certificate status on `on` (today by default): code, reasons, fields.

    `code` is one of not_qualified, cancelled, revoked, expired, suspended, at_risk,
    valid; each reason has a stable `code` and a `message` in the active language (with
    `message_zh` and `message_en` both available) that says what to do and by when;
    `fields` are the field codes the officer may enforce on `on` — the certificate's
    fields when valid or at risk, none otherwise.
    """
    on = on or timezone.localdate()
    policy = policy_current()
    facts = officer_facts(User.objects.filter(pk=officer.pk), on=on, policy=policy)[0]
    credential = credential_current(officer=officer, on=on)
    suspension_reason = ""
    if facts.suspended_on is not None and credential is not None:
        event = (
            CredentialEvent.objects.filter(
                credential=credential, kind=EventKind.SUSPENSION, effective_on__lte=on
            )
            .order_by("-effective_on", "-pk")
            .first()
        )
        suspension_reason = event.reason if event else ""
    code, reasons = status_evaluate(
        facts, on=on, policy=policy, suspension_reason=suspension_reason
    )
    if code == StatusCode.NOT_QUALIFIED:
        from .exams import officer_prerequisites

        reasons = reasons + officer_prerequisites(officer=officer, on=on)
    fields = (
        sorted(f.code for f in credential.fields.all())
        if credential is not None and code in (StatusCode.VALID, StatusCode.AT_RISK)
        else []
    )
    return CredentialStatus(
        code=str(code),
        on=on,
        reasons=reasons,
        fields=fields,
        credential=credential,
        next_step=_next_step(code, reasons, facts, on, policy),
        explanations=status_explanations(code=str(code), reasons=reasons, on=on, policy=policy),
    )


def status_explanations(
    *, code: str, reasons: list[Reason], on: datetime.date, policy: CredentialPolicy
) -> list[str]:
    """What a status means for the officer, what happens if its deadline passes, and where
    the hours due by now come from (the policy's pace checkpoints), in the active language."""
    codes = {reason.code for reason in reasons}
    annual = hours_text(policy.annual_hours)
    sentences = []
    if code == StatusCode.AT_RISK:
        sentences.append(
            _(
                "At risk (预警) means the certificate is still valid and you may enforce, but "
                "something must be done before a deadline: it expires within %(days)s days, or "
                "this year's hours are behind pace."
            )
            % {"days": policy.at_risk_days}
        )
    if codes & {"hours_behind_pace", "hours_this_year"}:
        checkpoints = "; ".join(
            _("%(hours)s hours by %(day)s")
            % {"hours": hours_text(hours), "day": date_format(day, "MONTH_DAY_FORMAT")}
            for day, hours in policy.checkpoints(on.year)
        )
        sentences.append(
            _(
                "The hours due by now come from the pace checkpoints of the certificate rules: "
                "%(checkpoints)s; %(annual)s hours by the end of the year."
            )
            % {"checkpoints": checkpoints, "annual": annual}
        )
        sentences.append(
            _(
                "If the year ends with fewer approved hours than required, the certificate is "
                "suspended from 1 January: you may not enforce until you have made up the hours "
                "and the county justice bureau has reinstated it."
            )
        )
    if "expiring_soon" in codes:
        sentences.append(
            _(
                "If it is not renewed by its expiry date, the certificate expires and you may "
                "no longer enforce; a new certificate needs a new application."
            )
        )
    return sentences


def statuses_for(
    officers: Iterable[User] | QuerySet[User], *, on: datetime.date | None = None
) -> dict[int, tuple[str, list[Reason], OfficerFacts]]:
    """Status code, reasons and facts of many officers, in two queries (for lists and tasks)."""
    on = on or timezone.localdate()
    policy = policy_current()
    queryset = (
        officers
        if isinstance(officers, QuerySet)
        else User.objects.filter(pk__in=[o.pk for o in officers])
    )
    result = {}
    for facts in officer_facts(queryset, on=on, policy=policy):
        code, reasons = status_evaluate(facts, on=on, policy=policy)
        result[facts.officer_id] = (str(code), reasons, facts)
    return result
