"""bench/import_csv.py in its small mode: it runs, imports every row, and prints its ratio."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "import_csv.py"


def test_small_import_bench_prints_rate_and_ratio() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--rows", "1000"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    first = result.stdout.splitlines()[0]
    assert re.search(r"import 1,000 rows \(sqlite\): [\d.]+ s = [\d,]+ rows/s", first), first
    assert re.search(r"ratio [\d.]+x the bare insert", first), first
