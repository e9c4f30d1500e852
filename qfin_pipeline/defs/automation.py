"""Jobs, the raw-folder sensor and the daily reconcile schedule: new or changed files become partitions and runs."""


import hashlib
import json

import dagster as dg
import polars as pl

from qfin_pipeline import settings
from qfin_pipeline.defs.resources import RELEASES
from qfin_pipeline.planning import runnable_keys, scan_folder
from qfin_pipeline.warehouse.access import WarehouseError, read_loaded_releases

LOAD_JOB = "load_releases"
REFRESH_JOB = "refresh_folder"

# The load jobs never run the EDGAR download: `qfin run` and `make run` stay offline.
OFFLINE = dg.AssetSelection.all() - dg.AssetSelection.groups("edgar")
load_releases = dg.define_asset_job(LOAD_JOB, selection=OFFLINE, partitions_def=RELEASES,
                                    description="Load the given releases and rebuild every mart.")
PER_RELEASE_ASSETS = ("release_documents", "release_facts", "release_unread", "validated_facts", "release_checks",
                      "releases", "facts", "check_results", "unread_figures", "quarantined_checks")
refresh_folder = dg.define_asset_job(
    REFRESH_JOB, selection=OFFLINE - dg.AssetSelection.assets(*PER_RELEASE_ASSETS),
    description="Record rejected files and rebuild the catalog and marts (no release to load).",
)


def contiguous_ranges(keys: list[str], order: list[str]) -> list[tuple[str, str]]:
    """Keys to load -> (first, last) ranges in partition order, each one single run."""
    wanted, ranges, start, prev = set(keys), [], None, None
    for key in order:
        if key in wanted:
            start, prev = start or key, key
        elif start:
            ranges.append((start, prev))
            start = None
    return ranges + ([(start, prev)] if start else [])


def plan_runs(instance: dg.DagsterInstance, raw_dir: str, warehouse: str, include_unchanged: bool = False):
    """Scan the folder, register new releases as partitions, and say which runs load them."""
    files = scan_folder(raw_dir, read_loaded_releases(warehouse))
    keys = runnable_keys(files, include_unchanged)
    known = set(instance.get_dynamic_partitions(RELEASES.name))
    new = [k for k in keys if k not in known]
    order = instance.get_dynamic_partitions(RELEASES.name) + new
    return files, new, contiguous_ranges(keys, order)


def range_tags(first: str, last: str) -> dict[str, str]:
    return {"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last}


def folder_state(files: pl.DataFrame) -> str:
    """A stable digest of the folder against the warehouse (run keys: the same state never runs twice)."""
    pairs = sorted(zip(files["source_file"], files["sha256"], files["status"], strict=True))
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()[:16]


def _run_requests(files: pl.DataFrame, ranges, key_prefix: str, removed: bool = False) -> list[dg.RunRequest]:
    if ranges:
        return [dg.RunRequest(run_key=f"{key_prefix}:{a}:{b}", job_name=LOAD_JOB, tags=range_tags(a, b)) for a, b in ranges]
    # rejected_files describes the folder as it is now: a new rejection, copy or conflict, or a removed file
    if removed or files.filter(pl.col("status").is_in(["rejected", "conflict", "duplicate"])).height:
        return [dg.RunRequest(run_key=f"{key_prefix}:refresh", job_name=REFRESH_JOB)]
    return []


@dg.sensor(jobs=[load_releases, refresh_folder], minimum_interval_seconds=10,
           default_status=dg.DefaultSensorStatus.RUNNING)
def raw_folder_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Watches QFIN_RAW_DIR: a new or changed file (by sha256) adds its release partition and requests a run."""
    try:
        files = scan_folder(settings.raw_dir(), read_loaded_releases(settings.warehouse()))
    except WarehouseError as exc:  # busy, damaged, cannot open: say so on the tick
        return dg.SkipReason(str(exc))
    seen = json.loads(context.cursor) if context.cursor else {}
    current = dict(zip(files["source_file"], files["sha256"], strict=True))
    if current == seen:
        return dg.SkipReason("raw folder unchanged")
    changed = files.filter(pl.col("source_file").is_in([f for f, s in current.items() if seen.get(f) != s]))
    keys = runnable_keys(changed)
    known = set(context.instance.get_dynamic_partitions(RELEASES.name))
    new = [k for k in keys if k not in known]
    order = context.instance.get_dynamic_partitions(RELEASES.name) + new
    return dg.SensorResult(
        run_requests=_run_requests(changed, contiguous_ranges(keys, order), folder_state(files),
                                   removed=bool(set(seen) - set(current))),
        dynamic_partitions_requests=[RELEASES.build_add_request(new)] if new else [],
        cursor=json.dumps(current, sort_keys=True),
    )


@dg.schedule(job=load_releases, cron_schedule="0 6 * * *", default_status=dg.DefaultScheduleStatus.RUNNING)
def daily_reconcile(context: dg.ScheduleEvaluationContext):
    """Daily: load whatever the folder holds that the warehouse does not (a backstop for the sensor)."""
    try:
        files, new, ranges = plan_runs(context.instance, settings.raw_dir(), settings.warehouse())
    except WarehouseError as exc:
        return dg.SkipReason(str(exc))
    if new:
        context.instance.add_dynamic_partitions(RELEASES.name, new)
    requests = _run_requests(files, ranges, folder_state(files))
    return requests or dg.SkipReason("warehouse already holds every release in the folder")
