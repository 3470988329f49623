"""Beyond one machine, on loopback: the parts of a multi-node install, started by the test.

- PostgreSQL: a primary cluster of the test's own (initdb, a free port) and a streaming
  replica of it made by `pg_basebackup -R -X stream`, started on another port. The
  Debian cluster on 5432 is left alone: its pg_hba.conf allows no replication
  connection, and a base backup of it would copy every other database on this machine.
- Redis: a private redis-server on a free port (broker, cache and sessions).
- Two gunicorn nodes (site/gunicorn.conf.py, 2 sync workers each) on two free ports, with
  DATABASE_URL (primary), DATABASE_REPLICA_URL, CACHE_URL and SESSION_ENGINE on Redis,
  and one shared MEDIA_ROOT folder; nginx (Debian's) in front, upstream of both nodes.
- Two Celery workers (`celery -A config worker`) on the one broker, and one beat.

Then: a session made through nginx works on both nodes; an export written by a worker
into the shared media folder is downloaded through both nodes; a task sent once runs
once, beat's tasks too; dashboards read from the replica and keep answering from the
primary once the replica stops; and one web node is killed (SIGKILL, master and workers)
while officers save exam answers through nginx: no save fails, none is lost.

Every server listens on 127.0.0.1 only, on a free port, in a process group of its own,
and every wait has a deadline. With REQUIRE_SERVICES=1 (CI) a missing part (PostgreSQL
binaries, redis-server, nginx) fails the test instead of skipping it.

Root: PostgreSQL refuses to run as root, so when the test runs as root (as CI does on
this machine) the clusters run as the `postgres` user through `runuser`. Nothing on the
machine is reconfigured.
"""

import contextlib
import getpass
import glob
import hashlib
import json
import os
import pwd
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from importlib import metadata
from pathlib import Path

import pytest

from tests.faults.harness import (
    REPO_ROOT,
    Gunicorn,
    RedisServer,
    free_port,
    log_tail,
    run_scratch,
    server_env,
    start_process,
    stop_process,
    wait_for,
)
from tests.faults.test_gunicorn_kill import Officer, lost_answers
from tests.ops.conftest import service_missing

# The whole stack is the test's own (its clusters, its Redis), whatever the suite's database
# is; CI runs the suite on SQLite and then on PostgreSQL, and this runs once, in the second.
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs in the PostgreSQL pass of the suite (it starts its own clusters)",
)

NGINX = "/usr/sbin/nginx"
PASSWORD = "Multi-node-test-2026"  # noqa: S105 - a password of the test's own users
CSRF_TOKEN = "f" * 32  # noqa: S105 - a fixed CSRF cookie and header
OFFICERS = 3
REPLICA_APP_NAME = "academy-replica-reads"
DASHBOARD = "/certificate/readiness/FLT-T/"
MIGRATED_CACHE = Path(tempfile.gettempdir()) / "academy-multinode-migrated"


def _pg_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


# --- PostgreSQL --------------------------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster in a temporary folder, run as `postgres` when we are root."""

    def __init__(self, bin_dir: Path, folder: Path, name: str):
        self.bin = bin_dir
        self.data = folder / name
        self.log = folder / f"{name}.log"
        self.port = free_port()
        self.socket_dir = folder

    def run(self, *command: str, timeout: float = 120) -> str:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        result = subprocess.run(  # noqa: S603 - PostgreSQL's own tools
            [*prefix, *command],
            cwd=self.data.parent,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} failed ({result.returncode}):\n"
                f"{result.stdout.decode(errors='replace')[-2000:]}\n"
                f"{result.stderr.decode(errors='replace')[-2000:]}"
            )
        return result.stdout.decode()

    def initdb(self) -> "Cluster":
        self.run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--no-locale",
            "--no-instructions",
        )
        return self

    def basebackup_of(self, primary: "Cluster") -> "Cluster":
        self.run(
            str(self.bin / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",
        )
        return self

    def start(self) -> "Cluster":
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.socket_dir}",
                "-c fsync=off",
                "-c full_page_writes=off",
                "-c wal_level=replica",
                "-c max_wal_senders=4",
                "-c max_connections=60",
                "-c shared_buffers=32MB",
            ]
        )
        self.run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        self.run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str, **options: str) -> str:
        query = f"?{urllib.parse.urlencode(options)}" if options else ""
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}{query}"

    def query(self, sql: str, database: str = "postgres", params=None):
        import psycopg

        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{self.port}/{database}",
            autocommit=True,
            connect_timeout=5,
        ) as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchall() if cursor.description else []


# --- HTTP --------------------------------------------------------------------------------

_OPENER = urllib.request.build_opener(
    urllib.request.ProxyHandler({}),
    type(
        "NoRedirect",
        (urllib.request.HTTPRedirectHandler,),
        {"redirect_request": lambda *a, **k: None},
    ),
)


def http(
    port: int, method: str, path: str, session: str = "", form=None, body=None, accept="text/html"
):
    """(status, body, headers); status 599 when the connection failed."""
    cookies = f"csrftoken={CSRF_TOKEN}" + (f"; sessionid={session}" if session else "")
    headers = {"Cookie": cookies, "X-CSRFToken": CSRF_TOKEN, "Accept": accept, "Host": "127.0.0.1"}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers.update({"Content-Type": "application/json", "Accept": "application/json"})
    elif method == "POST":
        data = b""
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        f"http://127.0.0.1:{port}{path}", data=data, headers=headers, method=method
    )
    try:
        with _OPENER.open(request, timeout=30) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers
    except OSError as error:
        return 599, repr(error).encode(), {}


def session_from(headers) -> str:
    jar = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return jar["sessionid"].value if "sessionid" in jar else ""


# --- the cluster -------------------------------------------------------------------------


class Nodes:
    """Everything the tests below share; built once for the module."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.procs: list[subprocess.Popen] = []
        self.clusters: list[Cluster] = []
        self.gunicorns: list[Gunicorn] = []
        self.redis: RedisServer | None = None
        self.timings: dict[str, float] = {}

    def timed(self, name: str, started: float) -> None:
        self.timings[name] = round(time.monotonic() - started, 1)

    def log_tails(self) -> str:
        logs = sorted(self.folder.glob("*.log")) + [c.log for c in self.clusters]
        return "\n".join(f"--- {p.name}:\n{log_tail(p, 4000)}" for p in logs)

    def stop(self) -> None:
        # All at once: each stop may wait out a grace period.
        stops = [lambda proc=proc: stop_process(proc, grace=5) for proc in self.procs]
        stops += [node.stop for node in self.gunicorns]
        threads = [threading.Thread(target=stop, daemon=True) for stop in stops]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        if self.redis is not None:
            self.redis.stop()
        for cluster in reversed(self.clusters):
            with contextlib.suppress(Exception):  # teardown goes on
                cluster.stop("immediate")


def _check_parts() -> Path:
    bin_dir = _pg_bin()
    missing = []
    if bin_dir is None or not (bin_dir / "pg_basebackup").exists():
        missing.append("PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    if not Path(RedisServer.BINARY).exists():
        missing.append(RedisServer.BINARY)
    if not Path(NGINX).exists():
        missing.append(NGINX)
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append("a postgres user to run PostgreSQL as (the test runs as root)")
    if missing:
        service_missing("multi-node test needs " + ", ".join(missing))
    return bin_dir


def _nginx_conf(folder: Path, port: int, upstreams: list[int]) -> Path:
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=30s;" for p in upstreams
    )
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 256; }}
http {{
    log_format nodes '$request_method $uri $status $upstream_addr $upstream_status';
    access_log {folder}/nginx-access.log nodes;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    upstream academy {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_connect_timeout 2s;
        proxy_read_timeout 30s;
        proxy_next_upstream_tries 2;
        # As site/nginx/enforcement-academy.conf. A node that refuses the connection, or
        # answers 502/503, is skipped and the request goes to the next node; a request
        # already sent is resent only if it is idempotent (GET, HEAD...).
        location / {{
            proxy_pass http://academy;
            proxy_next_upstream error timeout http_502 http_503;
        }}
        # The exam autosave may be resent even after a node took it and died: a save
        # carries its sequence number, and a second copy is answered "stale", never
        # stored twice (docs/scaling.md).
        location ~ ^/quizzes/attempt/[^/]+/answer/$ {{
            proxy_pass http://academy;
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
        }}
    }}
}}
"""
    )
    return conf


@pytest.fixture(scope="module")
def nodes():
    bin_dir = _check_parts()
    folder = Path(tempfile.mkdtemp(prefix="multinode-"))
    os.chmod(folder, 0o755)  # noqa: S103 - the postgres user must reach its clusters
    pg_folder = folder / "pg"
    pg_folder.mkdir()
    if os.geteuid() == 0:
        shutil.chown(pg_folder, "postgres", "postgres")
    cluster = Nodes(folder)
    try:
        _build(cluster, bin_dir, pg_folder)
        yield cluster
    finally:
        print(f"multi-node set-up seconds: {cluster.timings}")
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _schema_key() -> str:
    """What the migrated database depends on: every migration file of the project and
    the version of every installed package (Wagtail, Django... ship theirs)."""
    digest = hashlib.sha256()
    for path in sorted(REPO_ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    for dist in sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions()):
        digest.update(dist.encode() + b"\0")
    return digest.hexdigest()[:24]


def _migrate(primary: Cluster, pg_folder: Path, url: str) -> None:
    """Migrate the test's database, or restore the dump of an earlier run's migration.

    Migrating from nothing is the slowest step (minutes on a busy two-core machine, for
    Wagtail's hundreds of migrations); its result depends only on the migration files
    and the installed packages, so it is kept as a pg_dump under the temporary folder,
    named by a hash of both, and restored (seconds) while they are unchanged.
    """
    cached = MIGRATED_CACHE / f"academy-{_schema_key()}.dump"
    if cached.exists():
        dump = pg_folder / "migrated.dump"
        shutil.copyfile(cached, dump)
        if os.geteuid() == 0:
            shutil.chown(dump, "postgres", "postgres")
        try:
            primary.run(
                str(primary.bin / "pg_restore"),
                f"--port={primary.port}",
                "--host=127.0.0.1",
                "--username=postgres",
                "--no-owner",
                "--exit-on-error",
                "--dbname=academy",
                str(dump),
            )
            return
        except AssertionError:
            # A damaged dump: forget it and migrate from nothing.
            cached.unlink(missing_ok=True)
            primary.query("DROP DATABASE academy")
            primary.query("CREATE DATABASE academy")
    run_scratch("migrate", url, timeout=400)
    dump = pg_folder / "migrated.dump"
    primary.run(
        str(primary.bin / "pg_dump"),
        f"--port={primary.port}",
        "--host=127.0.0.1",
        "--username=postgres",
        "--format=custom",
        f"--file={dump}",
        "academy",
    )
    MIGRATED_CACHE.mkdir(mode=0o700, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.partial")
    shutil.copyfile(dump, partial)
    partial.replace(cached)


def _build(n: Nodes, bin_dir: Path, pg_folder: Path) -> None:
    started = time.monotonic()
    primary = Cluster(bin_dir, pg_folder, "primary").initdb()
    n.clusters.append(primary)
    primary.start()
    primary.query("CREATE DATABASE academy")
    n.primary = primary
    n.timed("primary", started)

    started = time.monotonic()
    n.primary_url = primary.url("academy")
    _migrate(primary, pg_folder, n.primary_url)
    n.timed("migrate", started)

    # The replica is cloned after the migration (the slow part), and receives the seed
    # below by streaming replication.
    started = time.monotonic()
    replica = Cluster(bin_dir, pg_folder, "replica").basebackup_of(primary)
    n.clusters.append(replica)
    replica.start()
    assert replica.query("SELECT pg_is_in_recovery()") == [(True,)]
    n.replica = replica
    n.timed("replica", started)

    started = time.monotonic()
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.ops.multinode_seed", "--officers", str(OFFICERS)]
        + ["--password", PASSWORD],
        cwd=REPO_ROOT,
        env=server_env(DATABASE_URL=n.primary_url),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-3000:]
    n.seeded = json.loads(result.stdout.decode().strip().splitlines()[-1])
    wait_for(
        lambda: (
            replica.query(
                "SELECT count(*) FROM people_user WHERE username = 'fault-supervisor'", "academy"
            )
            == [(1,)]
        ),
        30,
        "the seed to reach the replica",
    )
    n.timed("seed", started)

    started = time.monotonic()
    n.redis = RedisServer(n.folder / "redis.log").start()
    n.media = n.folder / "shared-media"
    n.media.mkdir()
    n.env = server_env(
        DATABASE_URL=n.primary_url,
        DATABASE_REPLICA_URL=replica.url("academy", application_name=REPLICA_APP_NAME),
        DATABASE_REPLICA_CHECK_SECONDS="2",
        CACHE_URL=n.redis.url(1),
        SESSION_ENGINE="django.contrib.sessions.backends.cache",
        MEDIA_ROOT=str(n.media),
        CELERY_BROKER_URL=n.redis.url(0),
        CELERY_RESULT_BACKEND=n.redis.url(2),
        CELERY_TASK_ALWAYS_EAGER="false",
        CONN_MAX_AGE="60",
    )
    n.gunicorns = [Gunicorn(n.env, n.folder / f"node{i}.log") for i in (1, 2)]
    for node in n.gunicorns:
        node.start()
    n.nginx_port = free_port()
    conf = _nginx_conf(n.folder, n.nginx_port, [node.port for node in n.gunicorns])
    nginx = start_process(
        [NGINX, "-p", str(n.folder), "-c", str(conf), "-e", str(n.folder / "nginx-error.log")],
        dict(os.environ),
        n.folder / "nginx-out.log",
    )
    n.procs.append(nginx)

    def nginx_up():
        if nginx.poll() is not None:
            raise AssertionError(f"nginx exited:\n{log_tail(n.folder / 'nginx-error.log')}")
        return http(n.nginx_port, "GET", "/accounts/login/")[0] == 200

    wait_for(nginx_up, 30, "nginx to answer", interval=0.2)
    n.timed("web", started)


def sign_in(n: Nodes, username: str) -> str:
    status, body, headers = http(
        n.nginx_port, "POST", "/accounts/login/", form={"username": username, "password": PASSWORD}
    )
    session = session_from(headers)
    assert status == 302 and session, (status, body[:500])
    return session


def upstreams_of(n: Nodes, path: str) -> set[str]:
    lines = (n.folder / "nginx-access.log").read_text().splitlines()
    return {line.split()[3] for line in lines if line.split()[1] == path}


# --- the tests ---------------------------------------------------------------------------


def test_a_session_made_through_nginx_works_on_both_nodes(nodes):
    n = nodes
    session = sign_in(n, "fault000")
    # Straight to each node: the session is in Redis, which both read.
    for node in n.gunicorns:
        status, body, headers = http(node.port, "GET", "/", session)
        assert status == 200, (node.port, status, headers.get("Location"))
        assert "故障警员000".encode() in body
    # Through nginx, which alternates between the nodes.
    for _ in range(4):
        status, _body, headers = http(n.nginx_port, "GET", "/certificate/", session)
        assert status == 200, (status, headers.get("Location"))
    served_by = upstreams_of(n, "/certificate/")
    assert served_by == {f"127.0.0.1:{node.port}" for node in n.gunicorns}, served_by
    # And no session row in the database: Redis alone carries it.
    assert n.primary.query("SELECT count(*) FROM django_session", "academy") == [
        (len(n.seeded["officers"]) + 1,)  # the rows the seed wrote, none from sign-in
    ]


def _start_worker(n: Nodes, name: str) -> subprocess.Popen:
    log_path = n.folder / f"{name}.log"
    proc = start_process(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork"]
        + ["--concurrency=1", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        + ["--loglevel=INFO", "-n", f"{name}@localhost"],
        n.env,
        log_path,
    )
    n.procs.append(proc)
    return proc


def _succeeded(n: Nodes, task: str) -> list[str]:
    """Ids of `task` runs that the workers logged as succeeded, one per run."""
    found = []
    for log_path in n.folder.glob("worker*.log"):
        found += re.findall(
            rf"Task {re.escape(task)}\[([0-9a-f-]+)\] succeeded", log_tail(log_path, 10**7)
        )
    return found


@pytest.fixture(scope="module")
def workers(nodes):
    n = nodes
    procs = [_start_worker(n, f"worker{i}") for i in (1, 2)]

    def ready():
        for i, proc in enumerate(procs, 1):
            if proc.poll() is not None:
                raise AssertionError(f"worker{i} exited:\n{log_tail(n.folder / f'worker{i}.log')}")
        return all(b" ready." in (n.folder / f"worker{i}.log").read_bytes() for i in (1, 2))

    wait_for(ready, 120, "two celery workers", interval=0.3)
    return procs


def test_two_workers_on_one_broker_run_each_task_once_and_beat_once(nodes, workers):
    from celery import Celery

    n = nodes
    client = Celery(
        "multinode-client", broker=n.redis.url(0), backend=n.redis.url(2), set_as_current=False
    )
    client.conf.update(task_serializer="json", accept_content=["json"], result_serializer="json")
    try:
        results = [client.send_task("ops.worker_heartbeat", args=[f"t{i}"]) for i in range(12)]
        for result in results:
            assert result.get(timeout=60)["token"].startswith("t")
        ids = {result.id for result in results}
        wait_for(lambda: ids <= set(_succeeded(n, "ops.worker_heartbeat")), 30, "worker logs")
        runs = [task_id for task_id in _succeeded(n, "ops.worker_heartbeat") if task_id in ids]
        assert sorted(runs) == sorted(ids), "each task sent once ran exactly once"
        ran_on = {
            p.name
            for p in n.folder.glob("worker*.log")
            if any(task_id in p.read_text() for task_id in ids)
        }
        assert ran_on == {"worker1.log", "worker2.log"}, f"both workers took tasks: {ran_on}"
    finally:
        client.close()

    # Beat: one process for the whole installation, here sending a heartbeat every second.
    beat_log = n.folder / "beat.log"
    beat = start_process(
        [sys.executable, "-m", "celery", "-A", "tests.ops.multinode_app", "beat"]
        + ["--loglevel=INFO", "--schedule", str(n.folder / "beat-schedule")],
        {**n.env, "MULTINODE_BEAT_SECONDS": "1"},
        beat_log,
    )
    n.procs.append(beat)
    before = set(_succeeded(n, "ops.worker_heartbeat"))
    wait_for(
        lambda: log_tail(beat_log, 10**6).count("Sending due task multinode-heartbeat") >= 3,
        60,
        "beat to send 3 heartbeats",
        interval=0.3,
    )
    stop_process(beat)
    sent = log_tail(beat_log, 10**6).count("Sending due task multinode-heartbeat")
    wait_for(
        lambda: len(set(_succeeded(n, "ops.worker_heartbeat")) - before) >= sent,
        30,
        "the workers to run beat's heartbeats",
    )
    time.sleep(1)  # a duplicate run, if there were one, would show up by now
    runs = [t for t in _succeeded(n, "ops.worker_heartbeat") if t not in before]
    assert len(runs) == len(set(runs)) == sent, (runs, sent)


def test_an_export_written_by_a_worker_is_served_by_both_nodes(nodes, workers):
    n = nodes
    session = sign_in(n, "fault-supervisor")
    status, body, _ = http(
        n.nginx_port, "POST", f"{DASHBOARD}export/", session, accept="application/json"
    )
    assert status == 200, body[:500]
    progress_url = json.loads(body)["progress_url"]

    def done():
        status, body, _ = http(n.gunicorns[0].port, "GET", progress_url, session)
        data = json.loads(body) if status == 200 else {}
        assert data.get("state") != "failed", data
        return data.get("download_url")

    download_url = wait_for(done, 90, "the export to be ready", interval=0.5)
    files = list(n.media.rglob("*.xlsx"))
    assert len(files) == 1, files
    downloads = []
    for node in n.gunicorns:
        status, body, _ = http(node.port, "GET", download_url, session)
        assert status == 200, (node.port, status, body[:300])
        downloads.append(body)
    assert downloads[0] == downloads[1] == files[0].read_bytes()
    assert downloads[0][:2] == b"PK"  # an XLSX is a zip


def _replica_connections(n: Nodes) -> int:
    rows = n.replica.query(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
        " AND application_name = %s",
        params=[REPLICA_APP_NAME],
    )
    return rows[0][0]


def test_dashboards_read_from_the_replica_and_fall_back_when_it_stops(nodes):
    n = nodes
    session = sign_in(n, "fault-supervisor")
    for _ in range(4):
        status, body, _ = http(n.nginx_port, "GET", DASHBOARD, session)
        assert status == 200, body[:500]
    # The nodes' dashboard requests hold connections to the replica (CONN_MAX_AGE).
    assert _replica_connections(n) >= 2

    results: list[int] = []
    stop = threading.Event()

    def keep_asking():
        while not stop.is_set():
            results.append(http(n.nginx_port, "GET", DASHBOARD, session)[0])
            time.sleep(0.05)

    asker = threading.Thread(target=keep_asking, daemon=True)
    asker.start()
    try:
        wait_for(lambda: len(results) >= 3, 60, "dashboards before the stop")
        n.replica.stop("immediate")
        at_stop = len(results)
        wait_for(lambda: len(results) >= at_stop + 10, 120, "dashboards after the stop")
    finally:
        stop.set()
        asker.join(timeout=60)
    assert results and set(results) == {200}, f"{results}\n{n.log_tails()}"
    # The primary answered: it holds the same rows, and the page still shows them.
    status, body, _ = http(n.nginx_port, "GET", DASHBOARD, session)
    assert status == 200 and "故障镇".encode() in body


def test_killing_a_web_node_mid_exam_loses_no_answer_and_shows_no_error(nodes):
    n = nodes
    officers = []
    for username in n.seeded["usernames"]:
        if not username.startswith("fault0"):
            continue
        session = sign_in(n, username)
        status, body, headers = http(
            n.nginx_port, "POST", f"/quizzes/{n.seeded['quiz']}/start/", session
        )
        location = headers.get("Location", "")
        assert status == 302 and "/quizzes/attempt/" in location, (status, body[:300])
        officer = Officer(session=session, public_id=location.rstrip("/").rsplit("/", 1)[-1])
        officers.append(officer)
    for slot in run_scratch("answers", n.primary_url)["slots"]:
        owner = next(o for o in officers if o.public_id == slot["attempt"])
        owner.slots[slot["position"]] = (slot["qtype"], len(slot["option_order"]))
    assert len(officers) == OFFICERS and all(len(o.slots) == 5 for o in officers)

    failures: list[str] = []
    acknowledged = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def autosave(officer: Officer, rng: random.Random):
        path = f"/quizzes/attempt/{officer.public_id}/answer/"
        while not stop.is_set():
            seq, position, answer = officer.next_answer(rng)
            status, body, _ = http(
                n.nginx_port,
                "POST",
                path,
                officer.session,
                body={"q": position, "a": answer, "seq": seq},
            )
            data = json.loads(body) if status == 200 else {}
            # A save nginx resent to the other node after the first one had stored it is
            # answered "stale" with its own sequence number: stored all the same.
            if data.get("status") == "saved" or (
                data.get("status") == "stale" and data.get("seq") == seq
            ):
                officer.acknowledged[position] = seq
                with lock:
                    acknowledged[0] += 1
            else:
                failures.append(f"save {seq}: {status} {body[:200]!r}")
                return
            time.sleep(rng.uniform(0, 0.03))

    seed = random.randrange(1 << 30)  # noqa: S311 - load pattern
    threads = [
        threading.Thread(target=autosave, args=(o, random.Random(seed + i)), daemon=True)  # noqa: S311
        for i, o in enumerate(officers)
    ]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: failures or acknowledged[0] >= 20, 90, "saves before the kill")
        victim = n.gunicorns[1]
        os.killpg(victim.proc.pid, signal.SIGKILL)  # the whole node: master and workers
        victim.proc.wait(timeout=10)
        at_kill = acknowledged[0]
        wait_for(lambda: failures or acknowledged[0] >= at_kill + 40, 120, "saves after the kill")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not failures, f"{failures[:5]}\n{n.log_tails()}"
    # nginx sent saves to both nodes, and resent to the survivor what the dead node
    # could not take (its log then names both upstreams for one request).
    saves = [
        line.split(" ", 3)[3]
        for line in (n.folder / "nginx-access.log").read_text().splitlines()
        if line.startswith("POST /quizzes/attempt/")
    ]
    survivor, victim_addr = (f"127.0.0.1:{node.port}" for node in n.gunicorns)
    assert any(line.startswith(victim_addr) for line in saves)
    assert any(victim_addr in line and survivor in line for line in saves), saves[-20:]
    problems, checked = lost_answers(officers, run_scratch("answers", n.primary_url)["slots"])
    assert not problems, problems[:10]
    assert checked >= OFFICERS
    print(f"multi-node timings: {n.timings}; saves acknowledged: {acknowledged[0]}")
