"""The warehouse's own tables (schema.sql): created if missing by every writer, the loader and `qfin fetch` alike."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb


@cache
def schema_sql() -> str:
    return (Path(__file__).parent / "schema.sql").read_text()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(schema_sql())
