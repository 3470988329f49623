"""Benchmark: certificate readiness, on scratch databases of its own, loopback only.

1. The whole demo city's `readiness_summary` (1,108 officers): SQLite and PostgreSQL,
   target < 200 ms (median of 20 runs after a warm-up).
2. National scale on PostgreSQL, at each officer count of `--scales` (default 10,000,
   100,000 and 600,000; 30 ledger entries an officer, seeded with COPY; the status mix
   drawn to resemble the demo city's). After seeding, the nightly status snapshot is
   stored (timed), as production's beat does just after midnight. Then, in a fresh
   process: the national summary (target < 2 s), the drill-down by county (target
   < 0.3 s), the summary with no snapshot (every status computed live; reported), a
   township dashboard page p95 (target < 100 ms), a county page p95 (target < 300 ms)
   and the peak memory of that process (target < 1 GB).

    .venv/bin/python bench/certification_readiness.py [--scales 10000,100000,600000]

Each phase runs in a child process with its own DATABASE_URL (settings read it at start).
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; scratch databases
`bench_certification_demo` and `bench_certification_national` are dropped and recreated.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = "postgres://postgres@127.0.0.1:5432/"
TIME_LIMIT_S = 40 * 60


def _django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "False"
    import django

    django.setup()


def _recreate_pg(name: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(f"{PG}postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable ({error}); skipped")
        return False
    return True


def _timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times


def phase_demo(label: str) -> None:
    """Migrate, seed the demo city, time the city's summary."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import transaction

    from certification.demo import seed_certification
    from people import demo as people_demo
    from powers import demo as powers_demo

    started = time.perf_counter()
    with transaction.atomic():
        units = people_demo.seed_org_tree()
    people_demo.seed_officers(units)
    with transaction.atomic():
        people_demo.seed_staff(units)
        powers_demo.seed_catalogue(city=units[people_demo.CITY[0]])
    seed_certification()
    print(f"[{label}] demo city seeded in {time.perf_counter() - started:.1f} s")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from certification.selectors import readiness_summary
    from people.models import OrgUnit

    city = OrgUnit.objects.get(code=people_demo.CITY[0])
    with CaptureQueriesContext(connection) as queries:
        summary = readiness_summary(unit=city)
    times = _timed(lambda: readiness_summary(unit=city), 20)
    print(f"[{label}] counts: {dict(summary)} ({summary.total} officers, {len(queries)} queries)")
    print(
        f"[{label}] demo city readiness_summary: median {statistics.median(times):.0f} ms, "
        f"max {max(times):.0f} ms (target < 200 ms)"
    )


# The demo city's mix of statuses (1,108 officers, `seed_demo`): the synthetic officers are
# drawn to resemble it, so every branch of the rules runs at scale.
DEMO_MIX = {
    "not_qualified": 0.154,
    "cancelled": 0.032,
    "revoked": 0.021,
    "expired": 0.043,
    "suspended": 0.070,
    "at_risk": 0.110,
    "valid": 0.570,
}
OFFICERS_PER_TOWNSHIP = 100
TOWNSHIPS_PER_COUNTY = 10


def _pick(rng, mix: dict[str, float]) -> str:
    roll, running = rng.random(), 0.0
    for kind, share in mix.items():
        running += share
        if roll < running:
            return kind
    return "valid"


def _seed_nation(officers: int) -> tuple:
    """A synthetic country: a root, counties of 10 townships, 100 officers a township, 30
    ledger entries each (three years), certificates and events drawn to the demo's mix.
    Everything bulky goes in by COPY; the yearly totals are then summed in one statement."""
    import datetime
    import io
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from certification.factories import fields_create
    from courses.models import TrainingRecord
    from courses.services import hours_totals_rebuild
    from people.models import OrgUnit, Role, UnitKind, User
    from people.services import role_assign, unit_create
    from powers.factories import PowerFactory, PowerListFactory

    rng = random.Random(7)  # noqa: S311 - synthetic data
    today = datetime.date.today()
    started = time.perf_counter()
    steps: dict[str, float] = {}

    def step(name: str) -> None:
        steps[name] = time.perf_counter() - started - sum(steps.values())

    fields = {f.code: f for f in fields_create()}
    PowerListFactory(
        effective_from=datetime.date(2020, 1, 1),
        powers=[
            PowerFactory(field=f, applies_from=datetime.date(2020, 1, 1)) for f in fields.values()
        ],
    )
    township_count = max(1, officers // OFFICERS_PER_TOWNSHIP)
    county_count = max(1, -(-township_count // TOWNSHIPS_PER_COUNTY))
    with transaction.atomic():
        root = unit_create(name="全国", kind=UnitKind.CITY, code="N")
        counties = [
            unit_create(name=f"县{c:04d}", kind=UnitKind.COUNTY, parent=root, code=f"N-{c:04d}")
            for c in range(county_count)
        ]
    # Townships by path, as treebeard numbers children (one bulk insert, not 6,000 saves).
    township_rows = []
    for index in range(township_count):
        county = counties[index // TOWNSHIPS_PER_COUNTY]
        position = index % TOWNSHIPS_PER_COUNTY + 1
        township_rows.append(
            OrgUnit(
                name=f"镇{index:05d}",
                kind=UnitKind.TOWNSHIP,
                code=f"N-T{index:05d}",
                path=OrgUnit._get_path(county.path, county.depth + 1, position),
                depth=county.depth + 1,
                numchild=0,
            )
        )
    with transaction.atomic():
        OrgUnit.objects.bulk_create(township_rows, batch_size=5000)
        for county in counties:
            children = min(
                TOWNSHIPS_PER_COUNTY, township_count - counties.index(county) * TOWNSHIPS_PER_COUNTY
            )
            OrgUnit.objects.filter(pk=county.pk).update(numchild=children)
    townships = list(OrgUnit.objects.filter(kind=UnitKind.TOWNSHIP).order_by("path"))
    step("units")

    password = make_password("bench")
    user_table = User._meta.db_table
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {user_table} (username, full_name, unit_id, password, employee_number, "
            "enforcement_post, is_active, is_staff, is_superuser, must_change_password, "
            "first_name, last_name, email, phone, date_joined, employment, id_number) FROM STDIN"
        ) as copy:
            for i in range(township_count * OFFICERS_PER_TOWNSHIP):
                unit = townships[i // OFFICERS_PER_TOWNSHIP]
                copy.write(
                    f"n{i:07d}\t人员{i}\t{unit.pk}\t{password}\tN{i:07d}\t"
                    "t\tt\tf\tf\tf\t\t\t\t\t2026-01-01 00:00:00+00\testablished\t\n"
                )
    ids = list(
        User.objects.filter(username__startswith="n").order_by("pk").values_list("pk", "unit_id")
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            "COPY people_roleassignment (user_id, role, unit_id, granted_at) FROM STDIN"
        ) as copy:
            for pk, unit in ids:
                copy.write(f"{pk}\t{Role.OFFICER}\t{unit}\t2026-01-01 00:00:00+00\n")
    step("officers")

    cert_rows, field_rows, event_rows = io.StringIO(), io.StringIO(), io.StringIO()
    field_ids = [f.pk for f in fields.values()]
    categories = ["public_law", "professional", "skills"]
    cert_id = 0
    now = "2026-01-01 00:00:00+00"
    drawn: dict[str, int] = {}
    with connection.cursor() as cursor:
        raw = cursor.cursor
        ledger_copy = raw.copy(
            f"COPY {TrainingRecord._meta.db_table} (officer_id, hours, category, source, "
            "completed_on, title, created_at, evidence_id, note) FROM STDIN"
        )
        with ledger_copy as copy:
            for pk, _unit in ids:
                kind = _pick(rng, DEMO_MIX)
                drawn[kind] = drawn.get(kind, 0) + 1
                # Hours: a full year's worth (about 65 h) in each of the last three years;
                # behind pace this year for the officers drawn at risk.
                lines = []
                for n in range(30):
                    year = today.year - (n % 3)
                    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 300))
                    if day > today:
                        day = today
                    hours = rng.choice([6, 6.5, 7])
                    if kind == "at_risk" and year == today.year:
                        hours = rng.choice([1, 1.5, 2])
                    lines.append(
                        f"{pk}\t{hours}\t{categories[n % 3]}\tonline\t{day}\t课程\t{now}\t\t\n"
                    )
                copy.write("".join(lines))
                if kind == "not_qualified":
                    continue
                cert_id += 1
                if kind == "expired":
                    issued = today - datetime.timedelta(days=5 * 365 + rng.randint(20, 300))
                else:
                    # Issued within the three years of hours, so no past year falls short.
                    issued = datetime.date(today.year - 2, rng.randint(1, 12), 1)
                expires = issued + datetime.timedelta(days=1826)
                cert_rows.write(f"{cert_id}\t{pk}\tN{cert_id:07d}\t{issued}\t{expires}\t{now}\n")
                for fid in rng.sample(field_ids, 2):
                    field_rows.write(f"{cert_id}\t{fid}\n")
                event_rows.write(f"{cert_id}\tissue\t{issued}\t发证\t\t{{}}\t{now}\n")
                later = today - datetime.timedelta(days=rng.randint(10, 200))
                event = {
                    "suspended": "suspension",
                    "revoked": "revocation",
                    "cancelled": "cancellation",
                }
                if kind in event:
                    event_rows.write(f"{cert_id}\t{event[kind]}\t{later}\t事件\t\t{{}}\t{now}\n")
        with raw.copy(
            "COPY certification_credential (id, officer_id, number, issued_on, expires_on, created_at) FROM STDIN"
        ) as copy:
            copy.write(cert_rows.getvalue())
        with raw.copy(
            "COPY certification_credential_fields (credential_id, enforcementfield_id) FROM STDIN"
        ) as copy:
            copy.write(field_rows.getvalue())
        with raw.copy(
            "COPY certification_credentialevent (credential_id, kind, effective_on, reason, reason_code, details, created_at) FROM STDIN"
        ) as copy:
            copy.write(event_rows.getvalue())
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('certification_credential','id'), %s)", [cert_id]
        )
    step("certificates and ledger (COPY)")
    hours_totals_rebuild()
    step("yearly totals")
    with connection.cursor() as cursor:
        # A loaded table is vacuumed once (as autovacuum would soon do): its visibility map
        # lets the totals be read by index alone.
        cursor.execute("VACUUM ANALYZE")
    step("analyze")
    supervisor = User.objects.create(username="bench_sup", full_name="监督办", unit=townships[0])
    role_assign(user=supervisor, role=Role.TOWNSHIP_SUPERVISOR, unit=townships[0])
    print(
        f"[national {officers}] seeded {len(ids)} officers, {len(ids) * 30} ledger entries in "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in steps.items())
    )
    print(f"[national {officers}] drawn mix: {dict(sorted(drawn.items()))}")
    return root, counties, townships, supervisor


def _p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def phase_national(officers: int) -> None:
    """Readiness at `officers` officers: national summary, county and township pages, memory."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _seed_nation(officers)
    from certification.services import status_snapshot_refresh

    started = time.monotonic()
    stored = status_snapshot_refresh()
    refresh_s = time.monotonic() - started
    print(f"[national {officers}] nightly status snapshot: {stored} officers in {refresh_s:.1f} s")
    sys.path.insert(0, str(ROOT / "bench"))
    from _results import result_record

    label = f"{officers // 1000}k"
    result_record(f"status_snapshot_refresh_s_{label}", refresh_s, "s", "(nightly; none)", True)
    # Measured in a fresh process, so its peak memory is the readiness work's, not the seeding's.
    subprocess.run(  # noqa: S603 - this script, fixed interpreter
        [sys.executable, __file__, "--phase", "national-measure", "--officers", str(officers)],
        cwd=ROOT,
        timeout=TIME_LIMIT_S,
        check=True,
    )


def _live_summary_s(root) -> float:
    """The national summary with no stored status (as before the first nightly refresh)."""
    from django.db import transaction

    from certification.models import StatusSnapshot
    from certification.selectors import readiness_summary

    class _Undo(Exception):
        pass

    try:
        with transaction.atomic():
            StatusSnapshot.objects.all().delete()
            times = _timed(lambda: readiness_summary(unit=root), 1)
            raise _Undo
    except _Undo:
        pass
    return times[0] / 1000


def phase_national_measure(officers: int) -> None:
    import resource

    sys.path.insert(0, str(ROOT / "bench"))
    from _results import result_record

    from people.models import OrgUnit, UnitKind, User

    root = OrgUnit.objects.get(code="N")
    counties = list(OrgUnit.objects.filter(kind=UnitKind.COUNTY).order_by("path"))
    townships = list(OrgUnit.objects.filter(kind=UnitKind.TOWNSHIP).order_by("path")[:1])
    supervisor = User.objects.get(username="bench_sup")

    from django.test import Client
    from django.urls import reverse

    from certification.selectors import readiness_by_unit, readiness_summary
    from people.models import Role
    from people.services import role_assign, unit_create

    label = f"{officers // 1000}k"
    times = _timed(lambda: readiness_summary(unit=root), 3)
    summary = readiness_summary(unit=root)
    national = statistics.median(times) / 1000
    print(f"[national {label}] counts: {dict(summary)} ({summary.total} officers)")
    print(f"[national {label}] national summary: median {national:.2f} s (target < 2 s)")
    by_county = _timed(lambda: readiness_by_unit(parent=root), 3)
    drill_down = statistics.median(by_county) / 1000
    print(
        f"[national {label}] national drill-down by county ({len(counties)} rows): "
        f"median {drill_down:.2f} s (target < 0.3 s)"
    )
    print(
        f"[national {label}] without the nightly snapshot (every status computed live): "
        f"summary {_live_summary_s(root):.2f} s"
    )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(supervisor)
    township_url = reverse("certification:dashboard_unit", args=[townships[0].code])
    township_p95 = _p95(_timed(lambda: client.get(township_url), 40))
    print(
        f"[national {label}] township page (100 officers): p95 {township_p95:.0f} ms (target < 100 ms)"
    )
    county = counties[0]
    # Rerunnable on the same database (when timing this phase alone).
    bureau = OrgUnit.objects.filter(code="N-SFJ").first() or unit_create(
        name="司法局", kind="justice_bureau", parent=county, code="N-SFJ"
    )
    if not supervisor.roles.filter(role=Role.JUSTICE_BUREAU).exists():
        role_assign(user=supervisor, role=Role.JUSTICE_BUREAU, unit=bureau)
    county_url = reverse("certification:dashboard_unit", args=[county.code])
    county_p95 = _p95(_timed(lambda: client.get(county_url), 20))
    print(
        f"[national {label}] county drill-down page (1,000 officers): p95 {county_p95:.0f} ms (target < 300 ms)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[national {label}] peak memory of the process: {peak:.0f} MB (target < 1024 MB)")

    result_record(f"national_summary_s_{label}", national, "s", "< 2", national < 2)
    result_record(f"national_drill_down_s_{label}", drill_down, "s", "< 0.3", drill_down < 0.3)
    result_record(f"township_page_p95_ms_{label}", township_p95, "ms", "< 100", township_p95 < 100)
    result_record(f"county_page_p95_ms_{label}", county_p95, "ms", "< 300", county_p95 < 300)
    result_record(f"readiness_peak_memory_mb_{label}", peak, "MB", "< 1024", peak < 1024)
    if officers >= 600_000:
        result_record("national_summary_s", national, "s", "< 2", national < 2)
        result_record("township_page_p95_ms", township_p95, "ms", "< 100", township_p95 < 100)
        result_record("county_page_p95_ms", county_p95, "ms", "< 300", county_p95 < 300)
        result_record("readiness_peak_memory_mb", peak, "MB", "< 1024", peak < 1024)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scales",
        default=os.environ.get("BENCH_SCALES", "10000,100000,600000"),
        help="officer counts of the national phase, comma-separated ('' to skip it)",
    )
    parser.add_argument("--officers", type=int, default=100_000)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "sqlite":
        path = Path("/tmp/bench-certification.sqlite3")  # noqa: S108 - scratch database
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        _django(f"sqlite:///{path}")
        phase_demo("SQLite")
        return 0
    if args.phase == "pg":
        _django(f"{PG}bench_certification_demo")
        phase_demo("PostgreSQL")
        return 0
    if args.phase == "national":
        _django(f"{PG}bench_certification_national")
        phase_national(args.officers)
        return 0
    if args.phase == "national-measure":
        _django(f"{PG}bench_certification_national")
        phase_national_measure(args.officers)
        return 0

    phases = [("sqlite", 0)]
    scales = [int(n) for n in args.scales.split(",") if n.strip()]
    if _recreate_pg("bench_certification_demo"):
        phases.append(("pg", 0))
        phases += [("national", n) for n in scales]
    elif scales:
        print("the national scale needs PostgreSQL; skipped")
    status = 0
    for phase, officers in phases:
        if phase == "national" and not _recreate_pg("bench_certification_national"):
            continue
        result = subprocess.run(  # noqa: S603 - this script, fixed interpreter
            [sys.executable, __file__, "--phase", phase, "--officers", str(officers)],
            cwd=ROOT,
            timeout=TIME_LIMIT_S,
            check=False,
        )
        status = status or result.returncode
    if scales:
        _recreate_pg("bench_certification_national")  # leave no gigabytes behind
    return status


if __name__ == "__main__":
    sys.exit(main())
