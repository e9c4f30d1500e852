"""All checks of a run's releases in one frame: readable, facts schema, then the accounting checks (batched)."""

from __future__ import annotations

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.extract.facts import FACT_SCHEMA
from qfin_pipeline.validate._frames import RESULT_SCHEMA
from qfin_pipeline.validate.accounting import run_checks
from qfin_pipeline.validate.schemas import SchemaViolation, validate_facts


def check_catalog() -> pl.DataFrame:
    """check_name, severity, description of every per-release check."""
    return catalog.checks()


def _row(release_id: str, check: str, failed: bool, detail: str | None) -> dict:
    severity = catalog.check_severity()[check]
    status = "passed" if not failed else ("failed" if severity == "blocking" else "warning")
    return {"release_id": release_id, "check_name": check, "status": status, "severity": severity, "detail": detail}


def _schema_rows(facts: pl.DataFrame, files: dict) -> list[dict]:
    """Validate the whole batch at once; only when it fails, find the releases that fail by themselves."""
    releases = facts["release_id"].unique(maintain_order=True).to_list()
    try:
        validate_facts(facts, "run")
        return [_row(r, "facts_schema", False, None) for r in releases]
    except SchemaViolation:
        pass
    rows = []
    for (release_id,), part in facts.partition_by("release_id", as_dict=True, maintain_order=True).items():
        try:
            validate_facts(part, files.get(release_id, release_id))
            rows.append(_row(release_id, "facts_schema", False, None))
        except SchemaViolation as exc:
            rows.append(_row(release_id, "facts_schema", True, str(exc)))
    return rows


CHUNK = 100  # releases checked together: the checks' joins stay small however many releases a run loads


def run_release_checks(release_facts: pl.DataFrame, fx: dict, files: dict) -> pl.DataFrame:
    """All checks, a chunk of releases at a time (memory stays flat for a 1,000-release backfill)."""
    ids = release_facts["release_id"].unique(maintain_order=True).to_list()
    if len(ids) <= CHUNK:
        return _check_chunk(release_facts, fx, files)
    return pl.concat([_check_chunk(release_facts.filter(pl.col("release_id").is_in(ids[i:i + CHUNK])), fx, files)
                      for i in range(0, len(ids), CHUNK)], how="vertical")


def _check_chunk(release_facts: pl.DataFrame, fx: dict, files: dict) -> pl.DataFrame:
    """release_facts carries a `problem` column: a release that could not be read has one row naming why."""
    problems = release_facts.filter(pl.col("problem").is_not_null())
    facts = release_facts.filter(pl.col("problem").is_null()).select(list(FACT_SCHEMA))
    unreadable = set(problems["release_id"])
    rows = [_row(r["release_id"], "readable", True, f"{files.get(r['release_id'])}: {r['problem']}")
            for r in problems.iter_rows(named=True)]
    rows += [_row(r, "readable", False, files.get(r)) for r in facts["release_id"].unique(maintain_order=True)
             if r not in unreadable]
    if facts.height:
        rows += _schema_rows(facts, files)
    present = set(facts["release_id"])
    checked = run_checks(facts, {k: v for k, v in fx.items() if k in present}) if facts.height else None
    frames = [pl.DataFrame(rows, schema=RESULT_SCHEMA)]
    if checked is not None and checked.height:
        frames.append(checked.cast(RESULT_SCHEMA))
    return pl.concat(frames, how="vertical")


CLAIM_COLUMNS = {"source_file": pl.String, "sha256": pl.String, "claim_rank": pl.Int32}


def check_claims(release_facts: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """The checks of every file claiming a release, and each file's outcome: `loaded` (the first by claim rank
    that passes every blocking check), `quarantined` (failed one) or `superseded` (passed; an earlier file
    holds the claim). Files are checked one claim rank at a time, so a batch never holds a release twice.
    `release_facts` and `documents` carry source_file; documents also sha256, claim_rank, fx_rmb_per_usd."""
    claims = documents.select("release_id", *CLAIM_COLUMNS, "fx_rmb_per_usd")
    frames = []
    for rank in sorted(claims["claim_rank"].unique().to_list()):
        these = claims.filter(pl.col("claim_rank") == rank)
        facts = release_facts.join(these.select("release_id", "source_file"), on=["release_id", "source_file"],
                                   how="semi", nulls_equal=True)
        fx = dict(zip(these["release_id"], these["fx_rmb_per_usd"], strict=True))
        files = dict(zip(these["release_id"], these["source_file"], strict=True))
        checked = run_release_checks(facts.drop("source_file"), fx, files)
        empty = these.join(checked, on="release_id", how="anti")  # identified as a release, yet no figure read
        unread = [_row(r, "readable", True, f"{f}: no figure could be read")
                  for r, f in empty.select("release_id", "source_file").iter_rows()]
        checked = pl.concat([checked, pl.DataFrame(unread, schema=RESULT_SCHEMA)], how="vertical")
        frames.append(checked.join(these.drop("fx_rmb_per_usd"), on="release_id", how="left"))
    results = pl.concat([pl.DataFrame(schema=RESULT_SCHEMA | CLAIM_COLUMNS), *frames], how="vertical")
    return results.join(claim_outcomes(results), on=["release_id", "claim_rank"], how="left")


def claim_outcomes(results: pl.DataFrame) -> pl.DataFrame:
    """release_id, claim_rank -> outcome: the first file (by rank) with no failed blocking check is loaded."""
    files = results.group_by("release_id", "claim_rank").agg(
        failed=((pl.col("status") == "failed") & (pl.col("severity") == "blocking")).any()
    )
    winner = files.filter(~pl.col("failed")).group_by("release_id").agg(winner=pl.col("claim_rank").min())
    return files.join(winner, on="release_id", how="left").select(
        "release_id", "claim_rank",
        outcome=pl.when("failed").then(pl.lit("quarantined"))
        .when(pl.col("claim_rank") == pl.col("winner")).then(pl.lit("loaded"))
        .otherwise(pl.lit("superseded")),
    )
