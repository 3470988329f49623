"""`make bench`: run every benchmark in bench/ and print one table of figures beside targets.

Each benchmark is a standalone script that measures one issue's speed targets on scratch
data of its own and prints a line per figure naming its target ("… (target < 200 ms)").
This runner runs them one after another on SQLite and — when DATABASE_URL points at
PostgreSQL — on PostgreSQL too (each script handles the backends it supports), echoes
their output, and ends with the table of every line that states a target.

    .venv/bin/python bench/run.py                 # all benchmarks
    .venv/bin/python bench/run.py cases quizzes   # only scripts whose name starts so
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TIME_LIMIT_S = 30 * 60


def scripts(prefixes: list[str]) -> list[Path]:
    found = sorted(
        p for p in HERE.glob("*.py") if p.name not in {"run.py"} and not p.name.startswith("_")
    )
    if prefixes:
        found = [p for p in found if any(p.stem.startswith(prefix) for prefix in prefixes)]
    return found


def main() -> int:
    sys.path.insert(0, str(HERE))
    from _results import RESULTS, results_reset

    results_reset()
    rows: list[tuple[str, str]] = []
    failures = 0
    for script in scripts(sys.argv[1:]):
        print(f"\n##### {script.name}", flush=True)
        started = time.monotonic()
        try:
            process = subprocess.run(  # noqa: S603 - our own scripts, fixed interpreter
                [sys.executable, str(script)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            rows.append((script.stem, f"did not finish within {TIME_LIMIT_S // 60} min"))
            failures += 1
            continue
        sys.stdout.write(process.stdout)
        sys.stderr.write(process.stderr[-4000:])
        if process.returncode != 0:
            failures += 1
            rows.append((script.stem, f"exited {process.returncode}"))
        for line in process.stdout.splitlines():
            if "target" in line:
                rows.append((script.stem, line.strip()))
        print(f"({script.name}: {time.monotonic() - started:.0f} s)", flush=True)

    width = max((len(name) for name, _ in rows), default=10)
    print("\n" + "=" * 100)
    print(f"{'benchmark':<{width}}  figure and target")
    print("-" * 100)
    for name, line in rows:
        print(f"{name:<{width}}  {line}")
    print("=" * 100)
    print(f"figures as JSON: {RESULTS.relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
