"""Check on the models: a quarter derived from year-to-date cells agrees with the same quarter where it is reported."""

import dagster as dg
import duckdb
import polars as pl

DERIVED_CHECK = dg.AssetCheckSpec(
    "derived_quarters_match_reported", asset="derived_quarters", blocking=True,
    description="Every derived quarter (e.g. 12M - 9M) equals the reported 3M figure within rounding "
                "(two year-to-date cells and one reported cell, each within half a unit of its precision), "
                "unless a later release restated one of the periods involved (then v_restatements lists it).",
)

DERIVED_VS_REPORTED = """
    with table_cells as (
        select metric_id, currency, period_type, period_end, release_id, value, decimals from facts where kind = 'table'
    ),
    -- periods whose table value differs between releases beyond rounding: a restatement, not an inconsistency
    restated as (
        select distinct a.metric_id, a.currency, a.period_end
        from table_cells a
        join table_cells b
          on b.metric_id = a.metric_id and b.currency is not distinct from a.currency
         and b.period_type = a.period_type and b.period_end = a.period_end and b.release_id <> a.release_id
        where abs(a.value - b.value) > 0.5 * power(10, -a.decimals) + 0.5 * power(10, -b.decimals)
    )
    select d.metric_id, d.currency, d.period_end::varchar as period_end, d.value as derived, f.value as reported,
           d.derived_from, f.release_id || ':' || f.source_line as reported_at,
           0.5 * power(10, -d.decimals) * 2 + 0.5 * power(10, -f.decimals) as tolerance,
           exists (select 1 from restated r
                   where r.metric_id = d.metric_id and r.currency is not distinct from d.currency
                     and r.period_end in (d.period_end, d.period_start - interval 1 day)) as restated
    from derived_quarters d
    join facts f
      on f.kind = 'table' and f.period_type = '3M' and f.metric_id = d.metric_id
     and f.currency is not distinct from d.currency and f.period_end = d.period_end
"""


def derived_quarters_check(con: duckdb.DuckDBPyConnection) -> dg.AssetCheckResult:
    pairs = con.sql(DERIVED_VS_REPORTED).pl()
    differ = (pairs["derived"] - pairs["reported"]).abs() > pairs["tolerance"] + 1e-6
    restated = pairs.filter(differ & pairs["restated"])
    bad = pairs.filter(differ & ~pairs["restated"]).sort("metric_id", "currency", "period_end", nulls_last=True)
    shown = bad.head(10).drop("restated").with_columns(  # JSON: no Decimal
        pl.col("derived", "reported", "tolerance").cast(pl.String))
    first = bad.row(0, named=True) if bad.height else None
    return dg.AssetCheckResult(
        asset_key="derived_quarters", check_name=DERIVED_CHECK.name, passed=bad.height == 0,
        description=first and (
            f"{bad.height} derived quarter(s) disagree with the reported ones, e.g. {first['metric_id']} "
            f"{first['currency'] or ''} quarter ended {first['period_end']}: derived {first['derived']} "
            f"({first['derived_from']}), reported {first['reported']} ({first['reported_at']})"),
        metadata={"compared": pairs.height, "disagreeing": bad.height, "differing_where_restated": restated.height,
                  "first_disagreements": dg.MetadataValue.json(shown.to_dicts())},
    )
