"""Checks on the models: a quarter derived from year-to-date cells agrees with the same quarter where it is reported."""

import dagster as dg
from dagster_duckdb import DuckDBResource

DERIVED_VS_REPORTED = """
    select d.metric_id, d.currency, d.period_end, d.value as derived, f.value as reported, d.derived_from,
           f.release_id || ':' || f.source_line as reported_at,
           -- two year-to-date cells and one reported cell, each within half a unit of its precision
           0.5 * power(10, -d.decimals) * 2 + 0.5 * power(10, -f.decimals) as tolerance
    from derived_quarters d
    join facts f
      on f.kind = 'table' and f.period_type = '3M' and f.metric_id = d.metric_id
     and f.currency is not distinct from d.currency and f.period_end = d.period_end
"""


@dg.asset_check(asset="derived_quarters", blocking=True,
                description="Every derived quarter (e.g. 12M - 9M) equals the reported 3M figure within rounding.")
def derived_quarters_match_reported(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        pairs = con.sql(DERIVED_VS_REPORTED).pl()
    bad = pairs.filter((pairs["derived"] - pairs["reported"]).abs() > pairs["tolerance"] + 1e-6)
    return dg.AssetCheckResult(
        passed=bad.height == 0,
        metadata={"compared": pairs.height, "disagreeing": bad.height,
                  "first_disagreements": dg.MetadataValue.json(bad.head(10).with_columns(
                      period_end=bad["period_end"].cast(str)).to_dicts())},
    )
