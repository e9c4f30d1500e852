"""`qfin run`: plan the raw folder, materialize through Dagster in-process, and report what loaded and what did not."""

from __future__ import annotations

import sys
from datetime import datetime

import polars as pl

from qfin_pipeline import settings
from qfin_pipeline.warehouse_access import connect_read_only

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}  # the run log stays in the Dagster UI
EXAMPLE_QUERY = (
    "select metric_id, period_end, currency, value from mart_quarterly "
    "where metric_id = 'total_net_revenue' order by period_end"
)


def run_pipeline(force: bool = False) -> int:
    settings.ensure_dagster_home()
    import dagster as dg

    from qfin_pipeline.defs import build_defs
    from qfin_pipeline.defs.automation import LOAD_JOB, REFRESH_JOB, plan_runs, range_tags
    from qfin_pipeline.defs.resources import RELEASES

    started = datetime.now()
    raw_dir, warehouse = settings.raw_dir(), settings.warehouse()
    defs = build_defs(raw_dir, warehouse)
    instance = dg.DagsterInstance.get()
    files, new, ranges = plan_runs(instance, raw_dir, warehouse, include_unchanged=force)
    if new:
        instance.add_dynamic_partitions(RELEASES.name, new)
    ok = True
    for first, last in ranges or [(None, None)]:
        job = defs.resolve_job_def(LOAD_JOB if first else REFRESH_JOB)
        tags = range_tags(first, last) if first else {}
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=QUIET)
        if not result.success:
            ok = False
            for event in result.all_events:
                if event.is_step_failure:
                    print(f"run failed in {event.step_key}: {event.step_failure_data.error.message.strip()}", file=sys.stderr)
    return report(files, started, ok)


def report(files: pl.DataFrame, started: datetime, run_ok: bool) -> int:
    """Print the summary; exit non-zero naming each rejected file (a byte-identical copy is skipped, not rejected)."""
    warehouse = settings.warehouse()
    with connect_read_only(warehouse) as con:
        loaded = con.sql("select release_id, source_file, sha256 from releases").pl()
        rejected = con.sql("select source_file, sha256, reason from rejected_files").pl()
        facts = con.sql("select count(*) from facts").fetchall()[0][0]
        checks = dict(con.sql("select status, count(*) from check_results group by status").fetchall())
        failures = con.sql("""select release_id, check_name, expected, actual, tolerance, detail from check_results
                              where status = 'failed' order by release_id, check_name""").fetchall()
    in_folder = files.join(rejected, on=["source_file", "sha256"], how="inner", suffix="_rejected")
    refused = in_folder.filter(pl.col("status") != "duplicate")
    copies = in_folder.filter(pl.col("status") == "duplicate")
    loaded_now = files.drop("release_id").join(loaded, on=["source_file", "sha256"], how="inner")
    print(f"qfin run: {files.height} file(s) in {settings.raw_dir()}")
    ids = sorted(loaded_now["release_id"].to_list())
    shown = ", ".join(ids) if len(ids) <= 8 else f"{', '.join(ids[:3])}, ... {', '.join(ids[-3:])}"
    print(f"  releases loaded or current: {loaded_now.height} ({shown or '-'})")
    print(f"  rejected: {refused.height}; skipped copies: {copies.height}")
    print(f"  facts in warehouse: {facts}; checks passed {checks.get('passed', 0)}, "
          f"failed {checks.get('failed', 0)}, warnings {checks.get('warning', 0)}")
    for row in copies.iter_rows(named=True):
        print(f"  skipped {row['source_file']}: {row['reason_rejected']}")
    for release_id, check, expected, actual, tolerance, detail in failures:
        print(f"  check failed: {release_id} {check}: expected {expected} actual {actual} "
              f"(tolerance {tolerance}) {detail}", file=sys.stderr)
    for row in refused.iter_rows(named=True):
        print(f"rejected {row['source_file']}: {row['reason_rejected']}", file=sys.stderr)
    print(f"  warehouse: {warehouse}")
    print(f'  try: qfin query "{EXAMPLE_QUERY}"')
    return 0 if run_ok and refused.height == 0 else 1


def print_status() -> int:
    from qfin_pipeline.output import print_frame

    with connect_read_only(settings.warehouse()) as con:
        print("releases:")
        print_frame(con.sql("""
            select r.release_id, r.source_file, r.loaded_at,
                   count(*) filter (where c.status = 'passed') as checks_passed,
                   count(*) filter (where c.status = 'failed') as checks_failed,
                   count(*) filter (where c.status = 'warning') as warnings
            from releases r left join check_results c using (release_id)
            group by all order by r.release_id""").pl())
        print("rejected files:")
        print_frame(con.sql("select * from rejected_files order by rejected_at").pl())
    return 0
