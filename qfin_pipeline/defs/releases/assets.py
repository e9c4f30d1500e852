"""Raw files -> identified release documents -> extracted fact frames (one partition per release)."""


import hashlib
from pathlib import Path

import dagster as dg
import polars as pl
from dagster_duckdb import DuckDBResource

from qfin_pipeline.defs.releases.documents import document_row, documents_frame, problem_row, to_document
from qfin_pipeline.defs.resources import RELEASES, RawFolder
from qfin_pipeline.defs.warehouse.tables import loaded_releases
from qfin_pipeline.extract import ReleaseError
from qfin_pipeline.extract.batch import extract_many
from qfin_pipeline.extract.facts import FACT_SCHEMA
from qfin_pipeline.planning import LOADABLE, parse_release, scan_folder

PER_RELEASE = {"partitions_def": RELEASES, "backfill_policy": dg.BackfillPolicy.single_run()}


@dg.asset(group_name="releases", deps=["edgar_filings"])  # lineage: EDGAR -> raw file -> release
def raw_files(context: dg.AssetExecutionContext, raw_folder: RawFolder, duckdb: DuckDBResource) -> pl.DataFrame:
    """Every file in the raw folder: sha256, the release it claims, and new/changed/unchanged/duplicate/rejected."""
    with duckdb.get_connection() as con:
        loaded = loaded_releases(con)
    files = scan_folder(raw_folder.path, loaded)
    for row in files.filter(pl.col("status").is_in(["rejected", "conflict", "duplicate"])).iter_rows(named=True):
        log = context.log.info if row["status"] == "duplicate" else context.log.warning
        log(f"{row['source_file']}: {row['status']}: {row['reason']}")
    counts = files.group_by("status").len().sort("status")
    context.add_output_metadata({"files": files.height, **dict(counts.iter_rows())})
    return files


@dg.asset(group_name="releases", **PER_RELEASE)
def release_documents(context: dg.AssetExecutionContext, raw_files: pl.DataFrame) -> pl.DataFrame:
    """Each release's text as normalized lines, with company, quarter, period end and publication date read from it."""
    claims = raw_files.filter(pl.col("status").is_in(LOADABLE))
    paths = dict(zip(claims["release_id"], claims["path"], strict=True))
    rows = []
    for key in context.partition_keys:
        path = paths.get(key)
        if path is None:
            rows.append(problem_row(key, None, None, "no file in the raw folder holds this release"))
            continue
        data = Path(path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()  # the bytes read now, even if the file changed since the scan
        try:
            doc = parse_release(data, Path(path).name, sha, keep=False)
            rows.append(document_row(doc) if doc.info.release_id == key else problem_row(
                key, doc.source_file, sha, f"now claims {doc.info.release_id}, not {key}"))
        except ReleaseError as exc:
            rows.append(problem_row(key, Path(path).name, sha, exc.problem))
    docs = documents_frame(rows)
    context.add_output_metadata({"releases": docs.height, "with_problems": docs["problem"].is_not_null().sum()})
    return docs


@dg.asset(group_name="releases", **PER_RELEASE)
def release_facts(context: dg.AssetExecutionContext, release_documents: pl.DataFrame) -> pl.DataFrame:
    """Every number each release prints, as Polars fact rows (a release that cannot be read: one row naming why)."""
    readable = release_documents.filter(pl.col("problem").is_null())
    problems = release_documents.filter(pl.col("problem").is_not_null()).select("release_id", "problem").to_dicts()
    frames = []
    for release_id, facts, problem in extract_many([to_document(row) for row in readable.iter_rows(named=True)]):
        if problem is None:
            frames.append(facts)
        else:
            problems.append({"release_id": release_id, "problem": problem})
    facts = pl.concat([pl.DataFrame(schema=FACT_SCHEMA), *frames], how="vertical")
    problem_rows = pl.DataFrame(problems, schema={"release_id": pl.String, "problem": pl.String})
    out = pl.concat([facts.with_columns(problem=pl.lit(None, pl.String)), problem_rows], how="diagonal")
    context.add_output_metadata({
        "facts": facts.height,
        "facts_by_kind": dg.MetadataValue.json(dict(facts.group_by("kind").len().sort("kind").iter_rows())),
        "unreadable_releases": problem_rows.height,
    })
    return out
