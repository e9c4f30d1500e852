"""Dagster layer: one folder per domain (releases, warehouse, models) plus automation; thin over pure code."""

import dagster as dg

from qfin_pipeline.defs.automation import daily_reconcile, load_releases, raw_folder_sensor, refresh_folder
from qfin_pipeline.defs.models.assets import build_model_assets
from qfin_pipeline.defs.releases import assets as release_assets
from qfin_pipeline.defs.releases import validation
from qfin_pipeline.defs.report import report
from qfin_pipeline.defs.resources import build_resources
from qfin_pipeline.defs.warehouse import assets as warehouse_assets


def build_defs(raw_dir: str | None = None, warehouse: str | None = None) -> dg.Definitions:
    """Every asset, check, job, sensor and schedule, bound to a raw folder and warehouse (default: from the env)."""
    return dg.Definitions(
        assets=[*dg.load_assets_from_modules([release_assets, validation, warehouse_assets]), build_model_assets(), report],
        jobs=[load_releases, refresh_folder],
        sensors=[raw_folder_sensor],
        schedules=[daily_reconcile],
        resources=build_resources(raw_dir, warehouse),
        executor=dg.in_process_executor,
    )
