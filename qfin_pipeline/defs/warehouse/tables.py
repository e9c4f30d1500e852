"""Warehouse reads and writes the assets share: schema, what is loaded, one transaction per run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from qfin_pipeline.warehouse_access import LOADED_SCHEMA

SCHEMA_SQL = (Path(__file__).parent / "schema.sql").read_text()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA_SQL)


def loaded_releases(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    ensure_schema(con)
    return con.sql("select release_id, source_file, sha256 from releases").pl().cast(LOADED_SCHEMA)


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, ids: list[str],
                 key: str = "release_id") -> None:
    """Delete the rows of a set of releases (or of another key) from a table and insert the new ones."""
    con.execute(f"delete from {table} where {key} in (select unnest($1::varchar[]))", [ids])
    if frame.height:
        con.register("incoming", frame.to_arrow())
        columns = ", ".join(frame.columns)
        con.execute(f"insert into {table} ({columns}) select {columns} from incoming")
        con.unregister("incoming")
