"""Set up and read back a scratch database for the fault-injection tests, in a subprocess.

The servers under test (gunicorn, Celery) run against a database of their own, so the
test process never opens it through Django: it runs this module with DATABASE_URL set
and reads one JSON document from stdout.

    DATABASE_URL=... python -m tests.faults.scratch migrate
    DATABASE_URL=... python -m tests.faults.scratch seed-quiz --officers 6
    DATABASE_URL=... python -m tests.faults.scratch answers
    DATABASE_URL=... python -m tests.faults.scratch seed-reminders --officers 300
    DATABASE_URL=... python -m tests.faults.scratch reminders
"""

import argparse
import datetime
import json
import os
import sys
from pathlib import Path


def _setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def _sessions(users) -> list[str]:
    """A signed-in session per user, written straight into the session table."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    expires = timezone.now() + datetime.timedelta(days=1)
    rows = [
        Session(
            session_key=get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789"),
            session_data=SessionStore().encode(
                {
                    SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
                    HASH_SESSION_KEY: user.get_session_auth_hash(),
                }
            ),
            expire_date=expires,
        )
        for user in users
    ]
    Session.objects.bulk_create(rows)
    return [row.session_key for row in rows]


def migrate(_args) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return {"migrated": True}


def seed_quiz(args) -> dict:
    """A township with officers (each signed in), a supervisor, and a quiz of choice and
    essay questions in a fixed order, no time limit. Attempts are started over HTTP."""
    from django.db import transaction

    from people.factories import StaffFactory, UnitFactory
    from people.models import Role, UnitKind
    from people.services import officer_create
    from quizzes.factories import QuestionFactory, QuizFactory
    from quizzes.models import QuestionType

    with transaction.atomic():
        city = UnitFactory(name="故障市", kind=UnitKind.CITY, code="FLT")
        county = UnitFactory(name="故障县", kind=UnitKind.COUNTY, parent=city, code="FLT-C")
        town = UnitFactory(name="故障镇", kind=UnitKind.TOWNSHIP, parent=county, code="FLT-T")
        questions = [
            QuestionFactory(qtype=QuestionType.SINGLE),
            QuestionFactory(qtype=QuestionType.MULTIPLE),
            QuestionFactory(qtype=QuestionType.ESSAY),
            QuestionFactory(qtype=QuestionType.SINGLE),
            QuestionFactory(qtype=QuestionType.ESSAY),
        ]
        quiz = QuizFactory(title="故障注入测验", questions=questions, attempts_allowed=0)
        officers = [
            officer_create(username=f"fault{i:03d}", full_name=f"故障警员{i:03d}", unit=town)
            for i in range(args.officers)
        ]
        supervisor = StaffFactory(
            username="fault-supervisor", role=Role.TOWNSHIP_SUPERVISOR, unit=town
        )
        sessions = _sessions([*officers, supervisor])
    return {
        "quiz": quiz.pk,
        "unit": town.code,
        "officers": sessions[:-1],
        "supervisor": sessions[-1],
    }


def answers(_args) -> dict:
    """Every question slot of every attempt: what the database holds now."""
    from quizzes.models import AttemptQuestion

    rows = AttemptQuestion.objects.values_list(
        "attempt__public_id",
        "position",
        "question__qtype",
        "option_order",
        "seq",
        "selected",
        "text",
    )
    return {
        "slots": [
            {
                "attempt": str(public_id),
                "position": position,
                "qtype": qtype,
                "option_order": order,
                "seq": seq,
                "selected": selected,
                "text": text,
            }
            for public_id, position, qtype, order, seq, selected, text in rows
        ]
    }


def seed_reminders(args) -> dict:
    """Officers whose certificates expire within the at-risk window (each with an email
    address and this year's hours), and township supervisors who get the weekly digest.
    Returns the reminders a complete run of the daily task must send, from the status
    rules themselves: (user id, reason code) for every at-risk reason of every officer,
    and a digest per supervisor."""
    from django.db import transaction
    from django.utils import timezone

    from certification.factories import certificate, fields_create, hours_add
    from certification.selectors import credential_status
    from people.factories import StaffFactory, UnitFactory
    from people.models import Role, UnitKind
    from people.services import officer_create

    today = timezone.localdate()
    with transaction.atomic():
        fields_create("water")
        city = UnitFactory(name="提醒市", kind=UnitKind.CITY, code="RMD")
        county = UnitFactory(name="提醒县", kind=UnitKind.COUNTY, parent=city, code="RMD-C")
        towns = [
            UnitFactory(name=f"提醒镇{t}", kind=UnitKind.TOWNSHIP, parent=county, code=f"RMD-T{t}")
            for t in range(2)
        ]
        officers = []
        for i in range(args.officers):
            officer = officer_create(
                username=f"remind{i:04d}", full_name=f"提醒警员{i:04d}", unit=towns[i % 2]
            )
            officer.email = f"remind{i:04d}@faults.example"
            officer.save(update_fields=["email"])
            # Issued weeks ago, so yesterday's status is the same as today's: the only
            # reminders are the at-risk ones.
            certificate(
                officer,
                issued_on=today - datetime.timedelta(days=40),
                expires_on=today + datetime.timedelta(days=30 + i % 60),
                fields=("water",),
            )
            hours_add(officer, 60, on=today)
            officers.append(officer)
        supervisors = []
        for t, town in enumerate(towns):
            supervisor = StaffFactory(
                username=f"remind-sup{t}", role=Role.TOWNSHIP_SUPERVISOR, unit=town
            )
            supervisor.email = f"remind-sup{t}@faults.example"
            supervisor.save(update_fields=["email"])
            supervisors.append((supervisor, town))
    expected = []
    for officer in officers:
        status = credential_status(officer=officer, on=today)
        expected += [[officer.pk, reason.code] for reason in status.reasons]
    expected += [[supervisor.pk, f"digest:{town.pk}"] for supervisor, town in supervisors]
    return {"expected": expected, "today": today.isoformat()}


def reminders(_args) -> dict:
    """Every reminder marker and in-app notification in the database."""
    from certification.models import Notification, ReminderSent

    return {
        "sent": [
            list(row) for row in ReminderSent.objects.values_list("user_id", "reason_code", "week")
        ],
        "notifications": [
            list(row) for row in Notification.objects.values_list("user_id", "title", "created_at")
        ],
    }


COMMANDS = {
    "migrate": migrate,
    "seed-quiz": seed_quiz,
    "answers": answers,
    "seed-reminders": seed_reminders,
    "reminders": reminders,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--officers", type=int, default=6)
    args = parser.parse_args()
    _setup()
    result = COMMANDS[args.command](args)
    sys.stdout.write(json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main()
