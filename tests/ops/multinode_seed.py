"""Seed the multi-node test's database, in a subprocess (as tests/faults/scratch.py).

    DATABASE_URL=... python -m tests.ops.multinode_seed --officers 3 --password ...

The quiz, township, officers and supervisor of `tests.faults.scratch seed-quiz`, with a
password each, so that they sign in through nginx like anyone else.
"""

import argparse
import json
import sys

from tests.faults import scratch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--officers", type=int, default=3)
    parser.add_argument("--password", required=True)
    args = parser.parse_args()
    scratch._setup()
    from people.models import User

    seeded = scratch.seed_quiz(args)
    users = User.objects.filter(username__startswith="fault")
    for user in users:
        user.set_password(args.password)
        user.save(update_fields=["password"])
    seeded["usernames"] = sorted(users.values_list("username", flat=True))
    sys.stdout.write(json.dumps(seeded) + "\n")


if __name__ == "__main__":
    main()
