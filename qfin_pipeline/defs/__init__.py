"""Dagster layer: one folder per domain (releases, warehouse, models) plus automation; thin over pure code."""

import dagster as dg

from qfin_pipeline.defs.automation import daily_reconcile, load_releases, raw_folder_sensor, refresh_folder
from qfin_pipeline.defs.edgar import build_edgar_schedule, edgar_filings, fetch_edgar
from qfin_pipeline.defs.models.assets import build_model_assets
from qfin_pipeline.defs.releases import assets as release_assets
from qfin_pipeline.defs.releases import validation
from qfin_pipeline.defs.report import report
from qfin_pipeline.defs.resources import build_resources
from qfin_pipeline.defs.warehouse import assets as warehouse_assets
from qfin_pipeline.defs.warehouse import rejections


def build_defs(raw_dir: str | None = None, warehouse: str | None = None, **resource_options) -> dg.Definitions:
    """Every asset, check, job, sensor and schedule, bound to a raw folder and warehouse (default: from the env)."""
    return dg.Definitions(
        assets=[*dg.load_assets_from_modules([release_assets, validation, warehouse_assets, rejections]), build_model_assets(),
                edgar_filings, report],
        jobs=[load_releases, refresh_folder, fetch_edgar],
        sensors=[raw_folder_sensor],
        schedules=[daily_reconcile, build_edgar_schedule()],
        resources=build_resources(raw_dir, warehouse, **resource_options),
        executor=dg.in_process_executor,
    )
