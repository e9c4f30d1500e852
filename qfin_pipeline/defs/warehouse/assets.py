"""Warehouse tables: releases, facts and check_results (one transaction per run), rejected_files, dim_metric."""


from datetime import datetime

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from qfin_pipeline import catalog
from qfin_pipeline.defs.resources import RELEASES
from qfin_pipeline.defs.warehouse.checks import WAREHOUSE_CHECKS, warehouse_check_results
from qfin_pipeline.defs.warehouse.tables import ensure_schema, replace_rows
from qfin_pipeline.docs import markdown_table

RELEASE_COLUMNS = [
    "release_id", "ticker", "fiscal_year", "fiscal_quarter", "period_end", "published_on", "title",
    "source_file", "sha256", "fx_rmb_per_usd",
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec("releases", description="One row per loaded release: its quarter, file, sha256 and FX rate.",
                     deps=["release_documents", "validated_facts", "release_checks"], group_name="warehouse"),
        dg.AssetSpec("facts", description="One row per number a loaded release prints (docs/CONTRACT.md `facts`).",
                     deps=["validated_facts"], group_name="warehouse"),
        dg.AssetSpec("check_results", description="Every check of the latest run of each release.",
                     deps=["release_checks"], group_name="warehouse"),
    ],
    check_specs=WAREHOUSE_CHECKS,
    partitions_def=RELEASES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    ins={
        "release_documents": dg.AssetIn(), "validated_facts": dg.AssetIn(), "release_checks": dg.AssetIn(),
    },
)
def load_warehouse(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, release_documents: pl.DataFrame,
    validated_facts: pl.DataFrame, release_checks: pl.DataFrame,
):
    """Replace each passing release's rows in one transaction; a quarantined release keeps what it had."""
    keys = list(context.partition_keys)
    now = datetime.now()
    failed = set(release_checks.filter((pl.col("status") == "failed") & (pl.col("severity") == "blocking"))["release_id"])
    passing = [k for k in keys if k not in failed]
    releases = (
        release_documents.filter(pl.col("release_id").is_in(passing) & pl.col("problem").is_null())
        .select(RELEASE_COLUMNS).with_columns(loaded_at=pl.lit(now))
    )
    facts = validated_facts.filter(pl.col("release_id").is_in(passing))
    with duckdb.get_connection() as con:
        ensure_schema(con)
        con.execute("begin transaction")
        try:
            replace_rows(con, "check_results", release_checks.with_columns(checked_at=pl.lit(now)), keys)
            replace_rows(con, "facts", facts, passing)
            replace_rows(con, "releases", releases, passing)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        checks = warehouse_check_results(con)
    for key in sorted(failed):
        context.log.error(f"{key}: quarantined (failed blocking checks); the warehouse keeps what it had")
    yield dg.MaterializeResult(asset_key="releases", metadata={
        "loaded": dg.MetadataValue.json(passing), "quarantined": dg.MetadataValue.json(sorted(failed))})
    yield dg.MaterializeResult(asset_key="facts", metadata={
        "rows": facts.height, "preview": dg.MetadataValue.md(markdown_table(key_figures(facts, release_checks)))})
    yield dg.MaterializeResult(asset_key="check_results", metadata={
        "rows": release_checks.height,
        "by_status": dg.MetadataValue.json(dict(release_checks.group_by("status").len().iter_rows()))})
    yield from checks


KEY_METRICS = ("total_net_revenue", "income_from_operations", "net_income", "total_assets")


def key_figures(facts: pl.DataFrame, checks: pl.DataFrame) -> pl.DataFrame:
    """Per release: facts per kind, checks passed/failed, and the quarter's headline RMB figures (for the UI)."""
    counts = facts.pivot(on="kind", index="release_id", values="value", aggregate_function="len")
    status = checks.pivot(on="status", index="release_id", values="check_name", aggregate_function="len")
    headline = (
        facts.filter((pl.col("kind") == "table") & pl.col("metric_id").is_in(KEY_METRICS) & (pl.col("currency") == "RMB")
                     & pl.col("period_type").is_in(["3M", "instant"]))
        .sort("period_end").group_by("release_id", "metric_id").agg(pl.col("value").last())
        .pivot(on="metric_id", index="release_id", values="value")
    )
    return status.join(counts, on="release_id", how="left").join(headline, on="release_id", how="left")


@dg.asset(group_name="warehouse", deps=["check_results"])
def rejected_files(context: dg.AssetExecutionContext, duckdb: DuckDBResource, raw_files: pl.DataFrame) -> None:
    """Every input that was not loaded: unreadable, another company's, a conflict, a copy, or quarantined by checks."""
    folder = raw_files.filter(pl.col("status") != "unchanged").select("source_file", "sha256", "status", "reason", "release_id")
    with duckdb.get_connection() as con:
        ensure_schema(con)
        con.register("folder", folder.to_arrow())
        con.execute("begin transaction")
        con.execute("""
            insert into rejected_files
            with quarantined as (
                select f.source_file, f.sha256,
                       'failed blocking checks: ' || string_agg(c.check_name || ' (' || c.detail || ')', '; ') as reason
                from folder f
                join check_results c on c.release_id = f.release_id and c.status = 'failed' and c.severity = 'blocking'
                where f.status in ('new', 'changed')
                  and not exists (select 1 from releases r where r.release_id = f.release_id and r.sha256 = f.sha256)
                group by all
            ), refused as (
                select source_file, sha256, reason from folder where status in ('rejected', 'conflict', 'duplicate')
                union all select * from quarantined
            )
            select source_file, sha256, reason, now() from refused r
            where not exists (select 1 from rejected_files x where x.source_file = r.source_file and x.sha256 = r.sha256)
        """)
        # A file that has since loaded is no longer rejected.
        con.execute("""delete from rejected_files x where exists
                       (select 1 from releases r where r.sha256 = x.sha256 and r.source_file = x.source_file)""")
        con.execute("commit")
        con.unregister("folder")
        total = con.sql("select count(*) from rejected_files").fetchall()[0][0]
    context.add_output_metadata({"rejected_files": total})


@dg.asset(group_name="warehouse")
def dim_metric(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> None:
    """The metric catalog: one row per metric_id with statement, label, parent subtotal, sign, unit and definition."""
    frame = catalog.dim_metric()
    with duckdb.get_connection() as con:
        con.register("catalog_metrics", frame.to_arrow())
        con.execute("create or replace table dim_metric as select * from catalog_metrics")
        con.unregister("catalog_metrics")
    context.add_output_metadata({"metrics": frame.height})


