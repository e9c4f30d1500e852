"""A run killed mid-load leaves the previous state; two runs take turns; readers never block a run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.conftest import REPO, SHIPPED, Warehouse


def _qfin(wh: Warehouse, *args: str) -> subprocess.Popen:
    env = {**os.environ, "QFIN_RAW_DIR": str(wh.raw), "QFIN_WAREHOUSE": str(wh.path),
           "DAGSTER_HOME": str(wh.root / "dagster_home")}
    return subprocess.Popen([sys.executable, "-m", "qfin_pipeline.cli", *args], env=env, cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen, timeout: float = 180) -> int:
    """Wait while draining its output (a full pipe would block the child)."""
    proc.communicate(timeout=timeout)
    return proc.returncode


def _state(wh: Warehouse) -> tuple[str, int]:
    return wh.scalar("select sha256 from releases"), wh.scalar("select count(*) from facts")


def test_sigkill_mid_load_leaves_previous_state(warehouse: Warehouse):
    original = SHIPPED.read_text(encoding="utf-8")
    warehouse.add(SHIPPED.name, original)
    assert _finish(_qfin(warehouse, "run")) == 0
    old = _state(warehouse)
    # the same release, changed: one business highlight fewer, so a complete reload has fewer facts
    changed = "\n".join(ln for ln in original.splitlines() if "weighted average contractual tenor" not in ln)
    warehouse.add(SHIPPED.name, changed)
    outcomes = set()
    for delay in (0.5, 1.5, 2.5, 3.0, 3.5):
        proc = _qfin(warehouse, "run", "--force")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        sha, count = _state(warehouse)  # opens: the file is not corrupted
        per_release = warehouse.scalar("select count(distinct release_id) from facts")
        assert per_release == 1
        if sha == old[0]:
            assert count == old[1]  # previous state, untouched
            outcomes.add("old")
        else:
            outcomes.add("new")  # the whole reload committed
            new_count = count
        assert warehouse.scalar("select count(*) from check_results") > 0
    assert _finish(_qfin(warehouse, "run")) == 0
    sha, count = _state(warehouse)
    assert sha != old[0] and count < old[1]
    if "new" in outcomes:
        assert new_count == count
    assert "old" in outcomes  # at least one kill landed before the publish
    assert not list(warehouse.root.glob("qfin.duckdb.next*"))  # a killed run's copy is removed by the next run


def test_two_runs_at_once_take_turns(warehouse: Warehouse):
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    first, second = _qfin(warehouse, "run", "--force"), _qfin(warehouse, "run", "--force")
    results = [(p.returncode, out, err) for p in (first, second) for out, err in [p.communicate(timeout=300)]]
    for code, _out, err in results:
        assert code == 0, err  # the second waits for the first, then loads
        assert "Traceback" not in err
    assert warehouse.scalar("select count(*) from releases") == 1
    assert warehouse.scalar("select count(*) from facts where kind = 'table'") == 499


def test_a_waiting_writer_names_the_holder_within_5_s(warehouse: Warehouse):
    from qfin_pipeline.warehouse.lock import writer_lock

    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    with writer_lock(warehouse.path, "a test holding the lock", wait_seconds=0):
        waiting = _qfin(warehouse, "run")
        started = time.monotonic()
        line = waiting.stderr.readline()  # blocks until the run says something on stderr
        assert time.monotonic() - started < 5
        assert line.startswith(f"qfin: waiting for the warehouse {warehouse.path}: another run writes it "
                               f"(held by PID {os.getpid()}: a test holding the lock, since ")
        busy = _qfin(warehouse, "run", "--wait", "1")
        _out, err = busy.communicate(timeout=120)
        assert busy.returncode == 3 and "Traceback" not in err
        assert err.strip().splitlines()[-1].startswith(
            f"qfin run: warehouse {warehouse.path} is busy (held by PID {os.getpid()}: a test holding the lock, since ")
    assert _finish(waiting) == 0  # took its turn once the lock was released
    assert warehouse.scalar("select count(*) from releases") == 1


def test_a_reader_never_blocks_a_run_and_sees_the_new_data_on_its_next_connection(warehouse: Warehouse):
    """A notebook, Harlequin or the DuckDB CLI holding the warehouse read-only."""
    from tests.release_builder import build_release, release_name

    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    assert _finish(_qfin(warehouse, "run")) == 0
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse.path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "1"  # connected, read-only, and holding on
        warehouse.add(release_name(2025, 1), build_release(2025, 1))
        started = time.monotonic()
        run = _qfin(warehouse, "run")
        assert _finish(run, timeout=120) == 0
        assert time.monotonic() - started < 60
        out, _ = reader.communicate("\n", timeout=60)
    finally:
        reader.kill()
    assert out.split() == ["1", "2"]  # its open connection keeps what it opened; the next one sees the run
    assert warehouse.scalar("select count(*) from releases") == 2


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.sql("select count(*) from releases").fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.sql("select count(*) from releases").fetchall()[0][0])
con.close()
print(duckdb.connect(sys.argv[1], read_only=True).sql("select count(*) from releases").fetchall()[0][0])
"""
