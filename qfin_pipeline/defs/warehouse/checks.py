"""Blocking checks on the warehouse itself, run by the loader right after it commits: nothing failing reached `facts`."""

import dagster as dg
import duckdb

NO_QUARANTINED = dg.AssetCheckSpec(
    "facts_hold_no_quarantined_release", asset="facts", blocking=True,
    description="No release in the warehouse was loaded by a run in which it failed a blocking check.",
)
NO_ORPHANS = dg.AssetCheckSpec(
    "facts_belong_to_releases", asset="facts", blocking=True,
    description="Every fact belongs to a row of `releases` (no orphan rows).",
)
WAREHOUSE_CHECKS = [NO_QUARANTINED, NO_ORPHANS]


def warehouse_check_results(con: duckdb.DuckDBPyConnection) -> list[dg.AssetCheckResult]:
    leaked = [r[0] for r in con.sql("""
        select distinct r.release_id
        from releases r
        join check_results c on c.release_id = r.release_id
        where c.status = 'failed' and c.severity = 'blocking' and r.loaded_at >= c.checked_at
    """).fetchall()]
    orphans = con.sql("select count(*) from facts where release_id not in (select release_id from releases)").fetchall()[0][0]
    return [
        dg.AssetCheckResult(asset_key="facts", check_name=NO_QUARANTINED.name, passed=not leaked,
                            metadata={"leaked_releases": dg.MetadataValue.json(leaked)}),
        dg.AssetCheckResult(asset_key="facts", check_name=NO_ORPHANS.name, passed=orphans == 0,
                            metadata={"orphan_facts": orphans}),
    ]
