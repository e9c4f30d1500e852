"""CI runs the benchmark at a tiny size, once: every figure is printed; nothing about speed is asserted here."""

import subprocess
import sys

from tests.conftest import REPO


def test_bench_smoke_prints_every_figure():
    out = subprocess.run([sys.executable, "-m", "benchmarks.run", "--smoke"], cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    for figure in ("extract one release (text)", "extract one release (html)", "qfin run, shipped release",
                   "Dagster floor", "releases in one run", "query mart_quarterly", "query v_yoy",
                   "add one release to the largest warehouse"):
        assert figure in out.stdout, figure
