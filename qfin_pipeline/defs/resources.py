"""Resources every asset shares: the raw folder, the warehouse, and the frame store between steps."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import PrivateAttr

from qfin_pipeline import settings
from qfin_pipeline.defs.io_manager import ReleaseFrameIOManager
from qfin_pipeline.warehouse.access import (
    LOCK_WAIT_SECONDS,
    in_place_transaction,
    is_local_file,
    next_version,
    write_session,
)
from qfin_pipeline.warehouse.versions import NextVersion

RELEASES = dg.DynamicPartitionsDefinition(name="releases")


class RawFolder(dg.ConfigurableResource):
    """The folder releases are dropped into (QFIN_RAW_DIR)."""

    path: str


class WarehouseResource(DuckDBResource):
    """The warehouse (QFIN_WAREHOUSE). A local file: each run (CLI, UI, sensor, schedule, backfill) takes the
    writer lock, every step writes the run's next version beside the published file, and that version is
    published by rename only when every step of the run succeeded. Readers are never blocked.
    A connection string (md:, ducklake:): each `get_connection()` block is one transaction on the target."""

    lock_wait_seconds: float = LOCK_WAIT_SECONDS
    _version: NextVersion | None = PrivateAttr(default=None)

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Iterator[WarehouseResource]:
        if not is_local_file(self.database):
            yield self
            return
        run = context.dagster_run
        holder = f"Dagster run {run.run_id[:8]} of {run.job_name}" if run else "a Dagster step"
        log = context.log
        with next_version(self.database, holder, self.lock_wait_seconds, log.warning if log else None) as version:
            self._version = version
            try:
                yield self
            finally:
                self._version = None
            version.keep = _steps_all_succeeded(context)
            if not version.keep and log:
                log.error(f"not published: a step of this run failed; {self.database} keeps its previous version")

    @contextmanager
    def get_connection(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to what this run writes. Do not begin or commit transactions yourself."""
        if self._version is not None:
            con = self._version.connect()
            try:
                yield con
            finally:
                con.close()
        elif is_local_file(self.database):  # used outside a run: one published write
            with write_session(self.database, "a Dagster step", self.lock_wait_seconds) as con:
                yield con
        else:
            with in_place_transaction(self.database, self.connection_config) as con:
                yield con


def _steps_all_succeeded(context: dg.InitResourceContext) -> bool:
    if context.instance is None or context.dagster_run is None:
        return True
    failures = context.instance.all_logs(context.dagster_run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
    return not failures


def build_resources(raw_dir: str | None = None, warehouse: str | None = None,
                    lock_wait_seconds: float = LOCK_WAIT_SECONDS) -> dict:
    return {
        "raw_folder": RawFolder(path=raw_dir or settings.raw_dir()),
        # DuckDB would take up to 80% of RAM; a run's working set fits in far less (it spills beyond the limit)
        "duckdb": WarehouseResource(database=warehouse or settings.warehouse(), lock_wait_seconds=lock_wait_seconds,
                                    connection_config={"memory_limit": "1GB"}),
        "io_manager": ReleaseFrameIOManager(),
    }
