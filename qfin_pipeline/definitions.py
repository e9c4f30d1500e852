"""The one Definitions object `dagster dev` loads (pyproject: [tool.dagster] module_name)."""

import dagster as dg

from qfin_pipeline.defs.automation import daily_reconcile, load_releases, raw_folder_sensor, refresh_folder
from qfin_pipeline.defs.models.assets import build_model_assets
from qfin_pipeline.defs.releases import assets as release_assets
from qfin_pipeline.defs.releases import validation
from qfin_pipeline.defs.resources import build_resources
from qfin_pipeline.defs.warehouse import assets as warehouse_assets
from qfin_pipeline.defs.warehouse import checks as warehouse_checks

defs = dg.Definitions(
    assets=[*dg.load_assets_from_modules([release_assets, validation, warehouse_assets]), *build_model_assets()],
    asset_checks=dg.load_asset_checks_from_modules([warehouse_checks]),
    jobs=[load_releases, refresh_folder],
    sensors=[raw_folder_sensor],
    schedules=[daily_reconcile],
    resources=build_resources(),
    executor=dg.in_process_executor,
)
