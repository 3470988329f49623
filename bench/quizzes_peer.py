"""Benchmark: this project's exam requests beside django-quiz-app 0.5.1's, side by side.

django-quiz-app is the quiz package this project was first sketched around. Its last
release runs only on Django 1.8, so the benchmark builds it in a scratch virtual
environment of its own (Python 3.6 from pyenv, `PEER_PACKAGES` below, pinned), writes a
small host project for it (the package ships no migrations: they are generated there), and
serves both projects with gunicorn, 2 sync workers each, on 127.0.0.1, against the same
PostgreSQL (two scratch databases, dropped at the end), driven by the same load client
(`quizzes_save_load.Http`). Where the old stack cannot be built (no Python 3.6, a package
the registry will not give), it says why and stops without failing `make bench`.

Each officer action is compared with its nearest equivalent:

  start    here: POST …/start/ (the draw), then GET of the first question page;
           peer: the first GET of /quiz/<url>/take/, which creates the sitting and
           renders the first question
  page     here: GET of one question's page (one question per page);
           peer: GET of /take/ (the current question)
  answer   here: "next page", the form POST of the page's answer, then GET of the next
           page; peer: POST of /take/ with the answer, which renders the next question
  save     here: the autosave (one answer, JSON); peer: the same answer POST, its only
           way to store an answer
  trivial  GET /i18n/setlang/ on both, and on this project with Django's minimal
           middleware (session, CSRF, auth) for the middleware target

Each is a closed loop of CLIENTS threads for SECONDS seconds, alternated (here, peer,
here, peer) so that noise on this shared machine falls on both. Figures: actions per
second, gunicorn CPU per action (workers and master) and PostgreSQL CPU per action (the
postmaster and its backends). Ratios go to bench/results.json as peer_*:
CPU here ÷ CPU of the peer per action (target ≤ 1: no exam request costs more than its
nearest equivalent), and autosaves per second here ÷ answer POSTs per second of the peer.

    .venv/bin/python bench/quizzes_peer.py [--seconds 8] [--clients 8]

PostgreSQL only (DATABASE_URL, or 127.0.0.1:5432 user postgres). About 10 minutes the
first time (building the old stack, migrating), 6 after.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import quizzes_save_load as load  # noqa: E402 - after the path is set
from quizzes_request_cpu import MINIMAL_MIDDLEWARE  # noqa: E402

PEER_PYTHON_VERSION = "3.6"
PEER_PACKAGES = [
    "Django==1.8.19",
    "django-quiz-app==0.5.1",
    "django-model-utils==2.0.3",
    "psycopg2-binary==2.8.6",
    "gunicorn==20.1.0",
]
WORK = Path(tempfile.gettempdir()) / "academy-peer"
DB_HERE, DB_PEER = "bench_peer_academy", "bench_peer_quizapp"
PORTS = {"here": 8192, "peer": 8193, "minimal": 8194}
QUESTIONS = 40

# --- the peer's host project (Django 1.8) --------------------------------------------------

HOST_SETTINGS = """
SECRET_KEY = "peer-benchmark-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
    "django.contrib.messages", "django.contrib.staticfiles",
    "quiz", "multichoice", "true_false", "essay",
]
# Django 1.8's `startproject` stack.
MIDDLEWARE_CLASSES = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.SessionAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
]
ROOT_URLCONF = "host.urls"
WSGI_APPLICATION = "host.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
DATABASES = {"default": {
    "ENGINE": "django.db.backends.postgresql_psycopg2",
    "NAME": %(name)r, "USER": %(user)r, "PASSWORD": %(password)r,
    "HOST": %(host)r, "PORT": %(port)r,
}}
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
"""

HOST_URLS = """
from django.conf.urls import include, url
urlpatterns = [
    url(r"^i18n/", include("django.conf.urls.i18n")),
    url(r"^quiz/", include("quiz.urls")),
]
"""

HOST_WSGI = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "host.settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""

# Run in the peer's environment: one exam of QUESTIONS four-option questions (random
# order, answers shown at the end, kept as an exam paper) and signed-in users; prints the
# session keys as JSON.
HOST_SEED = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "host.settings")
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from multichoice.models import Answer, MCQuestion
from quiz.models import Category, Quiz

users, questions = int(sys.argv[1]), int(sys.argv[2])
with transaction.atomic():
    category = Category.objects.create(category="law")
    quiz = Quiz.objects.create(
        title="exam", url="exam", category=category, random_order=True,
        answers_at_end=True, exam_paper=True, single_attempt=False, pass_mark=60,
    )
    for q in range(questions):
        question = MCQuestion.objects.create(
            content="第%d题：依照《行政处罚法》，乡镇综合行政执法机构作出下列哪项决定前，"
                    "应当告知当事人有要求听证的权利？" % (q + 1),
            explanation="依据《行政处罚法》第六十三条。", category=category,
            answer_order="none",
        )
        question.quiz.add(quiz)
        Answer.objects.bulk_create(
            Answer(question=question, content="选项%s：较大数额罚款的处罚决定" % letter,
                   correct=(i == 0))
            for i, letter in enumerate("ABCD")
        )
    User.objects.bulk_create(
        User(username="peer%05d" % i, password="!") for i in range(users)
    )
    keys = []
    for user in User.objects.filter(username__startswith="peer").order_by("pk"):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        keys.append(store.session_key)
print(json.dumps(keys))
"""

#: This project's settings with Django's minimal middleware (the list the in-process
#: profile uses), for the middleware target.
MINIMAL_SETTINGS = (
    f"from config.settings.dev import *  # noqa: F403\nMIDDLEWARE = {MINIMAL_MIDDLEWARE!r}\n"
)


class PeerUnavailable(Exception):
    """The old stack cannot be built or run here; the message says why."""


def peer_python() -> str:
    """Python 3.6: $PEER_PYTHON, else pyenv's newest 3.6, else python3.6 on the PATH."""
    if os.environ.get("PEER_PYTHON"):
        return os.environ["PEER_PYTHON"]
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        found = sorted(glob.glob(f"{root}/versions/{PEER_PYTHON_VERSION}.*/bin/python"))
        if found:
            return found[-1]
    found = shutil.which(f"python{PEER_PYTHON_VERSION}")
    if found:
        return found
    raise PeerUnavailable(
        f"no Python {PEER_PYTHON_VERSION} (set PEER_PYTHON, or install it with pyenv)"
    )


def peer_build() -> Path:
    """The peer's virtual environment, built once and kept while its packages match."""
    venv = WORK / "venv"
    marker = venv / "bench-packages.txt"
    wanted = "\n".join(PEER_PACKAGES)
    if marker.exists() and marker.read_text() == wanted:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    python = peer_python()
    steps = [
        [python, "-m", "venv", str(venv)],
        [
            str(venv / "bin/pip"),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *PEER_PACKAGES,
        ],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
        if done.returncode != 0:
            raise PeerUnavailable(f"{' '.join(step[:3])} failed: {done.stderr.strip()[-300:]}")
    marker.write_text(wanted)
    return venv


def peer_host(venv: Path, database_url: str, users: int) -> list[str]:
    """Write the host project, generate the package's migrations, migrate, seed; return
    the users' session keys."""
    parts = urlsplit(database_url)
    host = WORK / "project"
    shutil.rmtree(host, ignore_errors=True)
    (host / "host").mkdir(parents=True)
    (host / "host/__init__.py").write_text("")
    (host / "host/settings.py").write_text(
        HOST_SETTINGS
        % {
            "name": DB_PEER,
            "user": parts.username or "postgres",
            "password": parts.password or "",
            "host": parts.hostname or "127.0.0.1",
            "port": str(parts.port or 5432),
        }
    )
    (host / "host/urls.py").write_text(HOST_URLS)
    (host / "host/wsgi.py").write_text(HOST_WSGI)
    (host / "seed.py").write_text(HOST_SEED)
    python = str(venv / "bin/python")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "host.settings", "PYTHONWARNINGS": "ignore"}
    admin = [
        python,
        "-c",
        "import sys; from django.core.management import execute_from_command_line as run; run(sys.argv)",
    ]
    for step in (
        # The package ships no migrations: a scratch copy of its apps gets them.
        [*admin, "makemigrations", "quiz", "multichoice", "true_false", "essay"],
        [*admin, "migrate", "--noinput"],
    ):
        done = subprocess.run(  # noqa: S603 - the peer's own manage commands
            step, cwd=host, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        if done.returncode != 0:
            raise PeerUnavailable(f"{step[3]} failed: {done.stderr.strip()[-400:]}")
    done = subprocess.run(  # noqa: S603
        [python, "seed.py", str(users), str(QUESTIONS)],
        cwd=host,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise PeerUnavailable(f"seeding failed: {done.stderr.strip()[-400:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- measuring ---------------------------------------------------------------------------


def postgres_cpu() -> float:
    """CPU seconds of the PostgreSQL server: the postmaster, its live children and the
    children it has reaped (each request's backend, when connections are not kept)."""
    out = subprocess.run(  # noqa: S603
        ["/usr/bin/ps", "-C", "postgres", "-o", "pid=,ppid="],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    pids = {int(pid): int(ppid) for pid, ppid in zip(out[::2], out[1::2], strict=True)}
    total = 0.0
    for pid, ppid in pids.items():
        if ppid not in pids:  # a postmaster (one per cluster running)
            total += load._process_cpu(pid, children=True)
        else:
            total += load._process_cpu(pid)
    return total


class Side:
    """One server under test and the officers it knows: `fresh` have not started, the
    others have, with where they are."""

    def __init__(self, name: str, server, sessions: list[str]):
        self.name, self.server = name, server
        self.http = load.Http(server.port)
        self.fresh = deque(sessions)
        self.started: list = []
        self.lock = threading.Lock()

    def take_fresh(self):
        with self.lock:
            return self.fresh.popleft() if self.fresh else None


def run_phase(side: Side, kind: str, action, seconds: float, clients: int) -> dict:
    """Closed loop: `clients` threads repeat `action(side, thread_index, i)` (True when
    the action succeeded, None when there is nothing left to do) for `seconds`."""
    stop = time.perf_counter() + seconds
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()

    def loop(index):
        i = 0
        while time.perf_counter() < stop:
            outcome = action(side, index, i)
            i += 1
            if outcome is None:
                return
            with lock:
                counts["ok" if outcome else "errors"] += 1

    threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    meter = load.Meter(side.server)
    pg_before = postgres_cpu()
    with meter:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    pg = postgres_cpu() - pg_before
    done = max(counts["ok"], 1)
    return {
        "kind": kind,
        "side": side.name,
        "actions": counts["ok"],
        "errors": counts["errors"],
        "seconds": meter.elapsed,
        "per_s": counts["ok"] / meter.elapsed,
        "web_ms": 1000 * meter.gunicorn / done,
        "db_ms": 1000 * pg / done,
    }


ANSWER_INPUT = re.compile(r'<input[^>]*name="answers"[^>]*>')
INPUT_VALUE = re.compile(r'value="(\d+)"')


def peer_choices(html: bytes) -> list[str]:
    """The answer ids the peer's question page offers."""
    text = html.decode("utf-8", "replace")
    return [m.group(1) for tag in ANSWER_INPUT.findall(text) for m in INPUT_VALUE.finditer(tag)]


# Each action returns True (done), False (failed) or None (no officer left for it).


def here_start(side, exam_pk):
    def action(_side, _index, _i):
        session = side.take_fresh()
        if session is None:
            return None
        status, payload, location = side.http.request("POST", f"/quizzes/{exam_pk}/start/", session)
        if status != 302 or "/quizzes/attempt/" not in location:
            return False
        status, payload, _ = side.http.request("GET", urlsplit(location).path, session)
        if status != 200:
            return False
        officer = load.Officer(index=len(side.started), session=session)
        officer.public_id = location.rstrip("/").rsplit("/", 1)[-1]
        officer.page = 1
        with side.lock:
            side.started.append(officer)
        return True

    return action


def peer_start(side):
    def action(_side, _index, _i):
        session = side.take_fresh()
        if session is None:
            return None
        status, payload, _ = side.http.request("GET", "/quiz/exam/take/", session)
        choices = peer_choices(payload) if status == 200 else []
        if not choices:
            return False
        with side.lock:
            side.started.append({"session": session, "choices": choices, "answered": 0})
        return True

    return action


def per_officer(step, clients: int):
    """An action on the officers who have started, `step(side, officer, i)`; they are
    shared out among the threads so that no two use one at a time."""

    def action(side, index, i):
        mine = side.started[index::clients]
        return step(side, mine[i % len(mine)], i) if mine else None

    return action


def here_page(side, officer, i):
    page = (officer.page + i) % QUESTIONS + 1
    path = f"/quizzes/attempt/{officer.public_id}/?page={page}"
    return side.http.request("GET", path, officer.session)[0] == 200


def peer_page(side, sitting, _i):
    return side.http.request("GET", "/quiz/exam/take/", sitting["session"])[0] == 200


def here_answer(side, officer, i):
    """The form POST of the shown question's answer and "next", then the next page."""
    page = officer.page
    qtype, count = officer.slots[page]
    answer = "应当告知当事人陈述、申辩的权利。" if qtype == "essay" else str(i % count)
    nxt = page % QUESTIONS + 1
    form = [("shown", page), (f"q{page}", answer), ("go", nxt)]
    path = f"/quizzes/attempt/{officer.public_id}/save/"
    status, _, location = side.http.request("POST", path, officer.session, form=form)
    if status != 302:
        return False
    target = urlsplit(location)
    status = side.http.request("GET", f"{target.path}?{target.query}", officer.session)[0]
    officer.page = nxt
    return status == 200


def peer_answer(side, sitting, i):
    """POST of the current question's answer; the peer renders the next question."""
    if sitting["answered"] >= QUESTIONS - 1:
        return None  # the next answer would end the sitting: a result page, not an answer
    form = [("answers", sitting["choices"][i % len(sitting["choices"])])]
    status, payload, _ = side.http.request(
        "POST", "/quiz/exam/take/", sitting["session"], form=form
    )
    choices = peer_choices(payload) if status == 200 else []
    if not choices:
        return False
    sitting["choices"] = choices
    sitting["answered"] += 1
    return True


def here_save(side, officer, _i):
    """One autosave, as the attempt page sends it."""
    tally = load.Tally()
    load.save(side.http, officer, tally)
    return tally.ok == 1


def trivial(side, _index, _i):
    return side.http.trivial("none") in (204, 302)


# --- the run -----------------------------------------------------------------------------


def databases(base: str, create: bool) -> None:
    import psycopg

    parts = urlsplit(base)
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
        for name in (DB_HERE, DB_PEER):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if create:
                conn.execute(f'CREATE DATABASE "{name}"')


def report(rows: list[dict], clients: int) -> None:
    """One line per action and side (the rounds added up), then the ratios."""
    merged: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["kind"], row["side"])
        into = merged.setdefault(
            key, {"actions": 0, "errors": 0, "seconds": 0.0, "web": 0.0, "db": 0.0}
        )
        into["actions"] += row["actions"]
        into["errors"] += row["errors"]
        into["seconds"] += row["seconds"]
        into["web"] += row["web_ms"] * max(row["actions"], 1)
        into["db"] += row["db_ms"] * max(row["actions"], 1)
    figures = {}
    print(
        f"\n{'action':<10} {'server':<8} {'actions':>8} {'per s':>7} {'web CPU ms':>11} {'DB CPU ms':>10} errors"
    )
    for (kind, side), m in merged.items():
        done = max(m["actions"], 1)
        figures[(kind, side)] = {
            "per_s": m["actions"] / m["seconds"],
            "web_ms": m["web"] / done,
            "db_ms": m["db"] / done,
            "errors": m["errors"],
        }
        f = figures[(kind, side)]
        print(
            f"{kind:<10} {side:<8} {m['actions']:>8} {f['per_s']:>7.0f} {f['web_ms']:>11.2f}"
            f" {f['db_ms']:>10.2f} {m['errors']}"
        )
    print(f"({clients} client threads, closed loop, gunicorn 2 sync workers each)\n", flush=True)

    from _results import result_record

    def ratio(kind_here, kind_peer, what="web_ms"):
        here, peer = figures.get((kind_here, "here")), figures.get((kind_peer, "peer"))
        if not here or not peer or peer[what] < 0.05:  # nothing measurable to divide by
            return None
        return here[what] / peer[what]

    comparisons = [
        ("start", "start", "start: POST + first page here, first GET there"),
        ("page", "page", "question page"),
        ("answer", "answer", "next page here (POST + GET), answer POST there"),
        ("save", "answer", "autosave here, answer POST there"),
        ("trivial", "trivial", "trivial view"),
    ]
    for kind_here, kind_peer, label in comparisons:
        web = ratio(kind_here, kind_peer)
        db = ratio(kind_here, kind_peer, "db_ms")
        if web is None:
            continue
        name = f"peer_{kind_here}_cpu_ratio"
        db_text = "no database work on either" if db is None else f"{db:.2f}"
        print(
            f"{label}: server CPU here ÷ django-quiz-app {web:.2f} (target ≤ 1.00),"
            f" database CPU {db_text}",
            flush=True,
        )
        result_record(name, web, "ratio", "≤ 1.0", web <= 1.0)
        if db is not None:
            result_record(f"peer_{kind_here}_db_cpu_ratio", db, "ratio", "profile", True)
    here, peer = figures.get(("save", "here")), figures.get(("answer", "peer"))
    if here and peer:
        save_ratio = here["per_s"] / peer["per_s"]
        print(
            f"autosaves/s here ÷ answer POSTs/s of django-quiz-app {save_ratio:.2f}"
            f" ({here['per_s']:.0f} ÷ {peer['per_s']:.0f}) (target ≥ 1.00)",
            flush=True,
        )
        result_record("peer_save_ratio", save_ratio, "ratio", "≥ 1.0", save_ratio >= 1.0)
    page_ratio = ratio("page", "page")
    if page_ratio is not None:
        result_record("peer_page_cpu_ratio", page_ratio, "ratio", "≤ 1.0", page_ratio <= 1.0)
    full, minimal = figures.get(("trivial", "here")), figures.get(("trivial", "minimal"))
    if full and minimal:
        over = 100 * (full["web_ms"] / minimal["web_ms"] - 1)
        print(
            f"trivial view through gunicorn: {full['web_ms']:.2f} ms with the project's"
            f" middleware, {minimal['web_ms']:.2f} ms with Django's minimum: +{over:.0f} %"
            f" (target ≤ +20 %)",
            flush=True,
        )
        result_record("trivial_view_gunicorn_overhead_pct", over, "%", "≤ 20", over <= 20)
    errors = sum(f["errors"] for f in figures.values())
    print(f"errors in all phases: {errors} (target 0)", flush=True)
    result_record("peer_bench_errors", errors, "count", "0", errors == 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8, help="each round of each action")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--officers", type=int, default=3000, help="officers on each side")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://", "pgsql://")):
        base = load.PG_DEFAULT
    try:
        databases(base, create=True)
    except Exception as error:  # noqa: BLE001 - any failure to reach the server says the same
        print(f"PostgreSQL not reachable ({error}); the side-by-side benchmark needs it")
        return 0
    WORK.mkdir(exist_ok=True)
    try:
        started = time.perf_counter()
        try:
            venv = peer_build()
            peer_sessions = peer_host(venv, base, args.officers)
        except (PeerUnavailable, subprocess.TimeoutExpired) as error:
            print(f"django-quiz-app 0.5.1 cannot be built here: {error}; side by side skipped")
            return 0
        print(f"peer built and seeded in {time.perf_counter() - started:.0f} s", flush=True)
        load.setup_django(urlunsplit(urlsplit(base)._replace(path=f"/{DB_HERE}")))
        officers, _extras, exam = load.prepare(args.officers, "one_per_page")
        minimal_dir = WORK / "minimal"
        minimal_dir.mkdir(exist_ok=True)
        (minimal_dir / "bench_minimal_settings.py").write_text(MINIMAL_SETTINGS)
        return compare(args, venv, peer_sessions, officers, exam, minimal_dir)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep_db:
            databases(base, create=False)


def compare(args, venv, peer_sessions, officers, exam, minimal_dir) -> int:
    peer_app = [str(venv / "bin/gunicorn"), "host.wsgi:application"]
    logs = Path(tempfile.gettempdir())
    peer_env = {"DJANGO_SETTINGS_MODULE": "host.settings"}
    minimal_env = {
        "DJANGO_SETTINGS_MODULE": "bench_minimal_settings",
        "PYTHONPATH": str(minimal_dir),
    }
    with (
        load.Server(PORTS["here"], logs / "peer-bench-here.log") as here_server,
        load.Server(
            PORTS["peer"],
            logs / "peer-bench-peer.log",
            app=peer_app,
            cwd=WORK / "project",
            env=peer_env,
        ) as peer_server,
        load.Server(
            PORTS["minimal"], logs / "peer-bench-minimal.log", env=minimal_env
        ) as minimal_server,
    ):
        here = Side("here", here_server, [o.session for o in officers])
        peer = Side("peer", peer_server, peer_sessions)
        minimal = Side("minimal", minimal_server, [])
        rows = []
        n = args.clients
        plan = [
            ("start", [(here, here_start(here, exam.pk)), (peer, peer_start(peer))]),
            ("page", [(here, per_officer(here_page, n)), (peer, per_officer(peer_page, n))]),
            ("save", [(here, per_officer(here_save, n))]),
            ("answer", [(here, per_officer(here_answer, n)), (peer, per_officer(peer_answer, n))]),
            ("trivial", [(here, trivial), (peer, trivial), (minimal, trivial)]),
        ]
        for kind, sides in plan:
            for _round in range(2):
                for side, action in sides:
                    row = run_phase(side, kind, action, args.seconds, n)
                    rows.append(row)
                    print(
                        f"{kind:<8} {side.name:<8} {row['actions']:>6} in {row['seconds']:.1f} s,"
                        f" {row['web_ms']:.2f} ms web CPU, {row['db_ms']:.2f} ms DB CPU,"
                        f" {row['errors']} errors; {load.load_average()}",
                        flush=True,
                    )
            if kind == "start":
                load.load_slots(here.started)
        report(rows, n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
