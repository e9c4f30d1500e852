"""`pip install .` (not editable) gives a working `qfin`: the wheel carries the SQL models, the schema and the catalog.

The package is built and installed from a copy of the checkout into a new venv; its dependencies come from this
venv's site-packages (a .pth line), so the test needs no index. `make install-check` does the same with a full
`pip install .` (dependencies from the index) into an empty venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import REPO, SHIPPED

TOP_NOT_SOURCE = {".venv", ".git", "warehouse", "raw", "tests", "benchmarks", "build", ".pytest_cache", ".ruff_cache"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    top = TOP_NOT_SOURCE if Path(folder) == REPO else set()
    return {n for n in names if n in top or n == "__pycache__" or n.endswith(".egg-info")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding a non-editable install of a copy of this checkout; returns the venv."""
    root = tmp_path_factory.mktemp("install")
    shutil.copytree(REPO, root / "src", ignore=_not_source)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site / "locked_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--ignore-installed", "--no-index", str(root / "src")], check=True, cwd=root)
    shutil.rmtree(root / "src")  # nothing may read from the source any more
    return venv


@pytest.fixture(scope="module")
def outside(installed, tmp_path_factory) -> dict:
    """`qfin run` of the installed package, from a folder outside any checkout, on the shipped release."""
    here = tmp_path_factory.mktemp("elsewhere")
    (here / "raw").mkdir()
    shutil.copy(SHIPPED, here / "raw" / SHIPPED.name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DAGSTER_HOME", "VIRTUAL_ENV")}
    env.update(QFIN_RAW_DIR=str(here / "raw"), QFIN_WAREHOUSE=str(here / "wh" / "qfin.duckdb"))
    run = subprocess.run([str(installed / "bin" / "qfin"), "run"], cwd=here, env=env, capture_output=True, text=True)
    return {"here": here, "env": env, "run": run}


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _site(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"


def test_the_wheel_holds_every_model_and_every_data_file_of_the_package(installed):
    package = _site(installed) / "qfin_pipeline"
    assert _files(package / "sql") == _files(REPO / "sql") and "mart_quarterly.sql" in _files(REPO / "sql")
    data = [f for f in _files(REPO / "qfin_pipeline") if not f.endswith(".py")]  # catalog, schema, any other
    assert {"catalog/metrics.csv", "warehouse/schema.sql"} <= set(data)
    assert [f for f in data if not (package / f).is_file()] == []


def test_the_installed_package_reads_its_own_files(installed, outside):
    probe = ("import qfin_pipeline, qfin_pipeline.settings as s; "
             "print(qfin_pipeline.__file__); print(s.SQL_DIR); print(s.IN_CHECKOUT)")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", probe], cwd=outside["here"], env=outside["env"],
                         capture_output=True, text=True, check=True).stdout.split()
    package = _site(installed) / "qfin_pipeline"
    assert out == [str(package / "__init__.py"), str(package / "sql"), "False"]


def test_qfin_run_outside_the_checkout_loads_the_release_and_builds_the_marts(installed, outside):
    run, here = outside["run"], outside["here"]
    assert run.returncode == 0, run.stderr
    query = ("select value from mart_quarterly where metric_id = 'total_net_revenue' and currency = 'RMB' "
             "and fiscal_year = 2024 and fiscal_quarter = 3")
    answer = subprocess.run([str(installed / "bin" / "qfin"), "query", query, "--format", "json"], cwd=here,
                            env=outside["env"], capture_output=True, text=True, check=True).stdout
    assert [Decimal(str(row["value"])) for row in json.loads(answer)] == [Decimal("4370158000")]
    # the Dagster home defaults beside the warehouse; nothing is written into the venv
    assert (here / "wh" / ".dagster" / "dagster.yaml").is_file()
    assert not list(installed.rglob("*.duckdb")) and not (_site(installed) / "raw").exists()
