"""Benchmark: certificate readiness (issue #6), on scratch databases of its own, loopback only.

1. The whole demo city's `readiness_summary` (1,108 officers): SQLite and PostgreSQL,
   target < 200 ms (median of 20 runs after a warm-up).
2. Province scale on PostgreSQL (`--province`, or BENCH_PROVINCE=1): 100,000 officers
   with 30 ledger entries each (3,000,000 rows), certificates and events, seeded here:
   whole-province summary (target < 5 s), a township dashboard page p95 (target
   < 300 ms), peak memory of the process (target < 500 MB), and the query count of the
   dashboard against a township ten times larger (must not grow with officers).

    .venv/bin/python bench/certification_readiness.py [--province] [--officers 100000]

Each phase runs in a child process with its own DATABASE_URL (settings read it at start).
PostgreSQL: 127.0.0.1:5432, user postgres, trust auth; scratch databases
`bench_certification_demo` and `bench_certification_province` are dropped and recreated.
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


def _seed_province(officers: int) -> tuple:
    """A synthetic province: 1 root, 100 counties × 10 townships, `officers` officers, 30 entries each."""
    import datetime
    import io
    import random

    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from certification.factories import fields_create
    from courses.models import TrainingRecord
    from people.models import Role, RoleAssignment, UnitKind, User
    from people.services import role_assign, unit_create
    from powers.factories import PowerFactory, PowerListFactory

    rng = random.Random(7)  # noqa: S311 - synthetic data
    today = datetime.date.today()
    started = time.perf_counter()
    fields = {f.code: f for f in fields_create()}
    PowerListFactory(
        effective_from=datetime.date(2020, 1, 1),
        powers=[
            PowerFactory(field=f, applies_from=datetime.date(2020, 1, 1)) for f in fields.values()
        ],
    )
    with transaction.atomic():
        root = unit_create(name="模拟省", kind=UnitKind.CITY, code="P")
        townships = []
        for c in range(100):
            county = unit_create(
                name=f"县{c:03d}", kind=UnitKind.COUNTY, parent=root, code=f"P-{c:03d}"
            )
            for t in range(10):
                townships.append(
                    unit_create(
                        name=f"镇{c:03d}{t}",
                        kind=UnitKind.TOWNSHIP,
                        parent=county,
                        code=f"P-{c:03d}-{t}",
                    )
                )
    password = make_password("bench")
    per = officers // len(townships)
    users = [
        User(
            username=f"b{i:06d}",
            full_name=f"人员{i}",
            unit=townships[i // per % len(townships)],
            password=password,
            employee_number=f"B{i:06d}",
            enforcement_post=True,
        )
        for i in range(per * len(townships))
    ]
    with transaction.atomic():
        User.objects.bulk_create(users, batch_size=5000)
    ids = list(
        User.objects.filter(username__startswith="b").order_by("pk").values_list("pk", "unit_id")
    )
    with transaction.atomic():
        RoleAssignment.objects.bulk_create(
            [RoleAssignment(user_id=pk, role=Role.OFFICER, unit_id=unit) for pk, unit in ids],
            batch_size=5000,
        )
    print(f"[province] {len(ids)} officers in {time.perf_counter() - started:.0f} s")

    # Certificates (90 %), their fields and issue events, by COPY.
    cert_rows, field_rows, event_rows = io.StringIO(), io.StringIO(), io.StringIO()
    field_ids = [f.pk for f in fields.values()]
    cert_id = 0
    for pk, _unit in ids:
        if rng.random() < 0.1:
            continue
        cert_id += 1
        issued = today - datetime.timedelta(days=rng.randint(30, 5 * 365))
        expires = (
            issued.replace(year=issued.year + 5)
            if not (issued.month == 2 and issued.day == 29)
            else issued + datetime.timedelta(days=1826)
        )
        now = "2026-01-01 00:00:00+00"
        cert_rows.write(f"{cert_id}\t{pk}\tB{cert_id:07d}\t{issued}\t{expires}\t{now}\n")
        for fid in rng.sample(field_ids, 2):
            field_rows.write(f"{cert_id}\t{fid}\n")
        event_rows.write(f"{cert_id}\tissue\t{issued}\t发证\t\t{{}}\t{now}\n")
        roll = rng.random()
        if roll < 0.03:
            event_rows.write(
                f"{cert_id}\tsuspension\t{today - datetime.timedelta(days=20)}\t暂扣\t\t{{}}\t{now}\n"
            )
        elif roll < 0.04:
            event_rows.write(
                f"{cert_id}\trevocation\t{today - datetime.timedelta(days=20)}\t吊销\t\t{{}}\t{now}\n"
            )
    with connection.cursor() as cursor:
        raw = cursor.cursor
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
    print(f"[province] {cert_id} certificates in {time.perf_counter() - started:.0f} s")

    # 30 ledger entries per officer over the last three years, streamed by COPY.
    table = TrainingRecord._meta.db_table
    categories = ["public_law", "professional", "skills"]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {table} (officer_id, hours, category, source, completed_on, title, created_at, evidence_id, note) FROM STDIN"
        ) as copy:
            for pk, _unit in ids:
                lines = []
                for n in range(30):
                    year = today.year - (n % 3)
                    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 330))
                    if day > today:
                        day = today
                    lines.append(
                        f"{pk}\t{rng.choice([2, 2.5, 3])}\t{categories[n % 3]}\tonline\t{day}\t课程\t2026-01-01 00:00:00+00\t\t\n"
                    )
                copy.write("".join(lines))
        cursor.execute(f"ANALYZE {table}")
        cursor.execute("ANALYZE")
    print(
        f"[province] {len(ids) * 30} ledger entries; seeded in {time.perf_counter() - started:.0f} s"
    )
    supervisor = User.objects.create(username="bench_sup", full_name="监督办", unit=townships[0])
    role_assign(user=supervisor, role=Role.TOWNSHIP_SUPERVISOR, unit=townships[0])
    return root, townships, supervisor


def phase_province(officers: int) -> None:
    import resource

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    root, townships, supervisor = _seed_province(officers)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from certification.selectors import readiness_summary

    times = _timed(lambda: readiness_summary(unit=root), 3)
    summary = readiness_summary(unit=root)
    print(f"[province] counts: {dict(summary)} ({summary.total} officers)")
    print(
        f"[province] whole-province readiness_summary: median {statistics.median(times) / 1000:.2f} s (target < 5 s)"
    )

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(supervisor)
    url = reverse("certification:dashboard_unit", args=[townships[0].code])
    page_times = _timed(lambda: client.get(url), 40)
    page_times.sort()
    p95 = page_times[int(len(page_times) * 0.95) - 1]
    print(
        f"[province] township dashboard (100 officers): p50 {statistics.median(page_times):.0f} ms, p95 {p95:.0f} ms (target < 300 ms)"
    )
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    from people.models import Role
    from people.services import role_assign, unit_create

    county = townships[0].get_parent()
    bureau = unit_create(name="司法局", kind="justice_bureau", parent=county, code="P-000-SFJ")
    role_assign(user=supervisor, role=Role.JUSTICE_BUREAU, unit=bureau)  # county: 1,000 officers
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("certification:dashboard_unit", args=[county.code]))
    print(
        f"[province] dashboard queries: township {len(small)}, county (10× officers) {len(large)}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"[province] peak memory of the process: {peak:.0f} MB (target < 500 MB)")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--province", action="store_true", default=os.environ.get("BENCH_PROVINCE") == "1"
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
    if args.phase == "province":
        _django(f"{PG}bench_certification_province")
        phase_province(args.officers)
        return 0

    phases = ["sqlite"]
    if _recreate_pg("bench_certification_demo"):
        phases.append("pg")
        if args.province and _recreate_pg("bench_certification_province"):
            phases.append("province")
    elif args.province:
        print("province scale needs PostgreSQL; skipped")
    status = 0
    for phase in phases:
        result = subprocess.run(  # noqa: S603 - this script, fixed interpreter
            [sys.executable, __file__, "--phase", phase, "--officers", str(args.officers)],
            cwd=ROOT,
            timeout=TIME_LIMIT_S,
            check=False,
        )
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
