"""The site keeps serving while Redis restarts.

gunicorn (site/gunicorn.conf.py, 2 sync workers) runs with Redis as its cache and as the
Celery broker, a private redis-server of the test's own. Signed-in officers load the home
page and the quiz list and save answers, a visitor reads the public powers catalogue, and
a township supervisor asks for readiness exports (a task sent to the broker). Redis is
stopped for a few seconds and started again on the same port. No request may fail:
while Redis is down the cache answers "miss" and an export that cannot be queued is
marked failed with a message; once Redis is back the site writes to its cache again and
exports are queued again.
"""

import json
import threading
import time
from collections import Counter, defaultdict

import pytest

from tests.faults.harness import (
    Gunicorn,
    log_tail,
    run_scratch,
    server_env,
    wait_for,
)

# Seconds of traffic in each phase at least, and until every kind of request has been
# answered twice in it.
PHASES = (("before", 3.0), ("down", 6.0), ("after", 5.0))
KINDS = {"home", "quizzes", "save", "public", "dashboard", "export"}
SLOW_REQUEST = 10.0  # seconds; a request slower than this counts as a failure


@pytest.fixture
def redis_site(scratch_db, private_redis, tmp_path):
    seeded = run_scratch("seed-quiz", scratch_db.url, "--officers", "2")
    server = Gunicorn(
        server_env(
            DATABASE_URL=scratch_db.url,
            CACHE_URL=private_redis.url(0),
            CELERY_BROKER_URL=private_redis.url(1),
            CELERY_TASK_ALWAYS_EAGER="false",
        ),
        tmp_path / "gunicorn.log",
    )
    try:
        yield server.start(), seeded
    finally:
        server.stop()


class Traffic:
    """Requests of every kind in turn, from a few threads; outcomes by phase."""

    def __init__(self, server: Gunicorn, seeded: dict, public_id: str):
        self.server, self.seeded, self.public_id = server, seeded, public_id
        self.phase = "before"
        self.lock = threading.Lock()
        self.outcomes: dict[str, Counter] = defaultdict(Counter)  # phase -> "kind status"
        self.slowest: dict[str, float] = defaultdict(float)
        self.exports: list[tuple[str, int]] = []  # (phase, job id)
        self.seq = 0
        self.stop = threading.Event()

    def _next_seq(self) -> int:
        with self.lock:
            self.seq += 1
            return self.seq

    def _one(self, kind: str) -> tuple[int, bytes]:
        officer, supervisor = self.seeded["officers"][0], self.seeded["supervisor"]
        http = self.server.http
        if kind == "home":
            return http.request("GET", "/", officer)[:2]
        if kind == "quizzes":
            return http.request("GET", "/quizzes/", officer)[:2]
        if kind == "save":
            seq = self._next_seq()
            body = {"q": 3, "a": f"第{seq}次作答", "seq": seq}
            status, payload, _ = http.request(
                "POST", f"/quizzes/attempt/{self.public_id}/answer/", officer, body
            )
            if status == 200 and json.loads(payload).get("status") not in ("saved", "stale"):
                return 0, payload
            return status, payload
        if kind == "public":
            return http.request("GET", "/powers/")[:2]
        if kind == "dashboard":
            return http.request(
                "GET", f"/certificate/readiness/{self.seeded['unit']}/", supervisor
            )[:2]
        # export: the dashboard's button, as its script sends it (JSON answer)
        status, payload, _ = http.request(
            "POST", f"/certificate/readiness/{self.seeded['unit']}/export/", supervisor, {}
        )
        return status, payload

    def run(self, kinds: list[str]) -> None:
        while not self.stop.is_set():
            for kind in kinds:
                phase, started = self.phase, time.monotonic()
                try:
                    status, payload = self._one(kind)
                    job = json.loads(payload)["id"] if kind == "export" and status == 200 else 0
                except Exception as exc:  # a broken answer: recorded, the traffic goes on
                    status, payload, job = 0, repr(exc).encode(), 0
                took = time.monotonic() - started
                if self.phase != phase:  # Redis changed state during the request
                    phase = "transition"
                with self.lock:
                    if job:
                        self.exports.append((phase, job))
                    self.outcomes[phase][f"{kind} {status}"] += 1
                    self.slowest[phase] = max(self.slowest[phase], took)
                    # Every request here answers 200 when all is well (no redirect to
                    # the login page, no error page, no dropped connection).
                    if status != 200 or took > SLOW_REQUEST:
                        self.outcomes[phase][f"FAILED {kind} {status} {payload[:120]!r}"] += 1
                time.sleep(0.05)

    def answered_twice(self, phase: str) -> set[str]:
        with self.lock:
            counts = Counter()
            for key, n in self.outcomes[phase].items():
                counts[key.split()[0]] += n
        return {kind for kind, n in counts.items() if n >= 2}


def test_site_keeps_serving_while_redis_restarts(redis_site, private_redis):
    server, seeded = redis_site
    officer = seeded["officers"][0]
    status, _body, location = server.http.request(
        "POST", f"/quizzes/{seeded['quiz']}/start/", officer
    )
    assert status == 302, status
    traffic = Traffic(server, seeded, location.rstrip("/").rsplit("/", 1)[-1])
    threads = [
        threading.Thread(target=traffic.run, args=(kinds,), daemon=True)
        for kinds in (["home", "quizzes", "save"], ["public", "dashboard", "export", "save"])
    ]
    for thread in threads:
        thread.start()
    try:
        for phase, seconds in PHASES:
            # Requests sent while Redis stops or starts, or that span a change, are
            # counted apart: they may find it either way.
            if phase == "down":
                traffic.phase = "stopping"
                private_redis.stop()
            elif phase == "after":
                traffic.phase = "starting"
                private_redis.start()
            traffic.phase = phase
            until = time.monotonic() + seconds
            wait_for(
                lambda phase=phase, until=until: (
                    time.monotonic() >= until and traffic.answered_twice(phase) >= KINDS
                ),
                seconds + 90,
                f"every kind of request to be answered while Redis is {phase}",
            )
    finally:
        traffic.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"

    report = {phase: dict(outcomes) for phase, outcomes in traffic.outcomes.items()}
    failures = {k: v for phase in report.values() for k, v in phase.items() if "FAILED" in k}
    assert not failures, f"{failures}\ngunicorn log:\n{log_tail(server.log_path)}"
    for phase, _seconds in PHASES:
        # Every kind of request was answered in every phase, Redis down included.
        assert {key.split()[0] for key in report[phase]} == KINDS, report

    # Exports asked for while Redis was down were refused with a message; before and
    # after, they were queued.
    states = {}
    for phase, job in traffic.exports:
        status, payload, _ = server.http.request(
            "GET", f"/certificate/exports/{job}/", seeded["supervisor"]
        )
        assert status == 200
        states.setdefault(phase, []).append(json.loads(payload))
    assert states["down"] and all(s["state"] == "failed" and s["error"] for s in states["down"])
    for phase in ("before", "after"):
        assert states[phase] and all(s["state"] == "queued" for s in states[phase]), states
    queued = {p: sum(s["state"] == "queued" for s in v) for p, v in states.items()}

    # The restarted Redis started empty: the site queues tasks and fills its cache again
    # (a process that saw Redis fail leaves it alone for a few seconds first).
    cache, broker = private_redis.client(0), private_redis.client(1)
    try:
        # Queued after the restart: every export of the "after" phase, and any that were
        # queued while Redis was starting.
        waiting = broker.llen("celery")
        assert queued["after"] <= waiting
        assert waiting <= queued["after"] + queued.get("starting", 0) + queued.get("transition", 0)

        def cache_used_again():
            server.http.request("GET", "/", officer)
            return cache.dbsize() > 0

        wait_for(cache_used_again, 30, "the site to write to the restarted Redis", interval=0.5)
    finally:
        cache.close()
        broker.close()
    print(
        "redis restart: "
        + "; ".join(
            f"{phase} {sum(report[phase].values())} requests, slowest"
            f" {traffic.slowest[phase]:.2f} s"
            for phase in report
        )
        + f"; exports queued {queued}, refused while down {len(states['down'])}"
    )
