"""Resources every asset shares: the raw folder, the warehouse, and the frame store between steps."""

from __future__ import annotations

import dagster as dg
from dagster_duckdb import DuckDBResource

from qfin_pipeline import settings
from qfin_pipeline.defs.io_manager import ReleaseFrameIOManager

RELEASES = dg.DynamicPartitionsDefinition(name="releases")


class RawFolder(dg.ConfigurableResource):
    """The folder releases are dropped into (QFIN_RAW_DIR)."""

    path: str


def build_resources(raw_dir: str | None = None, warehouse: str | None = None) -> dict:
    return {
        "raw_folder": RawFolder(path=raw_dir or settings.raw_dir()),
        # DuckDB would take up to 80% of RAM; a run's working set fits in far less (it spills beyond the limit)
        "duckdb": DuckDBResource(database=warehouse or settings.warehouse(), connection_config={"memory_limit": "1GB"}),
        "io_manager": ReleaseFrameIOManager(),
    }
