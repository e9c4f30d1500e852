"""Raw files -> identified release documents -> extracted fact frames (one partition per release; each
partition carries every file that claims the release, so the checks can give the claim to one that passes)."""


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
from qfin_pipeline.extract.facts import FACT_SCHEMA, UNREAD_SCHEMA
from qfin_pipeline.planning import candidates, parse_release, scan_folder

PER_RELEASE = {"partitions_def": RELEASES, "backfill_policy": dg.BackfillPolicy.single_run()}
FILE = {"source_file": pl.String}  # which of the files claiming the release a row was read from


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
    """Each release's text as normalized lines, with company, quarter, period end and publication date read from
    it: one row per file claiming the release (they all go through extraction and checks)."""
    claims = candidates(raw_files, list(context.partition_keys)).partition_by("release_id", as_dict=True)
    rows = []
    for key in context.partition_keys:
        files = claims.get((key,))
        if files is None:
            rows.append(problem_row(key, None, None, "no file in the raw folder holds this release"))
            continue
        rows += [_read_claim(key, path, rank) for path, rank in files.select("path", "claim_rank").iter_rows()]
    docs = documents_frame(rows)
    context.add_output_metadata({"releases": len(context.partition_keys), "files": docs.height,
                                 "with_problems": docs["problem"].is_not_null().sum()})
    return docs


def _read_claim(key: str, path: str, rank: int) -> dict:
    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()  # the bytes read now, even if the file changed since the scan
    try:
        doc = parse_release(data, Path(path).name, sha, keep=False)
    except ReleaseError as exc:
        return problem_row(key, Path(path).name, sha, exc.problem, rank)
    if doc.info.release_id != key:
        return problem_row(key, doc.source_file, sha, f"now claims {doc.info.release_id}, not {key}", rank)
    return document_row(doc, rank)


@dg.multi_asset(
    outs={
        "release_facts": dg.AssetOut(group_name="releases", description=(
            "Every number each file claiming a release prints, as Polars fact rows (a file that cannot be read: "
            "one row naming why).")),
        "release_unread": dg.AssetOut(group_name="releases", description=(
            "Every number in each file's prose that is not a fact, with the reason (date, footnote marker, "
            "no pattern, ...).")),
    },
    **PER_RELEASE,
)
def extract_releases(context: dg.AssetExecutionContext, release_documents: pl.DataFrame):
    """Extract the facts and the unread prose figures of every file claiming a release of the run."""
    readable = release_documents.filter(pl.col("problem").is_null())
    problems = release_documents.filter(pl.col("problem").is_not_null()).select("release_id", "source_file", "problem")
    facts, unread, failed = [], [], []
    results = extract_many([to_document(row) for row in readable.iter_rows(named=True)])
    for source_file, (release_id, extraction, problem) in zip(readable["source_file"], results, strict=True):
        if problem is not None:
            failed.append({"release_id": release_id, "source_file": source_file, "problem": problem})
            continue
        facts.append(extraction.facts.with_columns(source_file=pl.lit(source_file)))
        unread.append(extraction.unread.with_columns(source_file=pl.lit(source_file)))
    facts_frame = pl.concat([pl.DataFrame(schema=FACT_SCHEMA | FILE), *facts], how="vertical")
    unread_frame = pl.concat([pl.DataFrame(schema=UNREAD_SCHEMA | FILE), *unread], how="vertical")
    problem_rows = pl.concat([problems, pl.DataFrame(failed, schema=problems.schema)], how="vertical")
    out = pl.concat([facts_frame.with_columns(problem=pl.lit(None, pl.String)), problem_rows], how="diagonal")
    yield dg.Output(out, output_name="release_facts", metadata={
        "facts": facts_frame.height,
        "facts_by_kind": dg.MetadataValue.json(dict(facts_frame.group_by("kind").len().sort("kind").iter_rows())),
        "unreadable_files": problem_rows.height,
    })
    yield dg.Output(unread_frame, output_name="release_unread", metadata={
        "unread": unread_frame.height,
        "by_reason": dg.MetadataValue.json(dict(unread_frame.group_by("reason").len().sort("reason").iter_rows())),
    })

