"""Read-only access to the warehouse for planners and `qfin query`, with a bounded wait while a run writes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

LOADED_SCHEMA = {"release_id": pl.String, "source_file": pl.String, "sha256": pl.String}


class WarehouseBusy(RuntimeError):
    pass


def connect_read_only(warehouse: str, wait_seconds: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open read-only; while another process writes, retry up to `wait_seconds`, then raise WarehouseBusy."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return duckdb.connect(warehouse, read_only=True)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise WarehouseBusy(f"warehouse {warehouse} is busy (a run is writing); try again shortly") from exc
            time.sleep(0.2)


def is_local_file(warehouse: str) -> bool:
    return ":" not in warehouse.split("/")[0] or Path(warehouse).exists()


def read_loaded_releases(warehouse: str, wait_seconds: float = 60.0) -> pl.DataFrame:
    """release_id, source_file, sha256 of every loaded release (empty for a new warehouse)."""
    if is_local_file(warehouse) and not Path(warehouse).exists():
        return pl.DataFrame(schema=LOADED_SCHEMA)
    with connect_read_only(warehouse, wait_seconds) as con:
        has = con.sql("select count(*) from information_schema.tables where table_name = 'releases'").fetchall()[0][0]
        if not has:
            return pl.DataFrame(schema=LOADED_SCHEMA)
        return con.sql("select release_id, source_file, sha256 from releases").pl().cast(LOADED_SCHEMA)


@contextmanager
def write_session(warehouse: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one all-or-nothing write outside a Dagster run (e.g. `qfin fetch` recording its filings):
    the warehouse schema exists; what is written is published when the block exits normally, and nothing of it
    when it raises."""
    from qfin_pipeline.defs.warehouse.tables import ensure_schema

    con = duckdb.connect(warehouse)
    try:
        ensure_schema(con)
        con.execute("begin transaction")
        try:
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
