"""The repository is a `dg` project: `dg check defs`, `dg list defs` and `dg launch --assets` work in its root.

Run as a user would: the venv's own `dg`, the venv active, cwd = the repository root; QFIN_RAW_DIR, QFIN_WAREHOUSE
and DAGSTER_HOME point at a temp folder and apply to what `dg` loads and runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from qfin_pipeline import catalog
from tests.conftest import REPO

DG = Path(sys.prefix) / "bin" / "dg"
WARNINGS = ("SupersessionWarning", "BetaWarning", "PreviewWarning", "Warning", "WARNING")


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("dg")
    (root / "raw").mkdir()
    (root / "raw" / "empty.txt").write_bytes(b"")  # an input the warehouse must name as rejected
    env = {**os.environ, "QFIN_RAW_DIR": str(root / "raw"), "QFIN_WAREHOUSE": str(root / "qfin.duckdb"),
           "DAGSTER_HOME": str(root / "dagster_home"), "VIRTUAL_ENV": sys.prefix}
    env.pop("PYTHONPATH", None)
    subprocess.run([sys.executable, "-c", "from qfin_pipeline import settings; settings.ensure_dagster_home()"],
                   env=env, check=True)
    return env


def _dg(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(DG), *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_dg_check_defs_loads_the_definitions_without_a_warning(env):
    result = _dg(env, "check", "defs")
    assert result.returncode == 0, result.stderr
    assert "All definitions loaded successfully" in result.stdout
    for word in WARNINGS:
        assert word not in result.stdout + result.stderr, result.stdout + result.stderr


def test_dg_list_defs_lists_the_graph_checks_jobs_sensor_and_schedule(env):
    result = _dg(env, "list", "defs", "--json")
    assert result.returncode == 0, result.stderr
    assert not [word for word in WARNINGS if word in result.stderr], result.stderr
    listed = json.loads(result.stdout)
    assets = {a["asset_key"] for a in listed["assets"]}
    assert {"raw_files", "release_documents", "release_facts", "validated_facts", "releases", "facts",
            "check_results", "rejected_files", "dim_metric", "mart_quarterly", "v_yoy", "v_qoq"} <= assets
    assert {"validated_facts:identities", "facts:facts_hold_no_quarantined_release"} <= {
        c["key"] for c in listed["asset_checks"]}
    assert {j["name"] for j in listed["jobs"]} >= {"load_releases", "refresh_folder"}
    assert [s["name"] for s in listed["sensors"]] == ["raw_folder_sensor"]
    assert [s["name"] for s in listed["schedules"]] == ["daily_reconcile", "edgar_hourly"]


def test_dg_launch_materializes_assets_into_the_configured_warehouse_and_home(env):
    result = _dg(env, "launch", "--assets", "raw_files,dim_metric,rejected_files")
    assert result.returncode == 0, result.stderr
    with duckdb.connect(env["QFIN_WAREHOUSE"], read_only=True) as con:
        assert con.sql("select count(*) from dim_metric").fetchall()[0][0] == catalog.dim_metric().height
        assert con.sql("select source_file from rejected_files").fetchall() == [("empty.txt",)]
    with pytest.MonkeyPatch.context() as mp:  # the run is in DAGSTER_HOME's history
        mp.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
        with dg.DagsterInstance.get() as instance:
            assert [r.status for r in instance.get_runs()] == [dg.DagsterRunStatus.SUCCESS]
