"""Validated facts: pandera schema and accounting checks on every file claiming a release; the claim goes to
the first file that passes the blocking ones, and a file failing one is quarantined here.

In the UI: the per-release checks are non-blocking (ERROR severity for the accounting ones) because one bad
release must never stop the others of a run; each names the files it quarantined. What passed through is
guarded by a blocking check that nothing failing reached `validated_facts`.
"""

import dagster as dg
import polars as pl

from qfin_pipeline.defs.resources import RELEASES
from qfin_pipeline.extract.facts import FACT_SCHEMA
from qfin_pipeline.validate.runner import check_catalog, check_claims

CHECKS = check_catalog()
ON_EXTRACTED = (" Evaluated on every file of the run claiming a release, before anything passes through; "
                "a file failing a blocking rule is quarantined (left out of validated_facts) and named here. "
                "Non-blocking in Dagster so one bad release never stops the others of a run.")
NOTHING_FAILING = dg.AssetCheckSpec(
    "validated_facts_hold_only_passing_files", asset="validated_facts", blocking=True,
    description="Every release in validated_facts comes from one file, and that file passed every blocking check.",
)


@dg.multi_asset(
    outs={
        "validated_facts": dg.AssetOut(group_name="releases", description=(
            "Facts of the file that holds each release: the first claiming file that passed every blocking check "
            "(a release none of whose files passed has none).")),
        "release_checks": dg.AssetOut(group_name="releases", description=(
            "One row per check evaluation per file claiming a release: expected, actual, tolerance, status, "
            "severity, and the file's outcome (loaded, quarantined, superseded).")),
    },
    check_specs=[
        *(dg.AssetCheckSpec(row["check_name"], asset="validated_facts", description=row["description"] + ON_EXTRACTED)
          for row in CHECKS.iter_rows(named=True)),
        NOTHING_FAILING,
    ],
    partitions_def=RELEASES,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def validate_releases(context: dg.AssetExecutionContext, release_facts: pl.DataFrame, release_documents: pl.DataFrame):
    """Check every file claiming each release of the run; pass on the facts of the first file that passes."""
    results = check_claims(release_facts, release_documents)
    loaded = results.filter(pl.col("outcome") == "loaded").select("release_id", "source_file").unique()
    validated = release_facts.filter(pl.col("problem").is_null()).join(loaded, on=["release_id", "source_file"], how="semi")
    failed = results.filter((pl.col("status") == "failed") & (pl.col("severity") == "blocking"))
    for row in failed.iter_rows(named=True):
        context.log.error(f"{row['source_file']} ({row['release_id']}): quarantined: {row['check_name']}: {row['detail']}")
    quarantined = _files(results.filter(pl.col("outcome") == "quarantined"))
    yield dg.Output(validated.select(list(FACT_SCHEMA)), output_name="validated_facts", metadata={
        "facts": validated.height, "quarantined_files": dg.MetadataValue.json(quarantined)})
    yield dg.Output(results, output_name="release_checks", metadata={"evaluations": results.height})
    for row in CHECKS.iter_rows(named=True):
        yield _check_result(row, results.filter(pl.col("check_name") == row["check_name"]))
    yield _nothing_failing(validated, failed)


def _files(rows: pl.DataFrame) -> list[str]:
    """'file (release)' for each file of the rows."""
    pairs = rows.select("source_file", "release_id").unique().sort("release_id", "source_file")
    return [f"{file or '(no file)'} ({release})" for file, release in pairs.iter_rows()]


def _check_result(check: dict, mine: pl.DataFrame) -> dg.AssetCheckResult:
    bad = mine.filter(pl.col("status") != "passed")
    first = bad.row(0, named=True) if bad.height else {}
    blocking = check["severity"] == "blocking"
    return dg.AssetCheckResult(
        asset_key="validated_facts", check_name=check["check_name"], passed=bad.height == 0,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        metadata={
            "evaluations": mine.height, "failed": bad.height,
            "on_failure": "the file is quarantined" if blocking else "a warning; the file loads",
            "failing_files": dg.MetadataValue.json(_files(bad)),
            "quarantined_files": dg.MetadataValue.json(_files(bad) if blocking else []),
            "expected": first.get("expected"), "actual": first.get("actual"),
            "difference": None if not first else (first["actual"] or 0) - (first["expected"] or 0),
            "tolerance": first.get("tolerance"), "detail": first.get("detail", ""),
        },
    )


def _nothing_failing(validated: pl.DataFrame, failed: pl.DataFrame) -> dg.AssetCheckResult:
    leaked = validated.join(failed, on=["release_id", "source_file"], how="semi")
    files_per_release = validated.group_by("release_id").agg(pl.col("source_file").n_unique())
    mixed = files_per_release.filter(pl.col("source_file") > 1)["release_id"].to_list()
    return dg.AssetCheckResult(
        asset_key="validated_facts", check_name=NOTHING_FAILING.name, passed=leaked.is_empty() and not mixed,
        metadata={"leaked_files": dg.MetadataValue.json(_files(leaked)),
                  "releases_from_several_files": dg.MetadataValue.json(mixed)},
    )
