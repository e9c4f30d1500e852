"""The SQL models: one asset per file in sql/, all run by one step in dependency order (v_* as views, the rest tables).

Each file is one SELECT; the loader wraps it in CREATE OR REPLACE. Upstream tables are read from the SQL itself,
so the UI's lineage graph shows every model's inputs. Any subset can be rerun from the UI.
"""

import re
from graphlib import TopologicalSorter
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from qfin_pipeline.defs.models.checks import DERIVED_CHECK, derived_quarters_check
from qfin_pipeline.settings import SQL_DIR

WAREHOUSE_TABLES = ("releases", "facts", "check_results", "rejected_files", "dim_metric", "unread_figures",
                    "quarantined_checks")


def model_files(sql_dir: Path = SQL_DIR) -> dict[str, str]:
    return {p.stem: p.read_text() for p in sorted(sql_dir.glob("*.sql"))}


def upstream_tables(sql: str, known: set[str]) -> list[str]:
    """The tables and models a query reads, by name."""
    names = set(re.findall(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", re.sub(r"--[^\n]*", "", sql), re.I))
    return sorted(n for n in names if n in known)


def create_statement(name: str, sql: str) -> str:
    kind = "view" if name.startswith("v_") else "table"
    return f"create or replace {kind} {name} as\n{sql.rstrip().rstrip(';')}"


def purpose(sql: str, name: str) -> str:
    """Line one of each model states its purpose and grain."""
    return next((ln.lstrip("- ").strip() for ln in sql.splitlines() if ln.startswith("--")), name)


def build_model_assets(sql_dir: Path = SQL_DIR) -> dg.AssetsDefinition:
    models = model_files(sql_dir)
    known = set(models) | set(WAREHOUSE_TABLES)
    deps = {name: upstream_tables(sql, known) for name, sql in models.items()}
    order = list(TopologicalSorter({n: [d for d in ds if d in models] for n, ds in deps.items()}).static_order())

    @dg.multi_asset(
        specs=[dg.AssetSpec(name, deps=deps[name], description=purpose(models[name], name), group_name="marts",
                            kinds={"duckdb", "sql"}, skippable=True) for name in order],
        check_specs=[DERIVED_CHECK],
        can_subset=True,
        name="sql_models",
    )
    def sql_models(context: dg.AssetExecutionContext, duckdb: DuckDBResource):
        """Create or replace every selected model in dependency order; derived quarters are checked as soon as
        they are built, and a failure stops here: the run fails and does not publish, so the marts stay as they were."""
        selected = {key.path[-1] for key in context.selected_asset_keys}
        with duckdb.get_connection() as con:
            for name in (n for n in order if n in selected):
                con.execute(create_statement(name, models[name]))
                rows = con.sql(f"select count(*) from {name}").fetchall()[0][0]
                yield dg.MaterializeResult(asset_key=name, metadata={
                    "rows": rows, "sql": dg.MetadataValue.md(f"```sql\n{models[name]}\n```")})
                if name == "derived_quarters":
                    check = derived_quarters_check(con)
                    yield check
                    if not check.passed:
                        context.log.error("derived quarters disagree with reported ones: the models built on them "
                                          "are not rebuilt, and this run does not publish")
                        return

    return sql_models
