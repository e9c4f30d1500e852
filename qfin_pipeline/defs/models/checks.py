"""Check on the models: a quarter derived from year-to-date cells agrees with the same quarter where it is reported."""

import dagster as dg
import duckdb
import polars as pl

DERIVED_CHECK = dg.AssetCheckSpec(
    "derived_quarters_match_reported", asset="derived_quarters", blocking=True,
    description="Every derived quarter (e.g. 12M - 9M) equals the reported 3M figure within rounding "
                "(two year-to-date cells and one reported cell, each within half a unit of its precision).",
)

DERIVED_VS_REPORTED = """
    select d.metric_id, d.currency, d.period_end::varchar as period_end, d.value as derived, f.value as reported,
           d.derived_from, f.release_id || ':' || f.source_line as reported_at,
           0.5 * power(10, -d.decimals) * 2 + 0.5 * power(10, -f.decimals) as tolerance
    from derived_quarters d
    join facts f
      on f.kind = 'table' and f.period_type = '3M' and f.metric_id = d.metric_id
     and f.currency is not distinct from d.currency and f.period_end = d.period_end
"""


def derived_quarters_check(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    pairs = con.sql(DERIVED_VS_REPORTED).pl()
    bad = pairs.filter((pairs["derived"] - pairs["reported"]).abs() > pairs["tolerance"] + 1e-6).sort(
        "metric_id", "currency", "period_end", nulls_last=True)
    shown = bad.head(10).with_columns(pl.col("derived", "reported", "tolerance").cast(pl.String))  # JSON: no Decimal
    first = bad.row(0, named=True) if bad.height else None
    return dg.AssetCheckResult(
        asset_key="derived_quarters", check_name=DERIVED_CHECK.name, passed=bad.height == 0,
        description=first and (
            f"{bad.height} derived quarter(s) disagree with the reported ones, e.g. {first['metric_id']} "
            f"{first['currency'] or ''} quarter ended {first['period_end']}: derived {first['derived']} "
            f"({first['derived_from']}), reported {first['reported']} ({first['reported_at']})"),
        metadata={"compared": pairs.height, "disagreeing": bad.height,
                  "first_disagreements": dg.MetadataValue.json(shown.to_dicts())},
    )
