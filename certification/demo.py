"""Demo certificates, exam results and hours for the demo city, built by `seed_demo`.

Shows every status on the day it runs (dates are relative to today): most officers
valid, some at risk (behind pace or expiring), suspended (an hours shortfall last year,
or an explicit suspension), expired, revoked, cancelled, and not yet qualified — some of
them with both exams passed, ready for 城关镇's application list. Fire rescue and
transport (new on the 2025 list) are certified in only some townships, so the others are
flagged on the readiness dashboards. officer0436 (濮阳县城关镇) is at risk, behind pace;
officer0441 is suspended for last year's shortfall and has made up the hours (申请恢复),
and a neighbour of theirs has a reinstatement request waiting for the justice bureau.

Idempotent: once the demo certificates exist, nothing is added again.
"""

import datetime
import logging
import random
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from courses.models import TrainingRecord
from courses.services import hours_totals_rebuild
from people.models import Employment, OrgUnit, Role, UnitKind, User
from powers.models import EnforcementField

from .models import Credential, CredentialEvent, EventKind, ExamResult, ExamSource

D = datetime.date
DEMO_KEY = "demo"
OLD_FIELDS = ["natural_resources", "ecology", "urban", "water", "agriculture"]
TITLES = {
    "public_law": [
        "行政处罚法精讲",
        "行政强制法要点",
        "行政复议与行政诉讼",
        "法治政府建设纲要解读",
    ],
    "professional": ["水法律法规专题", "农业执法实务", "城市管理执法规范", "自然资源违法案件查处"],
    "skills": ["现场检查与证据固定", "执法文书制作", "执法记录仪使用", "以案说法：典型案例研讨"],
}


def _years_ago(today: datetime.date, years: int, days: int = 0) -> datetime.date:
    try:
        base = today.replace(year=today.year - years)
    except ValueError:
        base = today.replace(year=today.year - years, day=28)
    return base - datetime.timedelta(days=days)


def _plus_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


class _Builder:
    def __init__(self, today: datetime.date, fields: dict[str, EnforcementField]):
        self.today = today
        self.fields = fields
        self.rng = random.Random(20260101)
        self.credentials: list[tuple[Credential, list[str]]] = []
        self.events: list[tuple[int, CredentialEvent]] = []  # (credential index, event)
        self.records: list[TrainingRecord] = []
        self.exams: list[ExamResult] = []
        self.serial: dict[int, int] = {}
        self.existing = {
            (row["officer_id"], row["year"]): row["total"]
            for row in TrainingRecord.objects.annotate(year=ExtractYear("completed_on"))
            .values("officer_id", "year")
            .annotate(total=Sum("hours"))
        }
        checkpoints = [(D(today.year, 7, 1), 30), (D(today.year, 10, 1), 45)]
        passed = [hours for day, hours in checkpoints if day <= today]
        self.pace = passed[-1] if passed else 0

    # -- hours -------------------------------------------------------------------
    def hours(self, officer: User, year: int, total: float) -> None:
        """Approved hours in `year`, in half-hour steps, split over a few records dated by today.

        Hours the ledger already holds (another app's demo) count towards `total`.
        """
        total -= float(self.existing.get((officer.pk, year), 0))
        total = max(0.0, round(total * 2) / 2)
        last = min(D(year, 12, 20), self.today)
        if last < D(year, 1, 5) or total <= 0:
            return
        parts = self.rng.randint(3, 6)
        remaining = total
        span = (last - D(year, 1, 5)).days
        for index in range(parts):
            if remaining <= 0:
                break
            chunk = remaining if index == parts - 1 else round(remaining / (parts - index) * 2) / 2
            chunk = max(0.5, min(chunk, remaining))
            category = ["public_law", "professional", "skills"][index % 3]
            self.records.append(
                TrainingRecord(
                    officer=officer,
                    hours=Decimal(str(chunk)),
                    category=category,
                    source=self.rng.choice(["online", "lecture", "observation", "field_practice"]),
                    completed_on=D(year, 1, 5) + datetime.timedelta(days=self.rng.randint(0, span)),
                    title=self.rng.choice(TITLES[category]),
                    evidence_key=f"{DEMO_KEY}:cert:{officer.pk}:{year}:{index}",
                )
            )
            remaining -= chunk

    def full_years(
        self, officer: User, issued_on: datetime.date, short_year: int | None = None
    ) -> None:
        for year in range(issued_on.year, self.today.year):
            months = 12 if issued_on.year < year else 12 - issued_on.month + (issued_on.day == 1)
            required = 60 * months / 12
            if year == short_year:
                self.hours(officer, year, required - self.rng.randint(10, 25))
            else:
                self.hours(officer, year, required + self.rng.randint(0, 14))

    def this_year(self, officer: User, *, behind: bool = False) -> None:
        year_fraction = (self.today - D(self.today.year, 1, 1)).days / 365
        if behind and self.pace:
            total = self.pace - self.rng.randint(4, 14)
        else:
            total = max(
                self.pace + self.rng.randint(1, 12), 60 * year_fraction + self.rng.randint(-4, 8)
            )
        self.hours(officer, self.today.year, min(total, 78))

    # -- exams and certificates -------------------------------------------------
    def exams_for(
        self, officer: User, fields: list[str], sat_on: datetime.date, *, general=True
    ) -> None:
        if general:
            if self.rng.random() < 0.15:  # failed once, passed the retake
                self._exam(
                    officer,
                    "general_law",
                    None,
                    self.rng.randint(40, 59),
                    sat_on - datetime.timedelta(days=40),
                )
            self._exam(officer, "general_law", None, self.rng.randint(62, 96), sat_on)
        for code in fields:
            self._exam(
                officer,
                "specialised",
                code,
                self.rng.randint(61, 95),
                sat_on + datetime.timedelta(days=3),
            )

    def _exam(self, officer, kind, field_code, score, sat_on) -> None:
        self.exams.append(
            ExamResult(
                officer=officer,
                kind=kind,
                field=self.fields[field_code] if field_code else None,
                score=Decimal(score),
                sat_on=sat_on,
                source=ExamSource.PROVINCIAL,
                source_key=f"{DEMO_KEY}:{officer.pk}:{kind}:{field_code or ''}:{sat_on}",
            )
        )

    def certificate(
        self,
        officer: User,
        county: OrgUnit,
        issued_on: datetime.date,
        fields: list[str],
        expires_on=None,
    ) -> int:
        self.exams_for(
            officer, fields, issued_on - datetime.timedelta(days=self.rng.randint(30, 90))
        )
        serial = self.serial.get(issued_on.year, 0) + 1
        self.serial[issued_on.year] = serial
        credential = Credential(
            officer=officer,
            number=f"豫执{issued_on.year}{county.code.replace('-', '')}{serial:05d}D",
            issued_on=issued_on,
            expires_on=expires_on or _plus_years(issued_on, 5),
        )
        self.credentials.append((credential, fields))
        index = len(self.credentials) - 1
        self.event(
            index, EventKind.ISSUE, issued_on, "首次申领，经县司法局审核、市依法治市办审批发证"
        )
        return index

    def event(
        self, index: int, kind: str, effective_on: datetime.date, reason: str, **extra
    ) -> None:
        self.events.append(
            (index, CredentialEvent(kind=kind, effective_on=effective_on, reason=reason, **extra))
        )


def _county_of(unit: OrgUnit, counties: dict[str, OrgUnit]) -> OrgUnit:
    return counties[unit.path[: unit.steplen * 2]]


def seed_certification(*, today: datetime.date | None = None) -> int:
    """Certificates, events, exam results and hours for the demo officers; returns certificates made.

    Call after `people.demo.seed_officers` and `powers.demo.seed_catalogue`. Idempotent.
    """
    today = today or timezone.localdate()
    if Credential.objects.filter(number__endswith="D", number__startswith="豫执").exists():
        return 0
    fields = {f.code: f for f in EnforcementField.objects.all()}
    if not set(OLD_FIELDS) <= set(fields):
        return 0
    counties = {u.path: u for u in OrgUnit.objects.filter(kind=UnitKind.COUNTY)}
    townships = list(OrgUnit.objects.filter(kind=UnitKind.TOWNSHIP).order_by("code"))
    new_field_townships = {t.pk for i, t in enumerate(townships) if i % 3 == 0}
    officers = list(
        User.objects.filter(username__regex=r"^officer\d{4}$", roles__role=Role.OFFICER)
        .select_related("unit")
        .order_by("username")
    )
    builder = _Builder(today, fields)
    rng = builder.rng
    bureau = User.objects.filter(username="py_sfj").first()
    new_fields = [code for code in ("fire", "transport") if code in fields]
    eligible_in_cgz: list[User] = []
    cgz_newcomers = {
        o.pk
        for o in [
            o
            for o in officers
            if o.unit
            and o.unit.code == "PY-PY-T01"
            and o.username
            not in ("officer0436", "officer0441", "officer0442", "officer0443", "officer0444")
            and o.employment == Employment.ESTABLISHED
        ][-3:]
    }

    # officer0441 is suspended for last year's shortfall (21 h) and has made it up: the
    # certificate page offers 申请恢复. Another such officer has already asked, so the
    # county's list of requests is not empty.
    made_up = {o.pk: 21 for o in officers if o.username == "officer0441"}
    requester = next(
        (
            o
            for o in officers
            if o.username in ("officer0442", "officer0443", "officer0444", "officer0445")
            and o.employment == Employment.ESTABLISHED
            and o.pk not in cgz_newcomers
            and o.unit is not None
            and o.unit.kind == UnitKind.TOWNSHIP
        ),
        None,
    )
    if requester is not None:
        made_up[requester.pk] = 15

    for officer in officers:
        unit = officer.unit
        if unit is None or unit.kind != UnitKind.TOWNSHIP:
            continue
        county = _county_of(unit, counties)
        if officer.username == "officer0436":
            _officer0436(builder, officer, county)
            continue
        if officer.pk in made_up:
            _made_up_hours(builder, officer, county, missing=made_up[officer.pk])
            continue
        if officer.employment != Employment.ESTABLISHED:
            builder.hours(officer, today.year, rng.randint(10, 50))
            continue
        roll = rng.random()
        base_fields = sorted(rng.sample(OLD_FIELDS, rng.choice([1, 2, 2, 3])))
        if officer.pk in cgz_newcomers:
            # 城关镇's newcomers passed both exams this year: ready for the application list.
            builder.exams_for(officer, ["water"], today - datetime.timedelta(days=30))
            builder.this_year(officer)
            eligible_in_cgz.append(officer)
            continue
        if roll < 0.08:
            # Not qualified yet: some passed both exams (eligible), some are still trying.
            sat_on = today - datetime.timedelta(days=rng.randint(20, 200))
            if rng.random() < 0.5:
                builder.exams_for(officer, base_fields[:1] or ["water"], sat_on)
            else:
                builder._exam(officer, "general_law", None, rng.randint(35, 58), sat_on)
            builder.this_year(officer)
            continue
        if roll < 0.70:
            # Valid. A third of townships certified fire rescue / transport officers this year.
            if unit.pk in new_field_townships and new_fields and rng.random() < 0.35:
                issued = D(
                    today.year, rng.randint(1, max(1, min(today.month, 6))), rng.randint(2, 27)
                )
                if issued > today:
                    issued = today - datetime.timedelta(days=1)
                builder.certificate(
                    officer, county, issued, sorted({rng.choice(new_fields), "water"})
                )
                builder.hours(officer, today.year, max(builder.pace + 5, 50))
                continue
            issued = _years_ago(today, rng.randint(1, 4), rng.randint(0, 200))
            builder.certificate(officer, county, issued, base_fields)
            builder.full_years(officer, issued)
            builder.this_year(officer)
        elif roll < 0.82:
            if builder.pace and rng.random() < 0.55:
                issued = _years_ago(today, rng.randint(1, 3), rng.randint(0, 200))
                builder.certificate(officer, county, issued, base_fields)
                builder.full_years(officer, issued)
                builder.this_year(officer, behind=True)
            else:
                issued = _years_ago(today, 5, -rng.randint(10, 170))
                builder.certificate(officer, county, issued, base_fields)
                builder.full_years(officer, issued)
                builder.this_year(officer)
        elif roll < 0.90:
            issued = _years_ago(today, rng.randint(2, 4), rng.randint(0, 200))
            index = builder.certificate(officer, county, issued, base_fields)
            if rng.random() < 0.6:
                builder.full_years(officer, issued, short_year=today.year - 1)
            else:
                builder.full_years(officer, issued)
                builder.event(
                    index,
                    EventKind.SUSPENSION,
                    today - datetime.timedelta(days=rng.randint(5, 60)),
                    "执法过程中存在程序违法，暂扣执法证，停职接受调查",
                    actor=bureau,
                )
            builder.this_year(officer)
        elif roll < 0.94:
            issued = _years_ago(today, 5, rng.randint(20, 300))
            builder.certificate(officer, county, issued, base_fields)
            builder.full_years(officer, issued)
            builder.this_year(officer)
        elif roll < 0.96:
            issued = _years_ago(today, rng.randint(1, 3), rng.randint(0, 200))
            index = builder.certificate(officer, county, issued, base_fields)
            builder.full_years(officer, issued)
            builder.event(
                index,
                EventKind.REVOCATION,
                today - datetime.timedelta(days=rng.randint(10, 200)),
                "滥用职权、违法执法造成严重后果，依法吊销执法证",
                actor=bureau,
            )
        else:
            issued = _years_ago(today, rng.randint(1, 3), rng.randint(0, 200))
            index = builder.certificate(officer, county, issued, base_fields)
            builder.full_years(officer, issued)
            builder.event(
                index,
                EventKind.CANCELLATION,
                today - datetime.timedelta(days=rng.randint(10, 200)),
                rng.choice(["调离执法岗位", "退休", "辞职"]),
                actor=bureau,
            )

    with transaction.atomic():
        Credential.objects.bulk_create([c for c, _f in builder.credentials], batch_size=500)
        through = Credential.fields.through
        through.objects.bulk_create(
            [
                through(credential_id=c.pk, enforcementfield_id=fields[code].pk)
                for c, codes in builder.credentials
                for code in codes
            ],
            batch_size=1000,
        )
        events = []
        for index, event in builder.events:
            event.credential_id = builder.credentials[index][0].pk
            events.append(event)
        CredentialEvent.objects.bulk_create(events, batch_size=1000)
        ExamResult.objects.bulk_create(builder.exams, batch_size=1000, ignore_conflicts=True)
        TrainingRecord.objects.bulk_create(builder.records, batch_size=1000, ignore_conflicts=True)
        # Entries written in bulk bypass the per-entry totals; sum them once.
        hours_totals_rebuild(officer_ids={record.officer_id for record in builder.records})
    if connection.vendor == "postgresql":
        # Fresh bulk-loaded tables have no statistics yet; without them the planner picks
        # nested loops for the readiness aggregates (seconds instead of milliseconds).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    _seed_application(eligible_in_cgz)
    if requester is not None:
        _seed_reinstatement_request(requester)
    return len(builder.credentials)


def _made_up_hours(builder: _Builder, officer: User, county: OrgUnit, *, missing: int) -> None:
    """Suspended since 1 January: `missing` hours short last year, and 55 hours this year."""
    today = builder.today
    issued = D(today.year - 3, 4, 16)
    builder.certificate(officer, county, issued, ["urban", "water"])
    for year in range(issued.year, today.year - 1):
        months = 12 if issued.year < year else 12 - issued.month + (issued.day == 1)
        builder.hours(officer, year, 60 * months / 12 + 4)
    builder.hours(officer, today.year - 1, 60 - missing)
    builder.hours(officer, today.year, 55)


def _seed_reinstatement_request(officer: User) -> None:
    """A pending request (申请恢复) for the county justice bureau's list."""
    from .services import reinstatement_request_create

    try:
        reinstatement_request_create(officer=officer, note="已补足上年度所缺学时，申请恢复执法证。")
    except ValidationError as error:  # a demo request is a nicety, not a reason to fail
        logging.getLogger(__name__).warning("demo reinstatement request not created: %s", error)


def _officer0436(builder: _Builder, officer: User, county: OrgUnit) -> None:
    """At risk, behind pace: certified in water and agriculture since May 2024; hours lag this year."""
    today = builder.today
    issued = D(2024, 5, 16) if today.year > 2024 else _years_ago(today, 1)
    builder.certificate(officer, county, issued, ["agriculture", "water"])
    builder.full_years(officer, issued)
    if builder.pace:
        builder.hours(officer, today.year, builder.pace - 13)
    else:  # before the first checkpoint: show the hours still to do this year
        builder.hours(officer, today.year, 8)


def _seed_application(eligible: list[User]) -> None:
    """城关镇's supervisor has started a list with two eligible officers; the head has not signed yet."""
    from .services import applicant_add, application_create

    supervisor = User.objects.filter(username="sup_cgz").first()
    unit = OrgUnit.objects.filter(code="PY-PY-T01").first()
    if supervisor is None or unit is None or len(eligible) < 2:
        return
    try:
        application = application_create(
            unit=unit, actor=supervisor, title="城关镇 2026 年第二批执法证申领"
        )
        for officer in eligible[:2]:
            applicant_add(application=application, officer=officer, actor=supervisor)
    except (
        ValidationError,
        PermissionDenied,
    ) as error:  # a demo list is a nicety, not a reason to fail
        logging.getLogger(__name__).warning("demo application list not created: %s", error)
