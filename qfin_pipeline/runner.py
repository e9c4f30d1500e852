"""`qfin run`: plan the raw folder, materialize through Dagster in-process, and report what loaded and what did not."""

from __future__ import annotations

import re
import sys
from datetime import datetime
from decimal import Decimal

import duckdb
import polars as pl

from qfin_pipeline import settings
from qfin_pipeline.warehouse.access import (
    LOCK_WAIT_SECONDS,
    WarehouseMissing,
    connect_read_only,
    is_local_file,
    say_on_stderr,
    write_session,
)
from qfin_pipeline.warehouse.lock import writer_lock
from qfin_pipeline.warehouse.versions import set_aside

# The run log stays in the Dagster UI; the console shows nothing of it (the summary below says what happened,
# and a failed step's traceback is an operator's detail, not the user's message).
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
EXAMPLE_QUERY = (
    "select metric_id, period_end, currency, value from mart_quarterly "
    "where metric_id = 'total_net_revenue' order by period_end"
)


def run_pipeline(force: bool = False, rebuild: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS) -> int:
    """One writer at a time: hold the warehouse's writer lock while planning and running (a local file)."""
    warehouse = settings.warehouse()
    if not is_local_file(warehouse):
        return _run(force or rebuild)
    with writer_lock(warehouse, "qfin run", wait_seconds, say_on_stderr):
        if rebuild:
            start_over(warehouse)
        return _run(force)


def start_over(warehouse: str) -> None:
    """--rebuild: set the warehouse file aside (kept) and start an empty one; the EDGAR fetch record, which the
    raw folder cannot give back, is carried over when the old file still opens."""
    aside = set_aside(warehouse)
    with write_session(warehouse, "qfin run --rebuild") as con:
        if aside is None:
            return
        print(f"qfin run: set {aside} aside (kept); rebuilding {warehouse} from {settings.raw_dir()}")
        try:
            con.execute("attach ? as previous (read_only)", [str(aside)])
            con.execute("insert into fetched_filings by name select * from previous.fetched_filings")
            con.execute("detach previous")
        except duckdb.Error as exc:
            print(f"qfin run: the EDGAR fetch record could not be carried over: {str(exc).splitlines()[0]}",
                  file=sys.stderr)


def _run(force: bool) -> int:
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
    failures: list[str] = []
    for first, last in ranges or [(None, None)]:
        job = defs.resolve_job_def(LOAD_JOB if first else REFRESH_JOB)
        tags = range_tags(first, last) if first else {}
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False, run_config=QUIET)
        if not result.success:
            failures += failure_causes(result.all_events) or [f"run {result.run_id} failed"]
    return report(files, started, failures)


def failure_causes(events) -> list[str]:
    """One line per failed blocking check, failed step (one not failed by such a check) or resource: the
    innermost error's message without its class name."""
    causes = []
    for event in events:
        evaluation = event.event_specific_data if event.event_type_value == "ASSET_CHECK_EVALUATION" else None
        if evaluation is not None and not evaluation.passed and evaluation.blocking:
            causes.append(f"check {evaluation.check_name}: {evaluation.description or 'failed'}")
            continue
        if event.is_step_failure and event.step_failure_data.error.cls_name == "DagsterAssetCheckFailedError":
            continue
        if event.is_step_failure:
            where, error = f"step {event.step_key}", event.step_failure_data.error
        elif event.is_resource_init_failure:
            where, error = "opening the warehouse", event.event_specific_data.error
        else:
            continue
        while error and error.cause:
            error = error.cause
        message = re.sub(r"^[\w.]+: ", "", " ".join((error.message if error else event.message or "").split()))
        causes.append(f"{where}: {message or 'failed'}")
    return causes


def number(value) -> str:
    """A DECIMAL as printed: 39796028000, 5500.5 (no trailing zeros)."""
    if value is None:
        return "-"
    value = Decimal(value)
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def table_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {name for (name,) in con.sql("select table_name from information_schema.tables").fetchall()}


def _read_outcome(warehouse: str) -> dict:
    empty = {"loaded": pl.DataFrame(schema={"release_id": pl.String, "source_file": pl.String, "sha256": pl.String}),
             "rejected": pl.DataFrame(schema={"source_file": pl.String, "sha256": pl.String, "reason": pl.String}),
             "facts": 0, "checks": {}, "failures": []}
    try:
        con = connect_read_only(warehouse)
    except WarehouseMissing:
        return empty
    with con:
        if "quarantined_checks" not in table_names(con):  # a warehouse of an earlier version, not yet rewritten
            return empty | {"loaded": con.sql("select release_id, source_file, sha256 from releases").pl()}
        return {
            "loaded": con.sql("select release_id, source_file, sha256 from releases").pl(),
            "rejected": con.sql("select source_file, sha256, reason from rejected_files").pl(),
            "facts": con.sql("select count(*) from facts").fetchall()[0][0],
            "checks": dict(con.sql("select status, count(*) from check_results group by status").fetchall()),
            # the failed checks of each file rejected now
            "failures": con.sql("""
                select q.source_file, q.release_id, q.check_name, q.expected, q.actual, q.tolerance, q.detail
                from quarantined_checks q join rejected_files r using (source_file, sha256)
                where q.status = 'failed' order by q.source_file, q.check_name""").fetchall(),
        }


def report(files: pl.DataFrame, started: datetime, failures: list[str]) -> int:
    """Print the summary; exit non-zero naming each rejected file (a byte-identical copy is skipped, not rejected).
    A failed run says so, and its stderr ends with the cause."""
    warehouse = settings.warehouse()
    out = _read_outcome(warehouse)
    in_folder = files.join(out["rejected"], on=["source_file", "sha256"], how="inner", suffix="_rejected")
    refused = in_folder.filter(pl.col("status") != "duplicate")
    copies = in_folder.filter(pl.col("status") == "duplicate")
    loaded_now = files.drop("release_id").join(out["loaded"], on=["source_file", "sha256"], how="inner")
    checks = out["checks"]
    print(f"qfin run: {files.height} file(s) in {settings.raw_dir()}")
    ids = sorted(loaded_now["release_id"].to_list())
    shown = ", ".join(ids) if len(ids) <= 8 else f"{', '.join(ids[:3])}, ... {', '.join(ids[-3:])}"
    print(f"  releases loaded or current: {loaded_now.height} ({shown or '-'})")
    print(f"  rejected: {refused.height}; skipped copies: {copies.height}")
    print(f"  facts in warehouse: {out['facts']}; checks passed {checks.get('passed', 0)}, "
          f"failed {checks.get('failed', 0)}, warnings {checks.get('warning', 0)}")
    for row in copies.iter_rows(named=True):
        print(f"  skipped {row['source_file']}: {row['reason_rejected']}")
    if failures:
        print("  RUN FAILED: nothing of this run was published; the warehouse keeps its previous version")
    for source_file, release_id, check, expected, actual, tolerance, detail in out["failures"]:
        print(f"  check failed: {source_file} ({release_id}) {check}: expected {number(expected)} "
              f"actual {number(actual)} (tolerance {number(tolerance)}) {detail}", file=sys.stderr)
    for row in refused.iter_rows(named=True):
        print(f"rejected {row['source_file']}: {row['reason_rejected']}", file=sys.stderr)
    print(f"  warehouse: {warehouse}")
    print(f'  try: qfin query "{EXAMPLE_QUERY}"')
    if failures:
        print(f"qfin run: failed in {'; '.join(dict.fromkeys(failures))}", file=sys.stderr)
    return 0 if not failures and refused.height == 0 else 1
