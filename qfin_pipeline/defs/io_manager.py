"""Polars frames between assets: one Parquet file per step output plus a per-asset index of which file holds
which release, so a 1,000-release range run writes one file per asset and a single-release rerun still works."""

import fcntl
import json
import uuid
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import polars as pl

PARTITION_COLUMN = "release_id"
UNPARTITIONED = "__all__"


class ReleaseFrameIOManager(dg.ConfigurableIOManager):
    """Stores an asset's frame (rows carry release_id); loads the partitions a step asks for."""

    base_dir: str | None = None

    def _dir(self, instance: dg.DagsterInstance, asset_key: dg.AssetKey) -> Path:
        base = Path(self.base_dir) if self.base_dir else Path(instance.storage_directory())
        folder = base / "frames" / "__".join(asset_key.path)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    @contextmanager
    def _locked(self, folder: Path, mode: int):
        """The folder's lock: exclusive to write a frame and the index, shared to read (runs in several processes
        use it; a writer deletes files no longer indexed, so nobody reads or writes outside the lock)."""
        with open(folder / ".lock", "a") as lock:
            fcntl.flock(lock, mode)
            yield

    @contextmanager
    def _index(self, folder: Path):
        """The key -> file index (call under the exclusive lock)."""
        path = folder / "index.json"
        index = json.loads(path.read_text()) if path.exists() else {}
        yield index
        tmp = folder / f".index.{uuid.uuid4().hex}.tmp"
        tmp.write_text(json.dumps(index))
        tmp.replace(path)  # atomic: a killed run leaves the old index or the new one
        live = set(index.values())
        for stale in folder.glob("*.parquet"):
            if stale.name not in live:
                stale.unlink(missing_ok=True)

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame) -> None:
        folder = self._dir(context.step_context.instance, context.asset_key)
        name = f"{uuid.uuid4().hex}.parquet"
        keys = context.asset_partition_keys if context.has_asset_partitions else [UNPARTITIONED]
        with self._locked(folder, fcntl.LOCK_EX), self._index(folder) as index:
            obj.write_parquet(folder / name)
            index.update(dict.fromkeys(keys, name))
        context.add_output_metadata({"rows": obj.height, "releases": len(keys)})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        folder = self._dir(context.instance, context.asset_key)
        with self._locked(folder, fcntl.LOCK_SH):
            return self._load(context, folder)

    def _load(self, context: dg.InputContext, folder: Path) -> pl.DataFrame:
        keys = list(context.asset_partition_keys) if context.has_asset_partitions else [UNPARTITIONED]
        index = json.loads((folder / "index.json").read_text()) if (folder / "index.json").exists() else {}
        missing = [k for k in keys if k not in index]
        if missing:
            raise FileNotFoundError(f"{context.asset_key.to_user_string()}: not materialized for {missing[:5]}")
        files: dict[str, list[str]] = {}
        for key in keys:
            files.setdefault(index[key], []).append(key)
        frames = []
        for name, wanted in files.items():
            scan = pl.scan_parquet(folder / name)
            if context.has_asset_partitions:
                scan = scan.filter(pl.col(PARTITION_COLUMN).is_in(wanted))
            frames.append(scan.collect())
        return pl.concat(frames, how="vertical_relaxed")
