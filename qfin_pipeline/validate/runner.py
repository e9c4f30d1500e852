"""All checks of a run's releases in one frame: readable, schema, then the accounting checks."""

from __future__ import annotations

import polars as pl

CHECK_RESULT_SCHEMA = {
    "release_id": pl.String, "check_name": pl.String, "status": pl.String, "severity": pl.String,
    "expected": pl.Float64, "actual": pl.Float64, "tolerance": pl.Float64, "detail": pl.String,
}
READABLE = {"check_name": "readable", "severity": "blocking",
            "description": "The file is a release of the issuer whose every table cell could be read."}


def check_catalog() -> pl.DataFrame:
    return pl.DataFrame([READABLE])


def run_release_checks(release_facts: pl.DataFrame, fx: dict, files: dict) -> pl.DataFrame:
    rows = []
    for (release_id,), part in release_facts.partition_by("release_id", as_dict=True, maintain_order=True).items():
        problem = part["problem"].drop_nulls()
        rows.append({
            "release_id": release_id, "check_name": "readable", "severity": "blocking",
            "status": "failed" if problem.len() else "passed", "detail": problem[0] if problem.len() else files.get(release_id),
        })
    return pl.DataFrame(rows, schema=CHECK_RESULT_SCHEMA)
