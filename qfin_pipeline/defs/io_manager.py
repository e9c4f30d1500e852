"""Polars frames between assets, one Parquet file per release partition, so range runs and single reruns both work."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

PARTITION_COLUMN = "release_id"


class ReleaseFrameIOManager(dg.ConfigurableIOManager):
    """Stores an asset's frame split by release_id; loads the partitions a step asks for, concatenated."""

    base_dir: str | None = None

    def _dir(self, instance: dg.DagsterInstance, asset_key: dg.AssetKey) -> Path:
        base = Path(self.base_dir) if self.base_dir else Path(instance.storage_directory())
        return base / "frames" / "__".join(asset_key.path)

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        folder = self._dir(context.step_context.instance, context.asset_key)
        folder.mkdir(parents=True, exist_ok=True)
        if not context.has_asset_partitions:
            obj.write_parquet(folder / "all.parquet")
            return
        parts = obj.partition_by(PARTITION_COLUMN, as_dict=True, maintain_order=True) if obj.height else {}
        for key in context.asset_partition_keys:
            part = parts.get((key,), obj.clear())
            tmp = folder / f".{key}.parquet.tmp"
            part.write_parquet(tmp)
            tmp.replace(folder / f"{key}.parquet")  # atomic: a killed run never leaves half a file
        context.add_output_metadata({"rows": obj.height, "releases": len(context.asset_partition_keys)})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        folder = self._dir(context.instance, context.asset_key)
        if not context.has_asset_partitions:
            return pl.read_parquet(folder / "all.parquet")
        files = [folder / f"{key}.parquet" for key in context.asset_partition_keys]
        missing = [f.stem for f in files if not f.exists()]
        if missing:
            raise FileNotFoundError(f"{context.asset_key.to_user_string()}: not materialized for {missing}")
        return pl.concat([pl.read_parquet(f) for f in files], how="vertical_relaxed")
