"""One asset per file in sql/: the loader wraps each SELECT in CREATE OR REPLACE (v_* as views, others as tables)."""


import re
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from qfin_pipeline.defs.resources import WAREHOUSE_POOL
from qfin_pipeline.settings import SQL_DIR

WAREHOUSE_TABLES = ("releases", "facts", "check_results", "rejected_files", "dim_metric")


def model_files(sql_dir: Path = SQL_DIR) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(sql_dir.glob("*.sql"))}


def upstream_tables(sql: str, known: set[str]) -> list[str]:
    """The tables and models a query reads, by name (so the UI's lineage graph shows every edge)."""
    names = set(re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", re.sub(r"--[^\n]*", "", sql), re.I))
    return sorted(n for n in names if n in known)


def create_statement(name: str, sql: str) -> str:
    kind = "view" if name.startswith("v_") else "table"
    return f"create or replace {kind} {name} as\n{sql.rstrip().rstrip(';')}"


def build_model_asset(name: str, sql: str, known: set[str]) -> dg.AssetsDefinition:
    purpose = next((ln.lstrip("- ").strip() for ln in sql.splitlines() if ln.startswith("--")), name)

    @dg.asset(name=name, deps=upstream_tables(sql, known), group_name="marts", description=purpose,
              pool=WAREHOUSE_POOL, kinds={"duckdb", "sql"})
    def _model(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> None:
        with duckdb.get_connection() as con:
            con.execute(create_statement(name, sql))
            rows = con.sql(f"select count(*) from {name}").fetchall()[0][0]
        context.add_output_metadata({"rows": rows, "sql": dg.MetadataValue.md(f"```sql\n{sql}\n```")})

    return _model


def build_model_assets() -> list[dg.AssetsDefinition]:
    models = model_files()
    known = set(models) | set(WAREHOUSE_TABLES)
    return [build_model_asset(name, sql, known) for name, sql in models.items()]
