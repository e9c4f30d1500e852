"""Warehouse tables of loaded releases: releases, facts, check_results, unread_figures (replaced per loaded
release), quarantined_checks (files checked and not loaded), and dim_metric."""


from datetime import datetime

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from qfin_pipeline import catalog
from qfin_pipeline.defs.resources import RELEASES
from qfin_pipeline.defs.warehouse.checks import WAREHOUSE_CHECKS, warehouse_check_results
from qfin_pipeline.defs.warehouse.tables import replace_rows
from qfin_pipeline.docs import markdown_table
from qfin_pipeline.extract.facts import UNREAD_SCHEMA
from qfin_pipeline.warehouse.schema import ensure_schema

CHECK_COLUMNS = ["release_id", "check_name", "status", "severity", "expected", "actual", "tolerance", "detail"]
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
        dg.AssetSpec("check_results", description="Every check of the loaded version of each release.",
                     deps=["release_checks"], group_name="warehouse"),
        dg.AssetSpec("unread_figures", description=(
            "Every number in a loaded release's prose that is not a fact, with the reason."),
                     deps=["release_unread"], group_name="warehouse"),
        dg.AssetSpec("quarantined_checks", description=(
            "The checks of every file checked and not loaded (quarantined, or another file holds its release)."),
                     deps=["release_checks"], group_name="warehouse"),
    ],
    check_specs=WAREHOUSE_CHECKS,
    partitions_def=RELEASES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    ins={name: dg.AssetIn() for name in ("release_documents", "validated_facts", "release_checks", "release_unread")},
)
def load_warehouse(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, release_documents: pl.DataFrame,
    validated_facts: pl.DataFrame, release_checks: pl.DataFrame, release_unread: pl.DataFrame,
):
    """Replace each loaded release's rows; a release none of whose files passed keeps what it had."""
    now = datetime.now()
    files = release_checks.filter(pl.col("outcome") == "loaded").select("release_id", "source_file").unique()
    loaded = sorted(files["release_id"])
    of_loaded = {"on": ["release_id", "source_file"], "how": "semi"}
    releases = release_documents.join(files, **of_loaded).select(RELEASE_COLUMNS).with_columns(loaded_at=pl.lit(now))
    checks = release_checks.join(files, **of_loaded).select(CHECK_COLUMNS).with_columns(checked_at=pl.lit(now))
    unread = release_unread.join(files, **of_loaded).select(list(UNREAD_SCHEMA))
    not_loaded = (release_checks.filter((pl.col("outcome") != "loaded") & pl.col("source_file").is_not_null())
                  .select("source_file", "sha256", *CHECK_COLUMNS).with_columns(checked_at=pl.lit(now)))
    facts = validated_facts.filter(pl.col("release_id").is_in(loaded))
    with duckdb.get_connection() as con:  # one run publishes all of it or nothing
        ensure_schema(con)
        replace_rows(con, "facts", facts, loaded)
        replace_rows(con, "releases", releases, loaded)
        replace_rows(con, "check_results", checks, loaded)
        replace_rows(con, "unread_figures", unread, loaded)
        # the files this run checked: a file's rows stay while its bytes do (rejected_files prunes the rest)
        replace_rows(con, "quarantined_checks", not_loaded, release_checks["source_file"].drop_nulls().unique().to_list(),
                     key="source_file")
        # check_results describes loaded versions only (warehouses of earlier versions also kept failed releases')
        con.execute("delete from check_results where release_id not in (select release_id from releases)")
        results = warehouse_check_results(con)
    held_back = sorted(set(context.partition_keys) - set(loaded))
    for key in held_back:
        context.log.error(f"{key}: no file claiming it passed the blocking checks; the warehouse keeps what it had")
    yield dg.MaterializeResult(asset_key="releases", metadata={
        "loaded": dg.MetadataValue.json(loaded), "not_loaded": dg.MetadataValue.json(held_back)})
    yield dg.MaterializeResult(asset_key="facts", metadata={
        "rows": facts.height, "preview": dg.MetadataValue.md(markdown_table(key_figures(facts, checks)))})
    yield dg.MaterializeResult(asset_key="check_results", metadata={
        "rows": checks.height, "by_status": dg.MetadataValue.json(dict(checks.group_by("status").len().iter_rows()))})
    yield dg.MaterializeResult(asset_key="unread_figures", metadata={
        "rows": unread.height,
        "no_pattern": unread.filter(pl.col("reason") == "no pattern").height})
    yield dg.MaterializeResult(asset_key="quarantined_checks", metadata={
        "files": dg.MetadataValue.json(sorted(set(not_loaded["source_file"])))})
    yield from results


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


@dg.asset(group_name="warehouse")
def dim_metric(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> None:
    """The metric catalog: one row per metric_id with statement, label, parent subtotal, sign, unit and definition."""
    frame = catalog.dim_metric()
    with duckdb.get_connection() as con:
        con.register("catalog_metrics", frame.to_arrow())
        con.execute("create or replace table dim_metric as select * from catalog_metrics")
        con.unregister("catalog_metrics")
    context.add_output_metadata({"metrics": frame.height})


