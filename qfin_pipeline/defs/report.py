"""The report asset: the analyst's one-page HTML report, rebuilt after the marts in every run."""

import dagster as dg
from dagster_duckdb import DuckDBResource

# the models and tables the page reads (the asset graph shows it downstream of the marts)
REPORT_INPUTS = ["releases", "check_results", "dim_metric", "mart_quarterly", "wide_income_statement",
                 "v_guidance_vs_actual", "v_restatements"]


@dg.asset(deps=REPORT_INPUTS, group_name="analyst", kinds={"html"})
def report(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """One self-contained HTML page: quarterly charts, income statement, guidance vs actuals, checks, restatements."""
    from qfin_pipeline.analyst import report_path, write_report  # Altair and vl-convert: only when a report is built

    with duckdb.get_connection() as con:
        path = write_report(con, report_path(con))
    context.log.info(f"report written to {path}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)),
                                          "bytes": path.stat().st_size})
