"""Figures of every benchmark, written to bench/results.json for machines to read.

Each figure is one entry: {"name", "value", "unit", "target", "met"}. `bench/run.py`
starts the file empty; each benchmark script appends what it measured. The file is
not kept in git (it describes one run on one machine).
"""

import json
import os
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def result_record(name: str, value: float, unit: str, target: str, met: bool) -> None:
    """Append one figure (replacing an earlier figure of the same name from this run)."""
    entries = []
    if RESULTS.exists():
        try:
            entries = json.loads(RESULTS.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            entries = []
    entries = [entry for entry in entries if entry.get("name") != name]
    entries.append(
        {"name": name, "value": round(float(value), 3), "unit": unit, "target": target, "met": met}
    )
    tmp = RESULTS.with_suffix(".tmp")
    tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, RESULTS)


def results_reset() -> None:
    RESULTS.unlink(missing_ok=True)
