"""Benchmark: the answer autosave endpoint under concurrent officers (loopback only).

Runs against gunicorn (2 workers) on 127.0.0.1 with its own database (SQLite at
/tmp/quizzes-bench.sqlite3 unless DATABASE_URL is set), bounded in time:

1. N officers (default 50) with an attempt each save answers concurrently for D seconds
   (think time 0–THINK seconds): p50/p95 latency, errors, "database is locked" errors.
2. Throughput of the save endpoint vs a trivial Django view (a 404 through the full
   middleware stack), same threads, no think time.
3. Zero lost answers: every save answered "saved" is in the database afterwards.

    .venv/bin/python bench/quizzes_save_load.py [--officers 50] [--seconds 20] [--think 0.5]
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/quizzes-bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "False"
PORT = 8190
CSRF = "b" * 32


def prepare(n: int):
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from people.factories import UnitFactory
    from people.models import OrgUnit, UnitKind
    from people.services import officer_create
    from quizzes import services
    from quizzes.factories import QuestionCategoryFactory, QuestionFactory, QuizFactory
    from quizzes.models import Attempt

    call_command("migrate", verbosity=0)
    city = OrgUnit.objects.filter(code="BENCH").first() or UnitFactory(
        name="压测市", kind=UnitKind.CITY, code="BENCH"
    )
    county = OrgUnit.objects.filter(code="BENCH-C").first() or UnitFactory(
        name="压测县", kind=UnitKind.COUNTY, parent=city, code="BENCH-C"
    )
    town = OrgUnit.objects.filter(code="BENCH-T").first() or UnitFactory(
        name="压测镇", kind=UnitKind.TOWNSHIP, parent=county, code="BENCH-T"
    )
    category = QuestionCategoryFactory(name=f"压测{time.time_ns()}")
    quiz = QuizFactory(questions=[QuestionFactory(category=category) for _ in range(20)])
    officers = []
    for i in range(n):
        username = f"bench_{quiz.pk}_{i}"
        officers.append(officer_create(username=username, full_name=username, unit=town))
    sessions = []
    for officer in officers:
        attempt = services.attempt_start(quiz=quiz, user=officer)
        store = SessionStore()
        store[SESSION_KEY] = str(officer.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
        store[HASH_SESSION_KEY] = officer.get_session_auth_hash()
        store.save()
        sessions.append((store.session_key, str(attempt.public_id)))
    return sessions, Attempt


def request(path: str, session: str, body: dict | None = None):
    headers = {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 - loopback only
            payload = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        payload, status = error.read(), error.code
    except Exception as error:  # connection refused/reset: count as an error
        payload, status = str(error).encode(), 599
    return status, payload, time.perf_counter() - started


def run(sessions, seconds: float, think: float, trivial: bool = False):
    stop = time.monotonic() + seconds
    latencies, errors, locked, saved = [], [0], [0], {}
    lock = threading.Lock()

    def officer(session, public_id):
        seq = 0
        rng = random.Random(public_id)  # noqa: S311 - load pattern, not security
        while time.monotonic() < stop:
            if trivial:
                status, payload, took = request("/quizzes/bench-trivial-404/", session)
                ok = status == 404
            else:
                seq += 1
                position = rng.randint(1, 20)
                answer = rng.randint(0, 3)
                status, payload, took = request(
                    f"/quizzes/attempt/{public_id}/answer/",
                    session,
                    {"q": position, "a": answer, "seq": seq},
                )
                ok = status == 200
                if ok and json.loads(payload).get("status") == "saved":
                    with lock:
                        saved[(public_id, position)] = (seq, answer)
            with lock:
                latencies.append(took)
                if not ok:
                    errors[0] += 1
                    if b"locked" in payload:
                        locked[0] += 1
            if think:
                time.sleep(rng.uniform(0, think))

    threads = [threading.Thread(target=officer, args=s) for s in sessions]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return latencies, errors[0], locked[0], saved, elapsed


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--think", type=float, default=0.5)
    args = parser.parse_args()

    sessions, Attempt = prepare(args.officers)
    env = dict(os.environ)
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--env",
            "LOG_LEVEL=ERROR",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accounts/login/", timeout=1)  # noqa: S310
                break
            except Exception:
                time.sleep(0.2)
        lat, errors, locked, saved, elapsed = run(sessions, args.seconds, args.think)
        print(
            f"DB: {os.environ['DATABASE_URL'].split(':')[0]}, gunicorn 2 workers, {args.officers} officers, think 0–{args.think}s, {elapsed:.0f}s"
        )
        print(
            f"save: {len(lat)} requests, {len(lat) / elapsed:.0f} req/s, p50 {pct(lat, 0.5):.0f} ms, p95 {pct(lat, 0.95):.0f} ms (target < 300 ms)"
        )
        print(f"save errors: {errors} (target 0), 'database is locked': {locked} (target 0)")

        short = max(5.0, args.seconds / 2)
        lat_t, err_t, _l, _s, el_t = run(sessions, short, 0, trivial=True)
        lat_s, err_s, _l, saved2, el_s = run(sessions, short, 0)
        saved.update(saved2)
        trivial_rps, save_rps = len(lat_t) / el_t, len(lat_s) / el_s
        print(
            f"throughput: trivial view {trivial_rps:.0f} req/s, save {save_rps:.0f} req/s, ratio {save_rps / trivial_rps:.2f} (target ≥ 0.50); errors {err_t}/{err_s}"
        )

        from quizzes.models import AttemptQuestion

        slots = {
            (str(pid), pos): (seq, selected, order)
            for pid, pos, seq, selected, order in AttemptQuestion.objects.filter(
                attempt__public_id__in=[p for _s, p in sessions]
            ).values_list("attempt__public_id", "position", "seq", "selected", "option_order")
        }
        lost = 0
        for key, (seq, answer) in saved.items():
            db_seq, selected, order = slots[key]
            if db_seq != seq or selected != [order[answer]]:
                lost += 1
        print(f"lost answers: {lost} of {len(saved)} last-saved answers checked (target 0)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
