"""Fixtures of the fault-injection tests: scratch databases the servers under test can see,
and a private Redis server.

The scratch database follows the suite's own database: a SQLite file under a temporary
folder, or, when DATABASE_URL points at PostgreSQL, a database of its own on that server
(created and dropped here, with a name unique to the run). It is migrated once per
session (the slow part) and copied for each test: a file copy, or CREATE DATABASE ...
TEMPLATE on PostgreSQL.
"""

import os
import shutil
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.faults.harness import RedisServer, run_scratch
from tests.ops.conftest import service_missing

POSTGRES_SCHEMES = ("postgres://", "postgresql://", "pgsql://")

# What the session spent where, printed at the end of the run (see pytest_terminal_summary).
TIMINGS: list[str] = []


@dataclass
class ScratchDatabase:
    url: str
    sqlite_path: Path | None = None
    pg_url: str = ""  # psycopg form of the URL

    def count(self, table: str) -> int:
        """Rows in `table`, read directly (the test process never opens it through Django)."""
        query = f'SELECT COUNT(*) FROM "{table}"'  # noqa: S608 - a model's table name
        if self.sqlite_path is not None:
            with sqlite3.connect(f"file:{self.sqlite_path}?mode=ro", uri=True, timeout=20) as db:
                return db.execute(query).fetchone()[0]
        import psycopg

        with psycopg.connect(self.pg_url, connect_timeout=10) as db:
            return db.execute(query).fetchone()[0]


class ScratchDatabases:
    """A migrated template, made on first use, and copies of it for each test."""

    def __init__(self, folder: Path, postgres_url: str | None):
        self.folder = folder
        self.postgres = None
        self.prefix = f"faults_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template: str | None = None
        self.made: list[str] = []
        if postgres_url:
            parts = urlsplit(postgres_url)
            self.postgres = parts
            self.admin_url = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))

    def _pg(self):
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)

    def _pg_urls(self, name: str) -> tuple[str, str]:
        return (
            urlunsplit(self.postgres._replace(path=f"/{name}")),
            urlunsplit(self.postgres._replace(scheme="postgresql", path=f"/{name}")),
        )

    def check_reachable(self) -> None:
        if self.postgres is None:
            return
        import psycopg

        try:
            with self._pg() as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            service_missing(f"PostgreSQL not reachable at {self.postgres.netloc} ({exc})")

    def _migrate_template(self) -> None:
        started = time.monotonic()
        if self.postgres is None:
            path = self.folder / "template.sqlite3"
            run_scratch("migrate", f"sqlite:///{path}")
            self.template = str(path)
        else:
            name = f"{self.prefix}_template"
            with self._pg() as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            self.made.append(name)
            run_scratch("migrate", self._pg_urls(name)[0])
            self.template = name
        kind = "SQLite" if self.postgres is None else "PostgreSQL"
        TIMINGS.append(f"migrate the {kind} scratch template: {time.monotonic() - started:.1f} s")

    def create(self, label: str) -> ScratchDatabase:
        if self.template is None:
            self._migrate_template()
        if self.postgres is None:
            path = self.folder / f"{label}-{uuid.uuid4().hex[:6]}.sqlite3"
            shutil.copyfile(self.template, path)
            return ScratchDatabase(url=f"sqlite:///{path}", sqlite_path=path)
        name = f"{self.prefix}_{label}"
        with self._pg() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.made.append(name)
        url, pg_url = self._pg_urls(name)
        return ScratchDatabase(url=url, pg_url=pg_url)

    def drop(self, database: ScratchDatabase) -> None:
        if self.postgres is None:
            return
        name = urlsplit(database.url).path.lstrip("/")
        with self._pg() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.remove(name)

    def drop_all(self) -> None:
        if self.postgres is None or not self.made:
            return
        with self._pg() as conn:
            for name in reversed(self.made):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()


@pytest.fixture(scope="session")
def scratch_databases(tmp_path_factory):
    url = os.environ.get("DATABASE_URL", "")
    databases = ScratchDatabases(
        tmp_path_factory.mktemp("faults-db"), url if url.startswith(POSTGRES_SCHEMES) else None
    )
    try:
        yield databases
    finally:
        databases.drop_all()


@pytest.fixture
def scratch_db(scratch_databases, request) -> ScratchDatabase:
    """A migrated database of this test's own, on the suite's database engine."""
    scratch_databases.check_reachable()
    label = request.node.name.replace("test_", "")[:30].lower()
    database = scratch_databases.create("".join(c if c.isalnum() else "_" for c in label))
    try:
        yield database
    finally:
        scratch_databases.drop(database)


@pytest.fixture
def private_redis(tmp_path) -> RedisServer:
    """A redis-server of this test's own on a free port; stopped (and restartable) at will."""
    if not Path(RedisServer.BINARY).exists():
        service_missing(f"{RedisServer.BINARY} is not installed")
    server = RedisServer(tmp_path / "redis.log")
    try:
        yield server.start()
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("fault-injection timings")
        for line in TIMINGS:
            terminalreporter.write_line(line)
