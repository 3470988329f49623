"""Processes and HTTP for the fault-injection tests: gunicorn, Redis, a Celery worker.

Every server runs in a process group of its own (`start_new_session`), bound to a free
port on 127.0.0.1, with its output in a log file under the test's tmp_path; `stop()`
ends the whole group (TERM, then KILL), and every wait has a deadline, so a hang fails
the test instead of stalling CI.
"""

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CSRF_TOKEN = "f" * 32  # noqa: S105 - a fixed CSRF cookie and header (same as scratch.py)

# Settings that the servers under test take from the environment: the test process's own
# values (CI points DATABASE_URL, CACHE_URL... at its services) never leak into them.
_SERVER_ENV_PREFIXES = ("DATABASE_", "CACHE_", "TEST_CACHE_", "CELERY_", "EMAIL_", "GUNICORN_")
_SERVER_ENV_NAMES = {"DJANGO_SETTINGS_MODULE", "DEBUG", "LOG_LEVEL", "CONN_MAX_AGE"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(**settings: str) -> dict[str, str]:
    """The environment of a server under test: dev settings, DEBUG off, plus `settings`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(_SERVER_ENV_PREFIXES) and key not in _SERVER_ENV_NAMES
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def wait_for(condition: Callable[[], object], timeout: float, what: str, interval=0.1):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def children(pid: int) -> list[int]:
    """Pids of the live (not zombie) child processes of `pid`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[0] is the state, fields[1] the parent pid (proc(5), from field 3 on)
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry))
    return sorted(found)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def start_process(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    """Start `command` in a new process group, output appended to `log_path`."""
    with log_path.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own commands, no shell
            command,
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def stop_process(proc: subprocess.Popen | None, grace: float = 10) -> None:
    """End the process group of `proc`: TERM, then KILL whatever is left after `grace` s."""
    if proc is None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and group_alive(proc.pid):
            proc.poll()
            time.sleep(0.05)
        if not group_alive(proc.pid):
            break
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def log_tail(path: Path, size: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-size:]
    except OSError:
        return "(no log)"


def run_scratch(command: str, database_url: str, *args: str, timeout: float = 300) -> dict:
    """Run `python -m tests.faults.scratch command` against a scratch database."""
    env = server_env(DATABASE_URL=database_url)
    result = subprocess.run(  # noqa: S603 - our own module
        [sys.executable, "-m", "tests.faults.scratch", command, *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(
            f"scratch {command} failed ({result.returncode}):\n"
            f"{result.stderr.decode(errors='replace')[-3000:]}"
        )
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


# --- HTTP --------------------------------------------------------------------------------

DROPPED = 599  # status recorded for a request that got no HTTP answer at all


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# No proxy handler: these requests go to 127.0.0.1 whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


class Http:
    """One request per connection, as a browser talking to gunicorn's sync workers."""

    def __init__(self, port: int, timeout: float = 30):
        self.base = f"http://127.0.0.1:{port}"
        self.timeout = timeout

    def request(
        self, method: str, path: str, session: str = "", body: dict | None = None
    ) -> tuple[int, bytes, str]:
        """(status, body, Location); status DROPPED when the connection failed."""
        cookies = f"csrftoken={CSRF_TOKEN}" + (f"; sessionid={session}" if session else "")
        headers = {"Cookie": cookies, "X-CSRFToken": CSRF_TOKEN, "Accept": "text/html"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers.update({"Content-Type": "application/json", "Accept": "application/json"})
        elif method == "POST":
            data = b""
        req = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with _OPENER.open(req, timeout=self.timeout) as response:
                return response.status, response.read(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("Location", "")
        except (OSError, urllib.error.URLError, http.client.HTTPException) as error:
            # Reset, refused or timed out, or the answer was cut off (IncompleteRead,
            # BadStatusLine) because the worker serving it was killed: no HTTP answer.
            return DROPPED, repr(error).encode(), ""


# --- servers -----------------------------------------------------------------------------


class Gunicorn:
    """gunicorn from site/gunicorn.conf.py with 2 sync workers on 127.0.0.1:<free port>."""

    WORKERS = 2

    def __init__(self, env: dict, log_path: Path):
        self.env, self.log_path = env, log_path
        self.port = free_port()
        self.http = Http(self.port)
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(REPO_ROOT / "site/gunicorn.conf.py"),
            "--workers",
            str(self.WORKERS),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ]
        self.proc = start_process(command, self.env, self.log_path)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{log_tail(self.log_path)}")
            status = self.http.request("GET", "/accounts/login/")[0]
            return status == 200 and len(self.workers()) == self.WORKERS

        wait_for(ready, 90, "gunicorn to serve", interval=0.3)
        return self

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def kill_worker(self, victim: int, timeout: float = 60) -> float:
        """SIGKILL one worker and wait until gunicorn has replaced it; seconds taken."""
        killed = time.monotonic()
        os.kill(victim, signal.SIGKILL)

        def respawned():
            pids = self.workers()
            return len(pids) == self.WORKERS and victim not in pids

        wait_for(respawned, timeout, f"gunicorn to replace worker {victim}", interval=0.05)
        return time.monotonic() - killed

    def stop(self) -> None:
        stop_process(self.proc)


class RedisServer:
    """A private redis-server on 127.0.0.1:<free port>, no persistence; can be restarted."""

    BINARY = "/usr/bin/redis-server"

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis(
            host="127.0.0.1", port=self.port, db=db, socket_timeout=5, socket_connect_timeout=5
        )

    def ping(self) -> bool:
        client = self.client()
        try:
            return bool(client.ping())
        except OSError:
            return False
        except Exception:  # redis.ConnectionError and friends
            return False
        finally:
            client.close()

    def start(self) -> "RedisServer":
        command = [
            self.BINARY,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.proc = start_process(command, dict(os.environ), self.log_path)
        wait_for(self.ping, 30, f"redis-server on port {self.port}")
        return self

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

        def port_free():
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                return probe.connect_ex(("127.0.0.1", self.port)) != 0

        wait_for(port_free, 30, f"port {self.port} to be released")


class CeleryWorker:
    """`celery worker` (prefork, one pool process) for the project's app, as in production.

    `app` names the Celery application module: the project's `config`, or a test module
    wrapping it. The worker is started, killed and restarted with the same queue and log.
    """

    def __init__(self, env: dict, log_path: Path, app: str = "config", queue: str = "celery"):
        self.env, self.log_path, self.app, self.queue = env, log_path, app, queue
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self, timeout: float = 120) -> "CeleryWorker":
        self.starts += 1
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            self.app,
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            "-Q",
            self.queue,
            "-n",
            f"faults{self.starts}@localhost",
        ]
        self.proc = start_process(command, self.env, self.log_path)

        def ready():
            if self.proc.poll() is not None:
                raise AssertionError(f"celery worker exited:\n{log_tail(self.log_path)}")
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return b" ready." in log.read() and len(children(self.proc.pid)) == 1

        wait_for(ready, timeout, "the celery worker to be ready", interval=0.2)
        return self

    def pool_process(self) -> int:
        """The pool process that runs tasks (the main process respawns it when it dies)."""
        return wait_for(
            lambda: (children(self.proc.pid) or [None])[0], 30, "the worker's pool process"
        )

    def kill_pool_process(self) -> int:
        victim = self.pool_process()
        os.kill(victim, signal.SIGKILL)
        return victim

    def kill_main(self) -> int:
        """SIGKILL the main process; the pool process dies with it (Celery sets its parent
        death signal), anything left of the group is killed too."""
        victim = self.proc.pid
        os.kill(victim, signal.SIGKILL)
        self.proc.wait(timeout=30)
        try:
            wait_for(lambda: not group_alive(victim), 10, "the worker's pool process to die")
        except AssertionError:
            os.killpg(victim, signal.SIGKILL)
        self.proc = None
        return victim

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None
