"""Killing gunicorn workers in the middle of a quiz loses no acknowledged answer.

gunicorn (site/gunicorn.conf.py, 2 sync workers) serves a scratch database. Officers,
each in a thread, save answers one after another through the autosave endpoint, and
resend a save whose connection dropped, as the attempt page does. Meanwhile one worker
at a time is SIGKILLed, gunicorn replaces it, and saves must succeed again before the
next kill. Afterwards every answer the server acknowledged is looked up in the database.
"""

import json
import random
import threading
import time
from dataclasses import dataclass, field

import pytest

from tests.faults.harness import DROPPED, Gunicorn, log_tail, run_scratch, server_env, wait_for

KILLS = 10
OFFICERS = 6
SAVES_BETWEEN_KILLS = 3  # acknowledged saves needed after each kill before the next one
RESEND_LIMIT = 40  # resends of one save whose connection dropped (0.25 s apart)


@dataclass
class Officer:
    session: str
    public_id: str = ""
    slots: dict = field(default_factory=dict)  # position -> (qtype, number of options)
    seq: int = 0
    sent: dict = field(default_factory=dict)  # seq -> (position, answer)
    acknowledged: dict = field(default_factory=dict)  # position -> newest acknowledged seq

    def next_answer(self, rng: random.Random) -> tuple[int, int, object]:
        self.seq += 1
        position = rng.choice(sorted(self.slots))
        qtype, options = self.slots[position]
        if qtype == "essay":
            answer = f"第{self.seq}次作答：应当告知当事人陈述、申辩的权利。"
        elif qtype == "multiple":
            answer = sorted(rng.sample(range(options), rng.randint(1, options)))
        else:
            answer = rng.randrange(options)
        self.sent[self.seq] = (position, answer)
        return self.seq, position, answer


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = 0
        self.dropped = 0  # connections that failed and were resent
        self.recovered = 0  # saves acknowledged after at least one dropped connection
        self.stored_unanswered = 0  # resent saves the killed worker had stored already
        self.failures: list[str] = []

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def autosave(server: Gunicorn, officer: Officer, tally: Tally, rng, stop: threading.Event):
    """An officer's thread: every exception is recorded as a failure for the test to report,
    so none escapes the thread unhandled (connections cut by a kill come back DROPPED)."""
    try:
        save_answers(server, officer, tally, rng, stop)
    except Exception as error:
        tally.fail(f"officer {officer.public_id}: {error!r}")


def save_answers(server: Gunicorn, officer: Officer, tally: Tally, rng, stop: threading.Event):
    """Save answers until told to stop; each save is resent until it gets an answer."""
    path = f"/quizzes/attempt/{officer.public_id}/answer/"
    while not stop.is_set():
        seq, position, answer = officer.next_answer(rng)
        resends = 0
        while True:
            status, body, _location = server.http.request(
                "POST", path, officer.session, {"q": position, "a": answer, "seq": seq}
            )
            if status != DROPPED or resends == RESEND_LIMIT:
                break
            resends += 1
            tally.add(dropped=1)
            time.sleep(0.25)
        if status != 200:
            tally.fail(f"save {seq} of {officer.public_id}: {status} {body[:200]!r}")
            return
        data = json.loads(body)
        # A resent save that the killed worker had already stored is answered "stale" with
        # its own sequence number: stored all the same.
        resent_stored = data.get("status") == "stale" and data.get("seq") == seq
        if data.get("status") == "saved" or resent_stored:
            officer.acknowledged[position] = seq
            tally.add(
                acknowledged=1,
                recovered=int(resends > 0),
                stored_unanswered=int(resent_stored and resends > 0),
            )
        else:
            tally.fail(f"save {seq} of {officer.public_id}: unexpected answer {data}")
            return
        time.sleep(rng.uniform(0, 0.05))


def lost_answers(officers: list[Officer], slots: list[dict]) -> tuple[list[str], int]:
    """(problems, answers checked): the database must hold, for every question an officer
    had an answer acknowledged for, that answer or a newer one the same officer sent."""
    stored = {(s["attempt"], s["position"]): s for s in slots}
    problems, checked = [], 0
    for officer in officers:
        for position, seq in officer.acknowledged.items():
            checked += 1
            slot = stored[(officer.public_id, position)]
            where = f"attempt {officer.public_id} question {position}"
            if slot["seq"] < seq:
                problems.append(f"{where}: seq {seq} acknowledged, database has {slot['seq']}")
                continue
            sent_position, answer = officer.sent.get(slot["seq"], (None, None))
            if sent_position != position:
                problems.append(f"{where}: database seq {slot['seq']} was never sent for it")
            elif slot["qtype"] == "essay":
                if slot["text"] != answer:
                    problems.append(f"{where}: text {slot['text']!r}, sent {answer!r}")
            else:
                indices = answer if isinstance(answer, list) else [answer]
                expected = {slot["option_order"][i] for i in indices}
                if set(slot["selected"]) != expected:
                    problems.append(f"{where}: selected {slot['selected']}, sent {expected}")
    return problems, checked


@pytest.fixture
def quiz_server(scratch_db, tmp_path):
    """gunicorn on a scratch database with a quiz and signed-in officers."""
    seeded = run_scratch("seed-quiz", scratch_db.url, "--officers", str(OFFICERS))
    server = Gunicorn(server_env(DATABASE_URL=scratch_db.url), tmp_path / "gunicorn.log")
    try:
        yield server.start(), seeded
    finally:
        server.stop()


def test_killing_gunicorn_workers_loses_no_acknowledged_answer(quiz_server, scratch_db):
    server, seeded = quiz_server
    officers = [Officer(session=key) for key in seeded["officers"]]
    for officer in officers:
        status, body, location = server.http.request(
            "POST", f"/quizzes/{seeded['quiz']}/start/", officer.session
        )
        assert status == 302 and "/quizzes/attempt/" in location, (status, body[:300])
        officer.public_id = location.rstrip("/").rsplit("/", 1)[-1]
    for slot in run_scratch("answers", scratch_db.url)["slots"]:
        owner = next(o for o in officers if o.public_id == slot["attempt"])
        owner.slots[slot["position"]] = (slot["qtype"], len(slot["option_order"]))
    assert all(len(o.slots) == 5 for o in officers)

    tally, stop = Tally(), threading.Event()
    seed = random.randrange(1 << 30)  # noqa: S311 - load pattern, not security
    threads = [
        threading.Thread(
            target=autosave,
            args=(server, officer, tally, random.Random(seed + i), stop),  # noqa: S311
            daemon=True,
        )
        for i, officer in enumerate(officers)
    ]
    kills = []  # (victim, workers after, seconds to respawn, saves acknowledged after)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        rng = random.Random(seed)  # noqa: S311
        for _kill in range(KILLS + 1):
            floor = tally.acknowledged
            wait_for(
                lambda floor=floor: (
                    tally.failures or tally.acknowledged >= floor + SAVES_BETWEEN_KILLS
                ),
                90,
                f"{SAVES_BETWEEN_KILLS} saves after kill {len(kills)}",
            )
            assert not tally.failures, tally.failures[:5]
            if kills:
                kills[-1][3] = tally.acknowledged - floor
            if len(kills) == KILLS:
                break
            before = server.workers()
            assert len(before) == Gunicorn.WORKERS, before
            victim = rng.choice(before)
            time.sleep(rng.uniform(0, 0.3))  # land anywhere in a request
            respawn = server.kill_worker(victim)
            kills.append([victim, server.workers(), respawn, 0])
    except AssertionError as exc:
        raise AssertionError(f"{exc}\ngunicorn log:\n{log_tail(server.log_path)}") from None
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    elapsed = time.monotonic() - started
    assert not any(thread.is_alive() for thread in threads), "an officer's save never finished"
    assert not tally.failures, f"{tally.failures[:5]}\ngunicorn log:\n{log_tail(server.log_path)}"

    # Each kill took a worker that gunicorn replaced with a new process.
    assert len(kills) == KILLS
    for victim, after, _respawn, saves_after in kills:
        assert victim not in after and len(after) == Gunicorn.WORKERS
        assert saves_after >= SAVES_BETWEEN_KILLS
    assert len({victim for victim, *_ in kills}) == KILLS

    problems, checked = lost_answers(officers, run_scratch("answers", scratch_db.url)["slots"])
    assert not problems, problems[:10]
    assert checked == sum(len(o.acknowledged) for o in officers) and checked >= OFFICERS
    print(
        f"gunicorn kills: {len(kills)} workers SIGKILLed in {elapsed:.0f} s (respawn max"
        f" {max(k[2] for k in kills):.1f} s); {tally.acknowledged} saves acknowledged,"
        f" {tally.dropped} dropped connections resent, {tally.recovered} saves acknowledged"
        f" after a resend ({tally.stored_unanswered} of them stored before the worker died);"
        f" {checked} acknowledged answers verified in the database, 0 lost"
    )
