"""Blocking checks on the warehouse itself, run by the loader right after it writes: nothing failing reached `facts`.
A failure fails the run, and a failed run does not publish: the warehouse keeps its previous version."""

import dagster as dg
import duckdb

NO_QUARANTINED = dg.AssetCheckSpec(
    "facts_hold_no_quarantined_release", asset="facts", blocking=True,
    description="No loaded release comes from a file that failed a blocking check (in check_results or "
                "quarantined_checks).",
)
NO_ORPHANS = dg.AssetCheckSpec(
    "facts_belong_to_releases", asset="facts", blocking=True,
    description="Every fact, check result and unread figure belongs to a row of `releases` (no orphan rows).",
)
WAREHOUSE_CHECKS = [NO_QUARANTINED, NO_ORPHANS]

LEAKED = """
    select distinct r.release_id from releases r
    join (select release_id, null as sha256 from check_results where status = 'failed' and severity = 'blocking'
          union all
          select release_id, sha256 from quarantined_checks where status = 'failed' and severity = 'blocking') bad
      on bad.release_id = r.release_id and (bad.sha256 is null or bad.sha256 = r.sha256)
    order by 1
"""
ORPHANS = """
    select (select count(*) from facts where release_id not in (select release_id from releases))
         + (select count(*) from check_results where release_id not in (select release_id from releases))
         + (select count(*) from unread_figures where release_id not in (select release_id from releases))
"""


def warehouse_check_results(con: duckdb.DuckDBPyConnection) -> list[dg.AssetCheckResult]:
    leaked = [r[0] for r in con.sql(LEAKED).fetchall()]
    orphans = con.sql(ORPHANS).fetchall()[0][0]
    return [
        dg.AssetCheckResult(asset_key="facts", check_name=NO_QUARANTINED.name, passed=not leaked,
                            metadata={"leaked_releases": dg.MetadataValue.json(leaked)}),
        dg.AssetCheckResult(asset_key="facts", check_name=NO_ORPHANS.name, passed=orphans == 0,
                            metadata={"orphan_rows": orphans}),
    ]
