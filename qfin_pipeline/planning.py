"""What the raw folder holds against what the warehouse has loaded: new, changed, unchanged, duplicate, rejected."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl

from qfin_pipeline.extract import Document, ReleaseError, read_document

SCAN_SCHEMA = {
    "source_file": pl.String, "path": pl.String, "sha256": pl.String, "size": pl.Int64,
    "release_id": pl.String, "status": pl.String, "reason": pl.String,
}
LOADABLE = ("new", "changed", "unchanged")
_PARSED: dict[tuple[str, str], Document] = {}  # (sha256, file name) -> Document: the scan's parse, reused by the run


def parse_release(data: bytes, source_file: str, sha: str, *, keep: bool = True) -> Document:
    """read_document, remembered for this process: the folder scan and the documents asset parse each file once.
    `keep=False` (the documents asset, the last user) hands the parse over and forgets it."""
    key = (sha, source_file)
    doc = _PARSED.pop(key, None) or read_document(data, source_file, sha)
    if keep:
        _PARSED[key] = doc
    return doc


def input_files(raw_dir: str | Path) -> list[Path]:
    """Every regular, non-hidden file of the folder (sorted by name, so runs are deterministic)."""
    folder = Path(raw_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def scan_folder(raw_dir: str | Path, loaded: pl.DataFrame) -> pl.DataFrame:
    """One row per input file. `loaded` holds the warehouse's releases (release_id, source_file, sha256)."""
    known_sha = dict(zip(loaded["sha256"], loaded["release_id"], strict=True))
    loaded_file = dict(zip(loaded["release_id"], loaded["source_file"], strict=True))
    loaded_pairs = set(zip(loaded["source_file"], loaded["sha256"], strict=True))
    contents = [(path, path.read_bytes()) for path in input_files(raw_dir)]
    hashed = [(path, data, hashlib.sha256(data).hexdigest()) for path, data in contents]
    # Of byte-identical files, the one the warehouse loaded from is the original; else the first by name.
    hashed.sort(key=lambda item: ((item[0].name, item[2]) not in loaded_pairs, item[0].name))
    rows, first_of_sha = [], {}
    for path, data, sha in hashed:
        row = {"source_file": path.name, "path": str(path), "sha256": sha, "size": len(data), "release_id": None}
        if sha in first_of_sha:
            rows.append(row | {"status": "duplicate", "reason": f"byte-identical copy of {first_of_sha[sha]} (skipped)"})
            continue
        first_of_sha[sha] = path.name
        if sha in known_sha:
            rows.append(row | {"release_id": known_sha[sha], "status": "unchanged", "reason": None})
            continue
        try:
            release_id = parse_release(data, path.name, sha).info.release_id
        except ReleaseError as exc:
            rows.append(row | {"status": "rejected", "reason": exc.problem})
            continue
        status = "changed" if loaded_file.get(release_id) == path.name else "new"
        rows.append(row | {"release_id": release_id, "status": status, "reason": None})
    rows.sort(key=lambda r: r["source_file"])
    return _resolve_claims(pl.DataFrame(rows, schema=SCAN_SCHEMA), loaded_file)


def _resolve_claims(files: pl.DataFrame, loaded_file: dict[str, str]) -> pl.DataFrame:
    """Several files claiming one release: the loaded file stays; each newcomer is rejected naming both."""
    claims = files.filter(pl.col("status").is_in(LOADABLE))
    keep = (
        claims.with_columns(is_loaded=pl.col("source_file") == pl.col("release_id").replace_strict(loaded_file, default=None))
        .sort(["release_id", "is_loaded", "source_file"], descending=[False, True, False])
        .group_by("release_id", maintain_order=True)
        .agg(kept=pl.col("source_file").first())
    )
    return (
        files.join(keep, on="release_id", how="left")
        .with_columns(
            conflict=pl.col("status").is_in(LOADABLE) & (pl.col("source_file") != pl.col("kept"))
        )
        .with_columns(
            status=pl.when("conflict").then(pl.lit("conflict")).otherwise("status"),
            reason=pl.when("conflict")
            .then(pl.format("claims release {}, which {} already holds; {} stays", "release_id", "kept", "kept"))
            .otherwise("reason"),
        )
        .select(list(SCAN_SCHEMA))
    )


def runnable_keys(files: pl.DataFrame, include_unchanged: bool = False) -> list[str]:
    """Release ids a run should (re)load."""
    statuses = LOADABLE if include_unchanged else ("new", "changed")
    return files.filter(pl.col("status").is_in(statuses))["release_id"].unique(maintain_order=True).to_list()
