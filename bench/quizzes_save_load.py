"""Benchmark: quiz answer autosave and exam start under load, loopback only.

Every phase runs against gunicorn started here from `site/gunicorn.conf.py` with 2 sync
workers (`--workers` for the PostgreSQL parts) bound to 127.0.0.1, on a scratch database of its own, bounded in time. Load comes
from threads in this process (urllib, one TCP connection per request, as gunicorn's sync
workers close the connection after each response). Officers are signed in by Django
sessions written straight into the database (no password hashing), with a fixed CSRF
cookie and header.

SQLite (always; /tmp/quizzes-bench.sqlite3, recreated):
  S1. 50 officers start the exam, then save answers concurrently for 30 s with 0–0.5 s
      between saves (far above the think time of real officers): no "database is
      locked" and no other error.
  S2. Throughput of the save endpoint vs a trivial view (reference only on SQLite).
  S3. The same 50 officers for 45 s while one gunicorn worker is SIGKILLed 3 times:
      every save answered "saved" is in the database afterwards.

PostgreSQL (with --postgres, or when DATABASE_URL points at PostgreSQL; scratch database
`bench_quizzes` on that server, default 127.0.0.1:5432 user postgres, dropped at the end):
  P1. Synchronised exam start: 1,100 officers each press "start" at a random moment of
      the same minute (open loop) and load the first question page: p95, errors.
  P2. 1,100 officers answering with 30–90 s think time, in real time, for 180 s: each
      officer answers first at a random moment of the first 60 s, then after a uniform
      30–90 s pause each time (open loop, 1,100 / 60 s = 18.3 saves/s on average): p95
      of the save endpoint, errors.
  P3. Same server, right after P2: closed-loop throughput of the save endpoint vs a
      trivial Django view (`GET /i18n/setlang/`, which goes through the whole middleware
      stack, including the session and user lookup, and answers 204), alternated twice.
  P4. P2's load for 120 s plus 8 officers saving every 0–0.5 s, while one gunicorn worker
      is SIGKILLed 4 times (gunicorn respawns it); saves that fail on a dropped
      connection are retried like the page's autosave would: every save answered
      "saved" is in the database afterwards.

    .venv/bin/python bench/quizzes_save_load.py              # SQLite parts (about 3 min)
    .venv/bin/python bench/quizzes_save_load.py --postgres   # then PostgreSQL (about 9 min)
    .venv/bin/python bench/quizzes_save_load.py --postgres --skip-sqlite \
        --phases start,steady --gunicorn-args "--preload --max-requests 0"

`--gunicorn-args` are appended after `-c site/gunicorn.conf.py` (command-line options win
over the file), to try a server setting without editing the shipped file.

Each figure is printed beside its target on a line containing "target", with the load
average at that moment. The machine has 2 cores and may be shared, so each phase also
says where the CPU went (`Meter`): the whole machine, gunicorn (with its CPU time per
request), this load generator, and the rest — PostgreSQL and anything else running.
"""

import argparse
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
TMP = Path(tempfile.gettempdir())
SQLITE_PATH = TMP / "quizzes-bench.sqlite3"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "bench_quizzes"
PORTS = {"sqlite": 8190, "postgres": 8191}
CSRF = "b" * 32
EXTRA_OFFICERS = 8  # officers outside the main crowd: throughput and "hammer" load
PART_TIME_LIMIT_S = 25 * 60

_rng = random.Random()  # noqa: S311 - load pattern, not security


def load_average() -> str:
    """The `uptime` load averages (1, 5, 15 min), as printed beside every figure."""
    with open("/proc/loadavg") as handle:
        one, five, fifteen = handle.read().split()[:3]
    return f"load avg {one} {five} {fifteen}"


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))] * 1000


# --- HTTP --------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# No proxy handler: the benchmark talks to 127.0.0.1 only, whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


class Http:
    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"

    def request(self, method: str, path: str, session: str, body: dict | None = None, form=None):
        """(status, payload, Location header); status 599 for a dropped connection.
        `body` is sent as JSON, `form` (pairs) as a browser's form POST."""
        headers = {
            "Cookie": f"sessionid={session}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Accept": "application/json" if body is not None else "text/html",
        }
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif method == "POST":
            data = b""
        req = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with _OPENER.open(req, timeout=60) as response:
                return response.status, response.read(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read(), error.headers.get("Location", "")
        except Exception as error:  # reset, refused, timeout: the officer saw a failure
            return 599, repr(error).encode(), ""

    def trivial(self, session: str):
        """A trivial Django view: `set_language` on GET does nothing and answers 204."""
        req = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + "/i18n/setlang/",
            headers={"Cookie": f"sessionid={session}", "Accept": "application/json"},
        )
        try:
            with _OPENER.open(req, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except Exception:
            return 599


# --- officers and their answers ----------------------------------------------------------


@dataclass
class Officer:
    index: int
    session: str
    public_id: str = ""
    slots: dict = field(default_factory=dict)  # position -> (qtype, option count)
    seq: int = 0
    sent: dict = field(default_factory=dict)  # seq -> (position, answer)
    last_ok: dict = field(default_factory=dict)  # position -> newest seq answered "saved"
    lock: threading.Lock = field(default_factory=threading.Lock)
    rng: random.Random = field(default_factory=lambda: random.Random(_rng.random()))  # noqa: S311

    def next_answer(self) -> tuple[int, int, object]:
        with self.lock:
            self.seq += 1
            position = self.rng.choice(list(self.slots))
            qtype, count = self.slots[position]
            if qtype == "essay":
                answer = f"作答{self.seq}：应当依法告知当事人陈述、申辩的权利。"
            elif qtype == "multiple":
                answer = sorted(self.rng.sample(range(count), self.rng.randint(1, count)))
            else:
                answer = self.rng.randrange(count)
            self.sent[self.seq] = (position, answer)
            return self.seq, position, answer

    def record_ok(self, position: int, seq: int) -> None:
        with self.lock:
            if seq > self.last_ok.get(position, 0):
                self.last_ok[position] = seq


class Tally:
    """Outcomes of one phase; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.lags: list[float] = []
        self.sent_at: list[float] = []
        self.ok = 0
        self.stale = 0
        self.errors = 0
        self.locked = 0
        self.first_try_failures = 0
        self.samples: Counter = Counter()

    def add(self, latency: float, ok: bool, payload: bytes = b"", status: int = 200):
        with self.lock:
            self.latencies.append(latency)
            if ok:
                self.ok += 1
            else:
                self.errors += 1
                if b"locked" in payload:
                    self.locked += 1
                self.samples[f"{status} {payload[:90]!r}"] += 1

    def error_summary(self) -> str:
        return "; ".join(f"{n}× {text}" for text, n in self.samples.most_common(3)) or "none"


def save(http: Http, officer: Officer, tally: Tally, *, retries: int = 0, scheduled=None):
    """One autosave as the attempt page sends it; retried on a dropped connection."""
    seq, position, answer = officer.next_answer()
    started = scheduled if scheduled is not None else time.perf_counter()
    path = f"/quizzes/attempt/{officer.public_id}/answer/"
    for attempt_no in range(retries + 1):
        sent = time.perf_counter()
        if attempt_no == 0:
            with tally.lock:
                tally.lags.append(sent - started)
                tally.sent_at.append(sent)
        status, payload, _location = http.request(
            "POST", path, officer.session, {"q": position, "a": answer, "seq": seq}
        )
        if status == 599 and attempt_no < retries:
            with tally.lock:
                tally.first_try_failures += attempt_no == 0
            time.sleep(0.5)
            continue
        break
    latency = time.perf_counter() - started
    if status != 200:
        tally.add(latency, False, payload, status)
        return
    data = json.loads(payload)
    # A retry of a save that was stored before the connection dropped answers "stale"
    # with its own sequence number: it is stored all the same.
    if data.get("status") == "saved" or (data.get("status") == "stale" and data.get("seq") == seq):
        officer.record_ok(position, seq)
        tally.add(latency, True)
    elif data.get("status") == "stale":
        with tally.lock:
            tally.stale += 1
        tally.add(latency, True)
    else:
        tally.add(latency, False, payload, status)


def open_loop(events, action, *, pool: int = 256) -> float:
    """Run `action(scheduled_time, *args)` at each event's offset; returns elapsed seconds."""
    events = sorted(events, key=lambda event: event[0])
    t0 = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=pool) as executor:
        for offset, *args in events:
            delay = t0 + offset - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            executor.submit(action, t0 + offset, *args)
    return time.perf_counter() - t0


def closed_loop(officers, seconds: float, think: float, action) -> float:
    """Each officer repeats `action(officer)` then pauses 0–think s, until time is up."""
    stop = time.perf_counter() + seconds

    def loop(officer):
        while time.perf_counter() < stop:
            action(officer)
            if think:
                time.sleep(officer.rng.uniform(0, think))

    threads = [threading.Thread(target=loop, args=(o,)) for o in officers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def think_time_events(officers, window: float, low: float = 30, high: float = 90):
    """When each officer answers: first at a random moment of the first (low+high)/2 s,
    then after a uniform low–high s pause each time, until the window closes."""
    events = []
    for officer in officers:
        moment = _rng.uniform(0, (low + high) / 2)
        while moment < window:
            events.append((moment, officer))
            moment += _rng.uniform(low, high)
    return events


def peak_rate(times: list[float], bucket: float = 10.0) -> tuple[float, float]:
    """Mean and highest per-second rate over `bucket`-second slices of the send times."""
    if not times:
        return 0.0, 0.0
    start = min(times)
    counts = Counter(int((t - start) // bucket) for t in times)
    span = max(times) - start
    return len(times) / max(span, 1e-9), max(counts.values()) / bucket


# --- database and server -----------------------------------------------------------------


def setup_django(database_url: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "False"
    import django

    django.setup()


def prepare(n: int, layout: str = "one_per_page") -> tuple[list[Officer], list[Officer], object]:
    """Migrate, seed the demo question bank, an exam like the demo general-law exam (40
    questions drawn from 3 categories, 60 minutes, one per page or all on one page), and
    n + extra officers with a session each. Returns (crowd, extras, exam)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from _exam import exam_world

    from people.models import Role, RoleAssignment, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    with transaction.atomic():
        town, exams = exam_world(code="BENCH", layouts=[layout], attempts_allowed=2)
        exam = exams[layout]
        # Officers in bulk, as an import would leave them: a user with the officer role.
        password = make_password(None)
        User.objects.bulk_create(
            (
                User(
                    username=f"bench{i:05d}",
                    full_name=f"压测警员{i:05d}",
                    unit=town,
                    password=password,
                    employee_number=f"B{i:05d}",
                )
                for i in range(n + EXTRA_OFFICERS)
            ),
            batch_size=2000,
        )
        users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
        RoleAssignment.objects.bulk_create(
            (RoleAssignment(user=user, role=Role.OFFICER, unit=town) for user in users),
            batch_size=2000,
        )
        backend = settings.AUTHENTICATION_BACKENDS[-1]
        expires = timezone.now() + timedelta(days=1)
        rows = []
        for user in users:
            data = {
                SESSION_KEY: str(user.pk),
                BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            rows.append(
                Session(
                    session_key=key, session_data=SessionStore().encode(data), expire_date=expires
                )
            )
        Session.objects.bulk_create(rows, batch_size=2000)
    officers = [Officer(index=i, session=row.session_key) for i, row in enumerate(rows)]
    print(
        f"prepared: migrate {migrated - started:.0f} s, {len(officers)} officers with sessions,"
        f" question bank and exam {time.perf_counter() - migrated:.0f} s",
        flush=True,
    )
    return officers[:n], officers[n:], exam


def load_slots(officers: list[Officer]) -> None:
    from quizzes.models import AttemptQuestion

    by_id = {o.public_id: o for o in officers if o.public_id}
    for public_id, position, qtype, order in AttemptQuestion.objects.filter(
        attempt__public_id__in=list(by_id)
    ).values_list("attempt__public_id", "position", "question__qtype", "option_order"):
        by_id[str(public_id)].slots[position] = (qtype, len(order))


def lost_answers(officers: list[Officer]) -> tuple[int, int, int]:
    """(lost, answers checked, successful saves): for every question of every attempt, the
    newest save answered "saved" must be in the database — that save, or a newer one this
    benchmark sent (stored, but its answer lost with a killed worker)."""
    from quizzes.models import AttemptQuestion

    by_id = {o.public_id: o for o in officers}
    stored = {}
    for public_id, position, seq, selected, text, order in AttemptQuestion.objects.filter(
        attempt__public_id__in=list(by_id)
    ).values_list("attempt__public_id", "position", "seq", "selected", "text", "option_order"):
        stored[(str(public_id), position)] = (seq, selected, text, order)
    lost = checked = 0
    for officer in officers:
        for position, seq in officer.last_ok.items():
            checked += 1
            db_seq, selected, text, order = stored[(officer.public_id, position)]
            sent_position, answer = officer.sent.get(db_seq, (None, None))
            if db_seq < seq or sent_position != position:
                lost += 1
            elif isinstance(answer, str):
                lost += text != answer
            else:
                indices = answer if isinstance(answer, list) else [answer]
                lost += set(selected) != {order[i] for i in indices}
    return lost, checked, sum(o.seq for o in officers)


class Server:
    """gunicorn with site/gunicorn.conf.py, `workers` sync workers, on 127.0.0.1:port.

    `app`: another gunicorn and its arguments instead (the peer benchmark's old stack),
    run from `cwd` with `env` over this process's environment; the worker count, address
    and logging stay the same."""

    def __init__(
        self,
        port: int,
        log: Path,
        extra: str = "",
        app=None,
        cwd: Path = ROOT,
        env=None,
        workers: int = 2,
    ):
        self.port, self.log, self.extra, self.count = port, log, shlex.split(extra), workers
        self.app = app or [
            str(ROOT / ".venv/bin/gunicorn"),
            "-c",
            str(ROOT / "site/gunicorn.conf.py"),
        ]
        self.cwd = cwd
        self.env = {**os.environ, **(env or {})}

    def __enter__(self):
        command = [
            *self.app,
            "--workers",
            str(self.count),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
            *self.extra,
        ]
        # Worker stderr (warnings printed at each worker boot) goes to the log as well.
        self.stderr = open(self.log, "a")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            command,
            cwd=self.cwd,
            env=self.env,
            start_new_session=True,
            stderr=self.stderr,
        )
        http = Http(self.port)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if http.trivial("none") in (204, 302) and len(self.workers()) == self.count:
                break
            time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn did not start; see {self.log}")
        print(f"gunicorn: {' '.join(command[1:])} (master pid {self.process.pid})", flush=True)
        return self

    def workers(self) -> list[int]:
        out = subprocess.run(  # noqa: S603
            ["/usr/bin/ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(pid) for pid in out.split()]

    def kill_worker_at(self, offsets: list[float]) -> tuple[threading.Thread, list]:
        """SIGKILL one worker at each offset (seconds from now), in a background thread."""
        done: list[tuple[float, int, float]] = []
        t0 = time.perf_counter()

        def run():
            for offset in offsets:
                time.sleep(max(0, t0 + offset - time.perf_counter()))
                pids = self.workers()
                if not pids:
                    continue
                victim = _rng.choice(pids)
                os.kill(victim, signal.SIGKILL)
                killed = time.perf_counter()
                while time.perf_counter() - killed < 30:  # until gunicorn has respawned it
                    now = self.workers()
                    if len(now) == self.count and victim not in now:
                        break
                    time.sleep(0.1)
                done.append((offset, victim, time.perf_counter() - killed))

        thread = threading.Thread(target=run)
        thread.start()
        return thread, done

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=40)
        self.stderr.close()


_TICK = os.sysconf("SC_CLK_TCK")


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / _TICK, total / _TICK


def _process_cpu(pid: int, children: bool = False) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    # fields[11:15] are utime, stime, cutime, cstime (proc(5), counting from field 3)
    used = int(fields[11]) + int(fields[12])
    if children:
        used += int(fields[13]) + int(fields[14])
    return used / _TICK


class Meter:
    """Where the CPU went during a phase: the whole machine (2 cores, shared), gunicorn
    (workers alive now plus the ones that died or were recycled), this load generator,
    and the rest (PostgreSQL, and whatever else runs on the machine)."""

    def __init__(self, server):
        self.server = server

    def _gunicorn(self) -> float:
        master = self.server.process.pid
        return _process_cpu(master, children=True) + sum(
            _process_cpu(pid) for pid in self.server.workers()
        )

    def __enter__(self):
        self.started = time.perf_counter()
        self.machine = _machine_cpu()
        self.gunicorn = self._gunicorn()
        self.client = time.process_time()
        self.load = load_average()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.started
        busy, total = _machine_cpu()
        self.cores = (total - self.machine[1]) / self.elapsed
        self.busy = busy - self.machine[0]
        self.gunicorn = self._gunicorn() - self.gunicorn
        self.client = time.process_time() - self.client

    def summary(self, requests: int) -> str:
        share = 100 / max(self.cores * self.elapsed, 1e-9)
        rest = self.busy - self.gunicorn - self.client
        return (
            f"CPU over {self.elapsed:.0f} s on {self.cores:.0f} cores: machine busy"
            f" {self.busy * share:.0f}%, gunicorn {self.gunicorn * share:.0f}%"
            f" ({1000 * self.gunicorn / max(requests, 1):.0f} ms per request), load generator"
            f" {self.client * share:.0f}%, PostgreSQL and everything else {rest * share:.0f}%;"
            f" {self.load} at start"
        )


# --- phases ------------------------------------------------------------------------------


def exam_start(server, officers: list[Officer], exam, window: float, label: str):
    """Every officer presses "start" at a random moment of `window` seconds and loads the
    first question page, as the browser does after the redirect."""
    post_times, total_times, sent_at = [], [], []
    errors: Counter = Counter()
    lock = threading.Lock()

    def start(scheduled, officer):
        sent = time.perf_counter()
        status, payload, location = http.request(
            "POST", f"/quizzes/{exam.pk}/start/", officer.session
        )
        posted = time.perf_counter()
        if status != 302 or "/quizzes/attempt/" not in location:
            with lock:
                errors[f"start {status} {location or payload[:80]!r}"] += 1
            return
        officer.public_id = location.rstrip("/").rsplit("/", 1)[-1]
        status, payload, _location = http.request("GET", urlsplit(location).path, officer.session)
        finished = time.perf_counter()
        with lock:
            sent_at.append(sent)
            if status != 200:
                errors[f"page {status} {payload[:80]!r}"] += 1
                return
            post_times.append(posted - scheduled)
            total_times.append(finished - scheduled)

    http = Http(server.port)
    events = [(_rng.uniform(0, window), officer) for officer in officers]
    with Meter(server) as meter:
        elapsed = open_loop(events, start)
    from quizzes.models import Attempt, AttemptQuestion

    attempts = Attempt.objects.filter(quiz=exam).count()
    slots = AttemptQuestion.objects.filter(attempt__quiz=exam).count()
    span = (max(sent_at) - min(sent_at)) if sent_at else 0
    print(
        f"{label}: exam start, {len(officers)} officers within {span:.0f} s (open loop,"
        f" {len(officers) / window:.1f} starts/s), done in {elapsed:.0f} s;"
        f" {attempts} attempts with {slots} questions in the database;"
        f" {meter.summary(2 * len(officers))}",
        flush=True,
    )
    print(
        f"{label}: exam start p50 {pct(total_times, 0.5):.0f} ms, p95 {pct(total_times, 0.95):.0f} ms,"
        f" max {pct(total_times, 1):.0f} ms — start POST + first question page"
        f" (start POST alone p95 {pct(post_times, 0.95):.0f} ms) (target < 2000 ms); {load_average()}",
        flush=True,
    )
    total_errors = sum(errors.values())
    print(
        f"{label}: exam start errors {total_errors} of {len(officers)} (target 0)"
        + (f": {dict(errors.most_common(3))}" if errors else ""),
        flush=True,
    )
    return pct(total_times, 0.95), total_errors


def ensure_attempts(officers: list[Officer], exam) -> None:
    """Attempts for officers that have none yet (the extras; any failed start)."""
    from django.contrib.sessions.models import Session

    from people.models import User
    from quizzes import services

    for officer in officers:
        if officer.public_id:
            continue
        user_pk = Session.objects.get(session_key=officer.session).get_decoded()["_auth_user_id"]
        attempt = services.attempt_start(quiz=exam, user=User.objects.get(pk=user_pk))
        officer.public_id = str(attempt.public_id)


def throughput(server, officers: list[Officer], seconds: float = 10):
    """Closed loop, no pause: trivial view, save, trivial, save (alternated so that load
    from elsewhere falls on both alike). Returns ({kind: req/s}, {kind: gunicorn CPU ms
    per request}, {kind: errors})."""
    http = Http(server.port)
    done = {"trivial": 0, "save": 0}
    seconds_spent = {"trivial": 0.0, "save": 0.0}
    cpu = {"trivial": 0.0, "save": 0.0}
    errors = Counter()
    for kind in ("trivial", "save", "trivial", "save"):
        tally = Tally()
        if kind == "trivial":

            def action(officer, tally=tally):
                status = http.trivial(officer.session)
                tally.add(0, status == 204, b"", status)

        else:

            def action(officer, tally=tally):
                save(http, officer, tally)

        with Meter(server) as meter:
            elapsed = closed_loop(officers, seconds, 0, action)
        done[kind] += len(tally.latencies)
        seconds_spent[kind] += elapsed
        cpu[kind] += meter.gunicorn
        errors[kind] += tally.errors
    rates = {kind: done[kind] / seconds_spent[kind] for kind in done}
    cpu_ms = {kind: 1000 * cpu[kind] / max(done[kind], 1) for kind in done}
    return rates, cpu_ms, dict(errors)


def print_throughput(server, officers, label: str, target: bool) -> None:
    rates, cpu_ms, errors = throughput(server, officers)
    ratio = rates["save"] / rates["trivial"]
    print(
        f"{label}: closed-loop throughput, {len(officers)} clients, same server:"
        f" trivial view {rates['trivial']:.0f} req/s ({cpu_ms['trivial']:.1f} ms gunicorn CPU"
        f" per request), save {rates['save']:.0f} req/s ({cpu_ms['save']:.1f} ms), ratio"
        f" {ratio:.2f}"
        + (" (target ≥ 0.50)" if target else " (reference only on SQLite)")
        + f"; errors {errors}; {load_average()}",
        flush=True,
    )


def steady_saves(server, officers: list[Officer], window: float, label: str) -> Tally:
    http = Http(server.port)
    tally = Tally()
    events = think_time_events(officers, window)
    with Meter(server) as meter:
        elapsed = open_loop(events, lambda scheduled, o: save(http, o, tally, scheduled=scheduled))
    mean_rate, peak = peak_rate(tally.sent_at)
    print(
        f"{label}: {len(officers)} officers, think time 30–90 s, first answer at a random"
        f" moment of the first 60 s, {window:.0f} s window, done in {elapsed:.0f} s:"
        f" {len(tally.latencies)} saves, {mean_rate:.1f} saves/s (busiest 10 s: {peak:.1f}/s);"
        f" client send lag p95 {pct(tally.lags, 0.95):.0f} ms; {meter.summary(len(tally.latencies))}",
        flush=True,
    )
    return tally


def steady_pages(server, officers: list[Officer], window: float, label: str):
    """One question per page, as officers take such an exam: at each answer (30–90 s
    apart) the officer loads the question's page, then the page autosaves the answer.
    Returns the page tally and the save tally."""
    http = Http(server.port)
    pages, saves = Tally(), Tally()

    def answer(scheduled, officer):
        page = officer.rng.choice(list(officer.slots)) + 1
        path = f"/quizzes/attempt/{officer.public_id}/?page={page}"
        with pages.lock:
            pages.lags.append(time.perf_counter() - scheduled)
            pages.sent_at.append(time.perf_counter())
        status, payload, _location = http.request("GET", path, officer.session)
        pages.add(time.perf_counter() - scheduled, status == 200, payload[:90], status)
        if status == 200:
            save(http, officer, saves)

    events = think_time_events(officers, window)
    with Meter(server) as meter:
        elapsed = open_loop(events, answer)
    mean_rate, peak = peak_rate(pages.sent_at)
    print(
        f"{label}: one question per page, {len(officers)} officers, think time 30–90 s,"
        f" {window:.0f} s window, done in {elapsed:.0f} s: {len(pages.latencies)} pages and"
        f" {len(saves.latencies)} saves, {mean_rate:.1f} answers/s (busiest 10 s: {peak:.1f}/s);"
        f" client send lag p95 {pct(pages.lags, 0.95):.0f} ms;"
        f" {meter.summary(len(pages.latencies) + len(saves.latencies))}",
        flush=True,
    )
    return pages, saves


def kill_run(server, crowd, hammer, window: float, kills: int, think: bool, label: str):
    """Saves (retried on a dropped connection, as the page's autosave does) while one
    gunicorn worker is SIGKILLed `kills` times; then every answer reported "saved" is
    looked up in the database. `think`: the crowd answers at 30–90 s (open loop);
    otherwise it saves every 0–0.5 s like the hammer officers."""
    http = Http(server.port)
    tally = Tally()
    thread, killed = server.kill_worker_at([window * (k + 1) / (kills + 1) for k in range(kills)])

    def quick(officer):
        save(http, officer, tally, retries=3)

    with Meter(server) as meter:
        threads = [threading.Thread(target=closed_loop, args=(hammer, window, 0.5, quick))]
        if not think:
            threads = [
                threading.Thread(target=closed_loop, args=(crowd + hammer, window, 0.5, quick))
            ]
        for each in threads:
            each.start()
        if think:
            open_loop(
                think_time_events(crowd, window),
                lambda scheduled, o: save(http, o, tally, retries=3, scheduled=scheduled),
            )
        for each in threads + [thread]:
            each.join()
    lost, checked, sent = lost_answers(crowd + hammer)
    load = (
        f"{len(crowd)} officers at 30–90 s + {len(hammer)} at 0–0.5 s"
        if think
        else f"{len(crowd) + len(hammer)} officers at 0–0.5 s"
    )
    print(
        f"{label}: worker kill run, {window:.0f} s, {len(tally.latencies)} saves ({load}),"
        f" {len(killed)} workers SIGKILLed at {', '.join(f'{k[0]:.0f}' for k in killed)} s;"
        f" connections dropped {tally.first_try_failures}, saves failed after 3 retries"
        f" {tally.errors}, 'database is locked' {tally.locked},"
        f" p95 {pct(tally.latencies, 0.95):.0f} ms; {meter.summary(len(tally.latencies))}",
        flush=True,
    )
    print(
        f"{label}: lost answers {lost} of {checked} answers checked ({sent} saves sent in all,"
        f" {len(killed)} worker kills) (target 0); {load_average()}",
        flush=True,
    )
    return lost, checked


def record(args, name: str, value: float, unit: str, target: str, met: bool) -> None:
    """A figure for bench/results.json, named `<--record prefix>_<name>` (only with --record)."""
    if not args.record:
        return
    sys.path.insert(0, str(ROOT / "bench"))
    from _results import result_record

    result_record(f"{args.record}_{name}", value, unit, target, met)


def part_sqlite(args) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    setup_django(f"sqlite:///{SQLITE_PATH}")
    officers, extras, exam = prepare(args.sqlite_officers)
    label = "SQLite"
    log = TMP / "quizzes-bench-gunicorn-sqlite.log"
    with Server(PORTS["sqlite"], log, args.gunicorn_args) as server:
        exam_start(server, officers, exam, 5, label)
        ensure_attempts(officers + extras, exam)
        load_slots(officers + extras)

        http = Http(server.port)
        tally = Tally()
        with Meter(server) as meter:
            elapsed = closed_loop(officers, 30, 0.5, lambda o: save(http, o, tally))
        lat = tally.latencies
        print(
            f"{label}: {len(officers)} concurrent officers saving, 0–0.5 s between saves,"
            f" {elapsed:.0f} s: {len(lat)} saves, {len(lat) / elapsed:.0f}/s, p50"
            f" {pct(lat, 0.5):.0f} ms, p95 {pct(lat, 0.95):.0f} ms (no latency target on"
            f" SQLite); {meter.summary(len(lat))}",
            flush=True,
        )
        print(
            f"{label}: 'database is locked' errors {tally.locked} of {len(lat)} saves (target 0);"
            f" {load_average()}",
            flush=True,
        )
        print(
            f"{label}: save errors of any kind {tally.errors} (target 0): {tally.error_summary()}",
            flush=True,
        )
        print_throughput(server, extras, label, target=False)
        kill_run(server, officers, extras, 45, args.kills, False, label)


def part_postgres(args) -> None:
    import psycopg

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "pgsql://")):
        base = PG_DEFAULT
    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    url = urlunsplit(parts._replace(path=f"/{PG_DB}"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable ({error}); PostgreSQL parts skipped")
        return
    phases = set(args.phases.split(","))
    try:
        setup_django(url)
        officers, extras, exam = prepare(args.officers, args.layout)
        label = f"PostgreSQL ({args.layout.replace('_', ' ')})"
        log = TMP / "quizzes-bench-gunicorn-postgres.log"
        with Server(PORTS["postgres"], log, args.gunicorn_args, workers=args.workers) as server:
            if "start" in phases:
                p95, errors = exam_start(server, officers, exam, args.start_window, label)
                record(args, "start_p95_ms", p95, "ms", "< 2000", p95 < 2000)
                record(args, "start_errors", errors, "count", "0", errors == 0)
            ensure_attempts(officers + extras, exam)
            load_slots(officers + extras)

            if "steady" in phases:
                tally = steady_saves(server, officers, args.window, label)
                lat = tally.latencies
                print(
                    f"{label}: save p50 {pct(lat, 0.5):.0f} ms, p95 {pct(lat, 0.95):.0f} ms,"
                    f" p99 {pct(lat, 0.99):.0f} ms, max {pct(lat, 1):.0f} ms"
                    f" ({len(officers)} officers, think 30–90 s) (target p95 < 300 ms);"
                    f" {load_average()}",
                    flush=True,
                )
                print(
                    f"{label}: save errors {tally.errors} of {len(lat)} (target 0):"
                    f" {tally.error_summary()}",
                    flush=True,
                )
                record(args, "save_p95_ms", pct(lat, 0.95), "ms", "< 300", pct(lat, 0.95) < 300)
                record(args, "save_errors", tally.errors, "count", "0", tally.errors == 0)
            if "pages" in phases:
                pages, saves = steady_pages(server, officers, args.window, label)
                for kind, tally in (("page", pages), ("save", saves)):
                    lat = tally.latencies
                    print(
                        f"{label}: {kind} p50 {pct(lat, 0.5):.0f} ms, p95 {pct(lat, 0.95):.0f} ms,"
                        f" max {pct(lat, 1):.0f} ms, errors {tally.errors} of {len(lat)}"
                        f" (target p95 < {2000 if kind == 'page' else 300} ms, 0 errors):"
                        f" {tally.error_summary()}; {load_average()}",
                        flush=True,
                    )
                page95, save95 = pct(pages.latencies, 0.95), pct(saves.latencies, 0.95)
                record(args, "page_p95_ms", page95, "ms", "< 2000", page95 < 2000)
                record(args, "page_save_p95_ms", save95, "ms", "< 300", save95 < 300)
                errors = pages.errors + saves.errors
                record(args, "page_errors", errors, "count", "0", errors == 0)
            if "throughput" in phases:
                print_throughput(server, extras, label, target=True)
            if "kill" in phases:
                lost, _checked = kill_run(
                    server, officers, extras, args.kill_window, args.kills + 1, True, label
                )
                record(args, "lost_answers", lost, "count", "0", lost == 0)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true", help="also run the PostgreSQL parts")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--officers", type=int, default=1100, help="PostgreSQL crowd")
    parser.add_argument("--sqlite-officers", type=int, default=50)
    parser.add_argument("--window", type=float, default=180, help="P2 answering window, s")
    parser.add_argument("--start-window", type=float, default=60, help="P1 exam start, s")
    parser.add_argument("--kill-window", type=float, default=120, help="P4 window, s")
    parser.add_argument("--kills", type=int, default=3, help="worker kills (P4: one more)")
    parser.add_argument(
        "--phases",
        default="start,steady,throughput,kill",
        help="PostgreSQL phases to run (comma-separated; also: pages)",
    )
    parser.add_argument(
        "--gunicorn-args",
        default="",
        help="extra gunicorn options after the config file, e.g. '--preload --max-requests 0'",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep bench_quizzes afterwards")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn sync workers of the PostgreSQL parts"
    )
    parser.add_argument(
        "--layout",
        choices=["one_per_page", "all_on_one_page"],
        default="one_per_page",
        help="the exam's layout (the shipped default is all_on_one_page)",
    )
    parser.add_argument(
        "--record", default="", help="name prefix of the figures written to bench/results.json"
    )
    parser.add_argument("--part", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.part == "sqlite":
        part_sqlite(args)
        return 0
    if args.part == "postgres":
        part_postgres(args)
        return 0

    postgres = args.postgres or os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://", "pgsql://")
    )
    parts = ([] if args.skip_sqlite else ["sqlite"]) + (["postgres"] if postgres else [])
    status = 0
    for part in parts:
        print(f"--- {part} --- {load_average()}", flush=True)
        command = [sys.executable, __file__, "--part", part, *sys.argv[1:]]
        try:
            result = subprocess.run(command, cwd=ROOT, timeout=PART_TIME_LIMIT_S, check=False)  # noqa: S603
        except subprocess.TimeoutExpired:
            print(f"{part}: did not finish within {PART_TIME_LIMIT_S // 60} min")
            status = 1
            continue
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
