"""EDGAR in Dagster: the `edgar_filings` asset and an hourly schedule, on only when QFIN_EDGAR_USER_AGENT is set."""

import os

import dagster as dg
from dagster_duckdb import DuckDBResource

from qfin_pipeline.defs.resources import RawFolder
from qfin_pipeline.edgar import USER_AGENT_VAR, EdgarSettings, MissingUserAgent

FETCH_JOB = "fetch_edgar"


@dg.asset(group_name="edgar")
def edgar_filings(context: dg.AssetExecutionContext, raw_folder: RawFolder, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """QFIN's earnings releases filed on SEC EDGAR (6-K exhibits), downloaded into the raw folder; see fetched_filings."""
    try:
        settings = EdgarSettings.from_env()
    except MissingUserAgent as exc:  # fetching is off: a "Materialize all" still loads the raw folder downstream
        context.log.warning(f"EDGAR fetching is off: {exc}")
        return dg.MaterializeResult(metadata={"fetching": "off: QFIN_EDGAR_USER_AGENT is not set", "downloaded": 0})
    from qfin_pipeline.edgar import FetchRecord, fetch  # the HTTP client: only when a fetch runs

    # read and record through this run's warehouse version (published with the run)
    report = fetch(raw_folder.path, FetchRecord(duckdb.get_connection, duckdb.get_connection), settings=settings)
    for line in report.lines():
        (context.log.warning if line.lstrip().startswith("failed") else context.log.info)(line.strip())
    new = [o for o in report.outcomes if o.outcome == "release" and o.downloaded]
    return dg.MaterializeResult(metadata={
        "filings_listed": report.listed,
        "current_reports": report.current_reports,
        "already_recorded": report.already_recorded,
        "releases": report.count("release"),
        "not_a_release": report.count("not a release"),
        "failed": report.count("failed"),
        "downloaded": report.downloaded,
        "new_files": dg.MetadataValue.json({o.source_file: o.release_id for o in new}),
        "source": dg.MetadataValue.url(settings.data_url),
    })


fetch_edgar = dg.define_asset_job(FETCH_JOB, selection=dg.AssetSelection.assets(edgar_filings),
                                  description="Download new QFIN releases from SEC EDGAR into the raw folder.")


def build_edgar_schedule() -> dg.ScheduleDefinition:
    """The schedule starts running only if QFIN_EDGAR_USER_AGENT is set when the definitions load."""
    running = bool(os.environ.get(USER_AGENT_VAR, "").strip())

    @dg.schedule(job=fetch_edgar, cron_schedule="15 * * * *",
                 default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED)
    def edgar_hourly(context: dg.ScheduleEvaluationContext):
        """Hourly: fetch new releases from EDGAR (the raw-folder sensor then loads them); off without a User-Agent."""
        try:
            EdgarSettings.from_env()
        except MissingUserAgent as exc:
            return dg.SkipReason(str(exc))
        return dg.RunRequest()

    return edgar_hourly
