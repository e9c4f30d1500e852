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
LOADABLE = ("new", "changed", "unchanged")  # statuses of files that may hold a release
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


def hash_folder(raw_dir: str | Path) -> pl.DataFrame:
    """source_file, sha256 of every input file (no parsing: what `qfin status` needs)."""
    rows = [(p.name, hashlib.sha256(p.read_bytes()).hexdigest()) for p in input_files(raw_dir)]
    return pl.DataFrame(rows, schema={"source_file": pl.String, "sha256": pl.String}, orient="row")


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
    """A release whose loaded file is still in the folder, unchanged, stays with it: each other file claiming it
    is a conflict naming that holder. Otherwise every new or changed file claiming a release is a candidate:
    the run checks them all and gives the claim to the first that passes (candidates())."""
    held = files.filter(pl.col("status") == "unchanged").select("release_id", holder="source_file")
    return (
        files.join(held, on="release_id", how="left")
        .with_columns(conflict=pl.col("status").is_in(["new", "changed"]) & pl.col("holder").is_not_null())
        .with_columns(
            status=pl.when("conflict").then(pl.lit("conflict")).otherwise("status"),
            reason=pl.when("conflict")
            .then(pl.format("claims release {}, which {} already holds; {} stays", "release_id", "holder", "holder"))
            .otherwise("reason"),
        )
        .select(list(SCAN_SCHEMA))
    )


def candidates(files: pl.DataFrame, release_ids: list[str]) -> pl.DataFrame:
    """The files that may take each release's claim, in the order they get it: the file the warehouse loaded
    the release from first, then the others by name (`claim_rank` 0, 1, ...)."""
    return (
        files.filter(pl.col("status").is_in(LOADABLE) & pl.col("release_id").is_in(release_ids))
        .sort(pl.col("release_id"), pl.col("status") == "new", pl.col("source_file"))
        .with_columns(claim_rank=pl.int_range(pl.len()).over("release_id").cast(pl.Int32))
    )


def runnable_keys(files: pl.DataFrame, include_unchanged: bool = False) -> list[str]:
    """Release ids a run should (re)load."""
    statuses = LOADABLE if include_unchanged else ("new", "changed")
    return files.filter(pl.col("status").is_in(statuses))["release_id"].unique(maintain_order=True).to_list()
