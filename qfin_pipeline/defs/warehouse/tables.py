"""Warehouse reads and writes the assets share: what is loaded, rows replaced per release."""

from __future__ import annotations

import duckdb
import polars as pl

from qfin_pipeline.warehouse.access import LOADED_SCHEMA
from qfin_pipeline.warehouse.schema import ensure_schema


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
