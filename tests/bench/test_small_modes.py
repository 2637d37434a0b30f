"""The benchmarks' small modes run in CI and print their figures."""

from __future__ import annotations

import contextlib
import io
import re
import runpy
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(script: str) -> str:
    """What `python bench/<script> --small` prints: the script runs as `__main__`, in this
    process, whose imports and models are loaded already (a second or two of CPU a script)."""
    out, argv = io.StringIO(), sys.argv
    sys.argv = [str(BENCH / script), "--small"]
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(BENCH / script), run_name="__main__")
    finally:
        sys.argv = argv
    return out.getvalue()


def test_sentiment_bench_prints_f1_accuracy_and_speed_for_each_analyser() -> None:
    out = _run("sentiment.py")
    for name in ("npsbot", "textblob", "vader"):
        assert re.search(rf"^{name} +macro-F1 0\.\d{{3}}  accuracy 0\.\d{{3}}$", out, re.M), out
    assert re.search(r"1,000 comments in \d+\.\d{3} s with analyse_many \(\d+\.\d+x", out), out


def test_themes_bench_prints_seconds_and_ratio() -> None:
    out = _run("themes.py")
    assert "5,000 comments, 7 languages" in out
    assert re.search(r"^themes +\d+\.\d{3} s \(\d+\.\dx a bare split-and-count\)$", out, re.M)
    assert re.search(r"^anonymous +\d+\.\d{3} s", out, re.M), out


def test_import_bench_prints_rate_and_ratio_to_a_bare_insert() -> None:
    out = _run("import_csv.py")
    assert re.search(r"import 1,000 rows \(sqlite\): [\d.]+ s = [\d,]+ rows/s", out), out
    assert re.search(r"ratio [\d.]+x the bare insert", out), out


def test_home_bench_prints_seconds_ratio_and_one_build() -> None:
    out = _run("home.py")
    assert re.search(r"^report build \(the baseline, per open\): \d+\.\d{3} s$", out, re.M), out
    assert re.search(r"^ratio \d+x faster than a build per open$", out, re.M), out
    assert "reports built: 1, views published: 40" in out


@pytest.mark.parametrize("script", ["sentiment.py", "themes.py", "import_csv.py", "home.py"])
def test_make_bench_runs_them_in_full(script: str) -> None:
    makefile = (BENCH.parent / "Makefile").read_text()
    assert f"$(BIN)/python bench/{script}\n" in makefile


def test_responses_import_bench_prints_seconds_and_ratio() -> None:
    out = _run("import_responses.py")
    assert re.search(
        r"responses import 1,000 answers \(sqlite\): \d+\.\d\d s .* ratio \d+\.\dx", out
    )
    assert re.search(r"^target under 3\.0 s: (met|MISSED)$", out, re.M), out
