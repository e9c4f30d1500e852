"""Opening the warehouse: read-only for readers (a run never blocks them), one publishing writer at a time.

A local file is written by building its next version beside it and renaming it into place (versions.py)
under the writer lock (lock.py). Any other DuckDB connection string (md:, ducklake:) is written in
place, one transaction per write.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from qfin_pipeline.warehouse.errors import (  # noqa: F401 - re-exported: callers import the errors from here
    WarehouseBusy,
    WarehouseDamaged,
    WarehouseError,
    WarehouseMissing,
    WarehouseUnavailable,
    classify,
    damaged_message,
)
from qfin_pipeline.warehouse.lock import writer_lock
from qfin_pipeline.warehouse.schema import ensure_schema
from qfin_pipeline.warehouse.versions import NextVersion, check_whole, header_problem

LOADED_SCHEMA = {"release_id": pl.String, "source_file": pl.String, "sha256": pl.String}
LOCK_WAIT_SECONDS = 600.0  # a second writer waits this long for the first (saying so at once), then gives up


def is_local_file(warehouse: str) -> bool:
    """A file path (published by rename), not a connection string such as md:qfin or ducklake:...."""
    return ":" not in warehouse.split("/")[0] or Path(warehouse).exists()


def missing_message(warehouse: str) -> str:
    return f"no warehouse yet at {warehouse}: run `qfin run` first"


def connect_read_only(warehouse: str, wait_seconds: float = 10.0) -> duckdb.DuckDBPyConnection:
    """Open read-only. Runs never hold the published file, so only an outside read-write session (e.g. a DuckDB
    CLI opened without -readonly) can make this wait: up to `wait_seconds`, then WarehouseBusy naming its PID."""
    local = is_local_file(warehouse)
    if local and not Path(warehouse).exists():
        raise WarehouseMissing(missing_message(warehouse))
    if local and Path(warehouse).is_file() and (problem := header_problem(Path(warehouse))):
        raise WarehouseDamaged(damaged_message(warehouse, problem))
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            con = duckdb.connect(warehouse, read_only=True)
            break
        except duckdb.Error as exc:
            problem = classify(warehouse, exc)
            if not isinstance(problem, WarehouseBusy) or time.monotonic() > deadline:
                raise problem from exc
            time.sleep(0.2)
    if local:
        try:
            check_whole(Path(warehouse), warehouse, con)
        except WarehouseError:
            con.close()
            raise
    return con


def read_loaded_releases(warehouse: str, wait_seconds: float = 60.0) -> pl.DataFrame:
    """release_id, source_file, sha256 of every loaded release (empty for a new warehouse)."""
    if is_local_file(warehouse) and not Path(warehouse).exists():
        return pl.DataFrame(schema=LOADED_SCHEMA)
    with connect_read_only(warehouse, wait_seconds) as con:
        has = con.sql("select count(*) from information_schema.tables where table_name = 'releases'").fetchall()[0][0]
        if not has:
            return pl.DataFrame(schema=LOADED_SCHEMA)
        return con.sql("select release_id, source_file, sha256 from releases").pl().cast(LOADED_SCHEMA)


def say_on_stderr(message: str) -> None:
    print(f"qfin: {message}", file=sys.stderr, flush=True)


@contextmanager
def next_version(warehouse: str, holder: str, wait_seconds: float = LOCK_WAIT_SECONDS,
                 on_wait: Callable[[str], None] | None = say_on_stderr) -> Iterator[NextVersion]:
    """Under the writer lock, the warehouse's next version; published when the block exits normally with
    `version.keep` true, else removed (the published file stays as it was)."""
    with writer_lock(warehouse, holder, wait_seconds, on_wait):
        version = NextVersion(warehouse)
        version.start()
        try:
            yield version
        except BaseException:
            version.abandon()
            raise
        if version.keep:
            version.publish()
        else:
            version.abandon()


@contextmanager
def write_session(warehouse: str, holder: str = "a write session", wait_seconds: float = LOCK_WAIT_SECONDS,
                  on_wait: Callable[[str], None] | None = say_on_stderr) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection for one all-or-nothing write outside a Dagster run (e.g. `qfin fetch` recording its filings):
    the warehouse schema exists; what is written is published when the block exits normally, and nothing of it
    when it raises. Waits for a run that is writing (saying so on stderr); never waits for readers."""
    if not is_local_file(warehouse):
        with in_place_transaction(warehouse) as con:
            ensure_schema(con)
            yield con
        return
    with next_version(warehouse, holder, wait_seconds, on_wait) as version:
        con = version.connect()
        try:
            ensure_schema(con)
            yield con
        finally:
            con.close()


@contextmanager
def in_place_transaction(warehouse: str, config: dict | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection string that is not a local file (md:, ducklake:): one transaction, committed on normal exit."""
    try:
        con = duckdb.connect(warehouse, config=config or {})
    except duckdb.Error as exc:
        raise classify(warehouse, exc) from exc
    try:
        con.execute("begin transaction")
        try:
            yield con
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()
