"""Where things live: QFIN_RAW_DIR, QFIN_WAREHOUSE and DAGSTER_HOME, with the repo's defaults."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

# The source checkout this package runs from, if any (an editable install or the tests); an installed wheel has none.
REPO_ROOT = Path(__file__).resolve().parent.parent
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file()


def _sql_dir() -> Path:
    """The SQL models: package data of an installed wheel (qfin_pipeline/sql), else the checkout's top-level sql/."""
    packaged = Path(str(files("qfin_pipeline") / "sql"))
    return packaged if packaged.is_dir() else REPO_ROOT / "sql"


SQL_DIR = _sql_dir()


def project_dir() -> Path:
    """Where the default raw/ and warehouse/ live: the checkout, or the current folder for an installed package."""
    return REPO_ROOT if IN_CHECKOUT else Path.cwd()


def raw_dir() -> str:
    return os.environ.get("QFIN_RAW_DIR", str(project_dir() / "raw"))


def warehouse() -> str:
    """A DuckDB database: a file path by default, or any DuckDB connection string (md:..., s3 via ATTACH)."""
    return os.environ.get("QFIN_WAREHOUSE", str(project_dir() / "warehouse" / "qfin.duckdb"))


def dagster_home() -> Path:
    """The Dagster instance directory: DAGSTER_HOME, else beside the warehouse (never ~/.dagster)."""
    if os.environ.get("DAGSTER_HOME"):
        return Path(os.environ["DAGSTER_HOME"])
    target = warehouse()
    base = Path(target).parent if "://" not in target and not target.startswith("md:") else project_dir() / "warehouse"
    return base / ".dagster"


# No per-step stdout capture: every step logs through Dagster's event log, and capture spawns a process per
# step (slow, and orphaned if a run is killed). The event log: see qfin_pipeline/event_storage.py.
DAGSTER_YAML = """\
telemetry:
  enabled: false
compute_logs:
  module: dagster._core.storage.noop_compute_log_manager
  class: NoOpComputeLogManager
event_log_storage:
  module: qfin_pipeline.event_storage
  class: PooledSqliteEventLogStorage
  config:
    base_dir: {home}/history
"""


def ensure_dagster_home() -> Path:
    """Create DAGSTER_HOME with telemetry off, no compute-log capture, and the UI's first-run modal dismissed."""
    home = dagster_home()
    (home / ".nux").mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():
        (home / "dagster.yaml").write_text(DAGSTER_YAML.format(home=home.resolve()))
    if not (home / ".nux" / "nux.yaml").exists():
        (home / ".nux" / "nux.yaml").write_text("seen: 1\n")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
