"""Benchmark: a province's exam day on this machine, PostgreSQL only, loopback only.

20,000 officers sit one exam in one window, with the load generator on the same machine:
they press "start" at random moments of 5 minutes, then answer 30–90 s apart (about 330
answers a second at full strength). gunicorn runs the shipped configuration's worker count
for 2 cores (5 sync workers; `--workers` to try another). Run twice, once per layout, by `quizzes_save_load.py`
(same server, same client, same scratch database):

1. the shipped default, all questions on one page: start and first page, autosaves, then
   the same load while gunicorn workers are killed (every answer answered "saved" must be
   in the database);
2. one question per page: start and first page, then at each answer a page load and the
   autosave.

Figures go to bench/results.json as exam_day_* (default layout) and
exam_day_one_per_page_*. Without PostgreSQL (DATABASE_URL, or 127.0.0.1:5432) it says so
and stops. The whole run takes about 25 minutes.

    .venv/bin/python bench/quizzes_exam_day.py [--officers 20000] [--window 180]
"""

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--start-window", type=float, default=300)
    parser.add_argument("--window", type=float, default=180)
    parser.add_argument(
        "--workers",
        type=int,
        default=5,
        help="gunicorn sync workers (5: what site/gunicorn.conf.py starts on 2 cores)",
    )
    args = parser.parse_args()
    common = [
        "--postgres",
        "--skip-sqlite",
        f"--officers={args.officers}",
        f"--start-window={args.start_window}",
        f"--window={args.window}",
        f"--workers={args.workers}",
    ]
    runs = [
        ["--layout=all_on_one_page", "--phases=start,steady,kill", "--record=exam_day"],
        ["--layout=one_per_page", "--phases=start,pages", "--record=exam_day_one_per_page"],
    ]
    status = 0
    for extra in runs:
        print(f"--- exam day, {extra[0][len('--layout=') :]} ---", flush=True)
        result = subprocess.run(  # noqa: S603 - our own script, fixed interpreter
            [sys.executable, str(HERE / "quizzes_save_load.py"), *common, *extra], check=False
        )
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
