"""Blocking checks on the warehouse itself: nothing that failed validation reached `facts`."""


import dagster as dg
from dagster_duckdb import DuckDBResource


@dg.asset_check(asset="facts", blocking=True, description="No release in the warehouse was loaded by a run in which it failed a blocking check.")
def facts_hold_no_quarantined_release(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        leaked = con.sql("""
            select distinct r.release_id
            from releases r
            join check_results c on c.release_id = r.release_id
            where c.status = 'failed' and c.severity = 'blocking' and r.loaded_at >= c.checked_at
        """).fetchall()
    return dg.AssetCheckResult(passed=not leaked, metadata={"leaked_releases": [r[0] for r in leaked]})


@dg.asset_check(asset="facts", blocking=True, description="Every fact belongs to a row of `releases` (no orphan rows).")
def facts_belong_to_releases(duckdb: DuckDBResource) -> dg.AssetCheckResult:
    with duckdb.get_connection() as con:
        orphans = con.sql("select count(*) from facts where release_id not in (select release_id from releases)").fetchall()[0][0]
    return dg.AssetCheckResult(passed=orphans == 0, metadata={"orphan_facts": orphans})
