"""Killing the Celery worker during the daily reminder task sends nothing twice.

A real worker (`celery worker`, prefork with one pool process, acks late, on a private
Redis) runs `certification.reminders_daily` for a few hundred at-risk officers on a
scratch database; each reminder is slowed down a little (tests/faults/worker_app.py) so
the run takes seconds. While it runs, the worker is killed again and again: mostly its
pool process (the main process sees the loss and puts the task back on the queue), and
now and then the main process itself (the task comes back when the broker's visibility
timeout has passed and a new worker starts). Afterwards:

- the task finished (its result arrives),
- every reminder the status rules call for exists exactly once per officer, reason and
  week, with exactly one in-app notification,
- no email went out twice (an email is sent after its reminder commits, so a kill
  between the two may lose one, never repeat one).
"""

import email
import random
import time
from collections import Counter

from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeout

from certification.models import ReminderSent
from tests.faults.harness import CeleryWorker, log_tail, run_scratch, server_env, wait_for

OFFICERS = 200
REMINDER_DELAY = 0.025  # seconds added inside each reminder's transaction
VISIBILITY_TIMEOUT = 3  # seconds, for the broker; production keeps the default (1 hour)
KILLS = ("pool", "pool", "main", "pool", "pool", "main", "pool", "pool", "main", "pool")


def emails_sent(folder) -> Counter:
    """How many emails each address received, from the file-based mail backend's files."""
    received: Counter = Counter()
    for path in sorted(folder.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                # A message cut short by a kill may lack its headers: still one email.
                received[email.message_from_bytes(chunk)["To"] or "(cut short)"] += 1
    return received


def test_killing_the_worker_mid_run_sends_no_reminder_twice(scratch_db, private_redis, tmp_path):
    seeded = run_scratch("seed-reminders", scratch_db.url, "--officers", str(OFFICERS))
    expected = {(user, reason) for user, reason in seeded["expected"]}
    assert len(expected) == OFFICERS + 2  # one at-risk reason each, and two digests
    mail = tmp_path / "mail"
    mail.mkdir()
    worker = CeleryWorker(
        server_env(
            DJANGO_SETTINGS_MODULE="tests.faults.worker_settings",
            DATABASE_URL=scratch_db.url,
            CACHE_URL=private_redis.url(2),
            CELERY_BROKER_URL=private_redis.url(0),
            CELERY_RESULT_BACKEND=private_redis.url(1),
            CELERY_TASK_ALWAYS_EAGER="false",
            CELERY_BROKER_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
            EMAIL_FILE_PATH=str(mail),
            FAULTS_REMINDER_DELAY=str(REMINDER_DELAY),
        ),
        tmp_path / "worker.log",
        app="tests.faults.worker_app",
    )
    client = Celery(
        "faults-client",
        broker=private_redis.url(0),
        backend=private_redis.url(1),
        set_as_current=False,
    )
    client.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"])
    table = ReminderSent._meta.db_table
    rng = random.Random()  # noqa: S311 - kill timing, not security
    kills = []  # (kind, reminders in the database at the kill)
    started = time.monotonic()
    try:
        worker.start()
        result = client.send_task("certification.reminders_daily")
        for kind in KILLS:
            floor = scratch_db.count(table)
            # Kill only once this run has written something new, at a random moment after.
            wait_for(
                lambda floor=floor: scratch_db.count(table) > floor,
                120,
                f"the task to make progress after {len(kills)} kills",
                interval=0.05,
            )
            time.sleep(rng.uniform(0, 0.3))
            at_kill = scratch_db.count(table)
            assert not result.ready() and at_kill < len(expected), (
                f"the task finished after only {len(kills)} kills: make the run longer"
            )
            if kind == "pool":
                worker.kill_pool_process()
            else:
                killed_at = time.monotonic()
                worker.kill_main()
                # The task is handed out again once it has been invisible that long.
                time.sleep(max(0, killed_at + VISIBILITY_TIMEOUT + 0.5 - time.monotonic()))
                worker.start()
            kills.append((kind, at_kill))
        outcome = result.get(timeout=180)
    except (AssertionError, CeleryTimeout) as exc:
        raise AssertionError(f"{exc!r}\nworker log:\n{log_tail(worker.log_path)}") from None
    finally:
        worker.stop()
        client.close()
    elapsed = time.monotonic() - started

    assert len(kills) == len(KILLS) >= 10
    assert Counter(kind for kind, _ in kills) == Counter(KILLS) == {"pool": 7, "main": 3}
    # Every kill landed mid-run: some reminders written, not all.
    assert all(0 < at_kill < len(expected) for _kind, at_kill in kills)
    # The final run found most reminders already sent by the runs it replaced.
    assert outcome["skipped"] >= kills[-1][1] and outcome["sent"] + outcome["skipped"] == len(
        expected
    )

    state = run_scratch("reminders", scratch_db.url)
    markers = Counter(tuple(row) for row in state["sent"])
    assert all(n == 1 for n in markers.values())
    assert {(user, reason) for user, reason, _week in markers} == expected
    # One marker per officer and reason, unless the run crossed into a new ISO week.
    weeks = {week for *_, week in markers}
    assert len(weeks) == 1 and len(markers) == len(expected) or len(weeks) == 2
    notices = Counter(user for user, _title, _at in state["notifications"])
    per_user = Counter(user for user, _reason, _week in markers)
    assert notices == per_user

    received = emails_sent(mail)
    assert all(n <= len(weeks) for n in received.values()), received.most_common(3)
    assert set(received) <= {f"remind{i:04d}@faults.example" for i in range(OFFICERS)} | {
        "remind-sup0@faults.example",
        "remind-sup1@faults.example",
        "(cut short)",
    }
    lost = len(markers) - sum(received.values())
    assert 0 <= lost <= len(kills), f"{lost} emails lost in {len(kills)} kills"
    print(
        f"celery kills: {len(kills)} ({Counter(k for k, _ in kills)}) during one"
        f" reminders_daily run in {elapsed:.0f} s, {worker.starts} worker starts;"
        f" reminders at each kill {[n for _k, n in kills]} of {len(expected)};"
        f" final run {outcome}; {len(markers)} reminders and notifications, each once;"
        f" {sum(received.values())} emails, none twice, {lost} lost to a kill"
    )
