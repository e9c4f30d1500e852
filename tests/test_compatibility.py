"""The warehouse file opens in the DuckDB command-line clients users install, and earlier or damaged files recover."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import duckdb
import pytest

from qfin_pipeline.defs.models.assets import model_files
from qfin_pipeline.warehouse.versions import header_version
from tests.conftest import REPO, SHIPPED, Warehouse

CLI_15 = REPO / ".venv" / "bin" / "duckdb"  # duckdb-cli 1.5.6 from requirements.lock (dev)
TABLES = ["releases", "facts", "check_results", "rejected_files", "unread_figures", "fetched_filings",
          "quarantined_checks", "dim_metric", *model_files()]


def cli_counts(cli: Path, warehouse: Path) -> dict[str, int]:
    """select count(*) from every table, mart and view, in the command-line client, read-only."""
    sql = " union all ".join(f"select '{t}', count(*) from {t}" for t in TABLES)
    out = subprocess.run([str(cli), "-readonly", "-csv", "-noheader", str(warehouse), "-c", sql],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return {name: int(n) for name, n in (line.split(",") for line in out.stdout.splitlines())}


def python_counts(wh: Warehouse) -> dict[str, int]:
    return {t: wh.scalar(f"select count(*) from {t}") for t in TABLES}


def test_the_duckdb_15_cli_reads_every_table_mart_and_view(shipped_warehouse):
    assert header_version(shipped_warehouse.path) == 67  # storage v1.4.0 (DuckDB 2.0's default would be 999)
    counts = cli_counts(CLI_15, shipped_warehouse.path)
    assert counts == python_counts(shipped_warehouse)
    assert counts["mart_quarterly"] > 100 and counts["facts"] == 711
    value = subprocess.run([str(CLI_15), "-readonly", "-csv", "-noheader", str(shipped_warehouse.path), "-c",
                            "select value from mart_quarterly where metric_id = 'total_net_revenue' and currency = 'RMB'"
                            " and period_end = '2024-09-30'"], capture_output=True, text=True, timeout=60)
    assert value.stdout.strip() == "4370158000.000000"  # DECIMAL(38, 6) in the 1.5 client too


@pytest.fixture(scope="session")
def cli_14(tmp_path_factory) -> Path:
    """The DuckDB 1.4 LTS command-line client, downloaded from PyPI into a temp folder (skipped when offline)."""
    folder = tmp_path_factory.mktemp("duckdb-cli-1.4")
    pip = REPO / ".venv" / "bin" / "pip"
    got = subprocess.run([str(pip), "download", "--no-deps", "--quiet", "duckdb-cli==1.4.4", "-d", str(folder)],
                         capture_output=True, text=True, timeout=300)
    wheels = list(folder.glob("duckdb_cli-1.4.4-*.whl"))
    if got.returncode != 0 or not wheels:
        pytest.skip(f"duckdb-cli 1.4.4 could not be downloaded from the package index: {got.stderr.strip()[-200:]}")
    binary = folder / "duckdb"
    with zipfile.ZipFile(wheels[0]) as wheel:
        binary.write_bytes(wheel.read("duckdb_cli-1.4.4.data/scripts/duckdb"))
    binary.chmod(0o755)
    return binary


def test_the_duckdb_14_lts_cli_reads_every_table_mart_and_view(shipped_warehouse, cli_14):
    version = subprocess.run([str(cli_14), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1.4.")
    assert cli_counts(cli_14, shipped_warehouse.path) == python_counts(shipped_warehouse)


def test_a_warehouse_in_duckdb_2_default_storage_is_migrated_on_the_first_write(warehouse: Warehouse):
    """Earlier versions of the project wrote storage version 69, which no 1.x client reads."""
    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    assert warehouse.run() == 0
    before = warehouse.sql("select * from facts order by source_line, source_column, kind, metric_id")
    old = warehouse.root / "old.duckdb"
    with duckdb.connect(str(old)) as con:  # DuckDB 2.0's default storage, as the project used to write
        con.execute("attach ? as current (read_only)", [str(warehouse.path)])
        con.execute("copy from database current to old")
    os.replace(old, warehouse.path)
    assert header_version(warehouse.path) == 999
    assert subprocess.run([str(CLI_15), "-readonly", str(warehouse.path), "-c", "select 1"],
                          capture_output=True).returncode != 0
    assert warehouse.run() == 0  # nothing new to load: the marts and rejected files are rewritten
    assert header_version(warehouse.path) == 67
    assert warehouse.sql("select * from facts order by source_line, source_column, kind, metric_id") == before
    assert cli_counts(CLI_15, warehouse.path)["facts"] == len(before)


def test_a_truncated_warehouse_is_named_as_damaged_and_rebuild_restores_every_release(warehouse: Warehouse):
    from qfin_pipeline.warehouse.access import write_session
    from tests.release_builder import build_release, release_name

    warehouse.add(SHIPPED.name, SHIPPED.read_bytes())
    warehouse.add(release_name(2025, 1), build_release(2025, 1))
    assert warehouse.run() == 0
    releases = warehouse.sql("select release_id, sha256 from releases order by 1")
    facts = warehouse.scalar("select count(*) from facts")
    filing = ("0001741530-24-000042", "release")
    with write_session(str(warehouse.path)) as con:  # the record `qfin fetch` keeps
        con.execute("insert into fetched_filings values (?, '6-K', '2024-11-19', 'ex99-1.htm', ?, 'QFIN-2024Q3', "
                    "'edgar-0001741530-24-000042-ex99-1.htm', now())", list(filing))
    # a rebuild of a whole file carries the EDGAR record over: the raw folder cannot give it back
    assert warehouse.cli("run", "--rebuild").returncode == 0
    assert warehouse.sql("select accession, outcome from fetched_filings") == [filing]
    assert warehouse.sql("select release_id, sha256 from releases order by 1") == releases
    size = warehouse.path.stat().st_size
    with open(warehouse.path, "r+b") as f:
        f.truncate(size * 2 // 3)
    for command in (["run"], ["query", "select count(*) from facts"], ["status"]):
        result = warehouse.cli(*command)
        assert result.returncode == 5, result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert f"warehouse {warehouse.path} is damaged (truncated:" in result.stderr
        assert "run `qfin run --rebuild`" in result.stderr
    rebuilt = warehouse.cli("run", "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    aside = sorted(warehouse.root.glob("qfin.duckdb.set-aside-*"), key=lambda p: p.stat().st_mtime)
    assert len(aside) == 2 and aside[-1].stat().st_size == size * 2 // 3  # kept as it was
    assert f"set {aside[-1]} aside (kept)" in rebuilt.stdout
    assert warehouse.sql("select release_id, sha256 from releases order by 1") == releases
    assert warehouse.scalar("select count(*) from facts") == facts
    carried = warehouse.sql("select accession, outcome from fetched_filings")
    assert carried == [filing] or (not carried and "could not be carried over" in rebuilt.stderr)
