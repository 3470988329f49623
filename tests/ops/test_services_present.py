"""The tests run on the database CI asked for, configured the way DESIGN.md §3 says.

With DATABASE_URL=postgres://… (CI's second run) the suite really talks to PostgreSQL.
Without DATABASE_URL, SQLite runs in WAL mode with IMMEDIATE transactions, so concurrent
writers wait for the lock instead of failing with "database is locked".
"""

import copy
import os

from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper

import pytest

from .conftest import services_required

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = DATABASE_URL.startswith(("postgres://", "postgresql://", "pgsql://"))


@pytest.mark.skipif(not ON_POSTGRES, reason="DATABASE_URL does not name PostgreSQL")
@pytest.mark.django_db
def test_postgresql_is_the_database_in_use():
    assert connection.vendor == "postgresql", (
        f"DATABASE_URL names PostgreSQL but Django uses {connection.vendor}"
        + (" (REQUIRE_SERVICES=1)" if services_required() else "")
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_sqlite_uses_wal_and_immediate_transactions(tmp_path, django_db_blocker):
    configured = settings.DATABASES["default"]
    if DATABASE_URL and configured["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip(f"DATABASE_URL names {configured['ENGINE']}, not SQLite")
    # Without DATABASE_URL the default database must be SQLite.
    assert configured["ENGINE"] == "django.db.backends.sqlite3"
    options = configured["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]

    # The test database is in memory, where WAL is impossible; open a real file with the
    # same connection settings and ask SQLite what it did.
    probe_settings = copy.deepcopy(connection.settings_dict)
    probe_settings["NAME"] = str(tmp_path / "wal-probe.sqlite3")
    probe = SQLiteDatabaseWrapper(probe_settings, alias="wal_probe")
    with django_db_blocker.unblock():
        try:
            with probe.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0].lower() == "wal"
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone()[0] == 1
            assert probe.transaction_mode == "IMMEDIATE"
        finally:
            probe.close()
