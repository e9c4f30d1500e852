"""rejected_files: the raw folder as it is now, against what the warehouse loaded (a removed file drops out)."""

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from qfin_pipeline.warehouse.schema import ensure_schema

# Every file of the folder that is not loaded, and why. Checked files that did not load have their check rows
# in quarantined_checks (written by the loader): a failed blocking check, or another file holds the release.
CURRENT_REJECTIONS = """
    create or replace temp table current_rejections as
    with checked as (
        select source_file, sha256, any_value(release_id) as release_id,
               string_agg(check_name || ' (' || coalesce(detail, '') || ')', '; ' order by check_name)
                 filter (where status = 'failed' and severity = 'blocking') as failures
        from quarantined_checks group by all
    ), not_loaded as (
        select f.* from folder f
        where not exists (select 1 from releases r where r.source_file = f.source_file and r.sha256 = f.sha256)
    )
    -- a file the checks saw (same bytes) says what they found; else what the folder scan found
    select f.source_file, f.sha256,
           case when c.failures is not null
                then 'failed blocking checks: ' || c.failures
                     || coalesce('; release ' || r.release_id || ' stays with ' || r.source_file, '')
                when c.sha256 is not null
                then 'claims release ' || c.release_id || ', which '
                     || coalesce(r.source_file || ' already holds; ' || r.source_file || ' stays',
                                 'another file took first')
                else f.reason
           end as reason
    from not_loaded f
    left join checked c on c.source_file = f.source_file and c.sha256 = f.sha256
    left join releases r on r.release_id = c.release_id
    where c.sha256 is not null or f.status in ('rejected', 'conflict', 'duplicate')
"""


@dg.asset(group_name="warehouse", deps=["releases", "quarantined_checks"])
def rejected_files(context: dg.AssetExecutionContext, duckdb: DuckDBResource, raw_files: pl.DataFrame) -> None:
    """Every file of the raw folder, as it is now, that is not loaded: unreadable, not a QFIN release, a conflict,
    a skipped byte-identical copy, or quarantined by the checks; a removed file drops out."""
    folder = raw_files.select("source_file", "sha256", "status", "reason", "release_id")
    with duckdb.get_connection() as con:
        ensure_schema(con)
        con.register("folder", folder.to_arrow())
        con.execute(CURRENT_REJECTIONS)
        # keep rejected_at for a file rejected again for the same reason
        con.execute("""delete from rejected_files x where not exists (select 1 from current_rejections c
                       where c.source_file = x.source_file and c.sha256 = x.sha256 and c.reason = x.reason)""")
        con.execute("""insert into rejected_files select c.*, now() from current_rejections c where not exists
                       (select 1 from rejected_files x where x.source_file = c.source_file and x.sha256 = c.sha256)""")
        # the checks of a file no longer in the folder describe nothing
        con.execute("""delete from quarantined_checks q where not exists
                       (select 1 from folder f where f.source_file = q.source_file and f.sha256 = q.sha256)""")
        con.unregister("folder")
        by_kind = dict(con.sql("""select case when starts_with(reason, 'byte-identical') then 'skipped copies'
                                  else 'rejected' end, count(*) from rejected_files group by 1""").fetchall())
    context.add_output_metadata({"rejected": by_kind.get("rejected", 0), "skipped_copies": by_kind.get("skipped copies", 0)})
