"""Validated facts: pandera schema and accounting checks per release; a release failing a blocking check is quarantined here."""


import dagster as dg
import polars as pl

from qfin_pipeline.defs.resources import RELEASES
from qfin_pipeline.extract.facts import FACT_SCHEMA
from qfin_pipeline.validate.runner import check_catalog, run_release_checks

CHECKS = check_catalog()


@dg.multi_asset(
    outs={
        "validated_facts": dg.AssetOut(group_name="releases", description=(
            "Facts of each release that passed every blocking check (a quarantined release has none).")),
        "release_checks": dg.AssetOut(group_name="releases", description=(
            "One row per check evaluation per release: expected, actual, tolerance, status, severity.")),
    },
    check_specs=[
        dg.AssetCheckSpec(row["check_name"], asset="validated_facts", description=row["description"])
        for row in CHECKS.iter_rows(named=True)
    ],
    partitions_def=RELEASES,
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def validate_releases(context: dg.AssetExecutionContext, release_facts: pl.DataFrame, release_documents: pl.DataFrame):
    """Run schema and accounting checks on each release of the run; keep only releases that pass the blocking ones."""
    fx = dict(zip(release_documents["release_id"], release_documents["fx_rmb_per_usd"], strict=True))
    files = dict(zip(release_documents["release_id"], release_documents["source_file"], strict=True))
    results = run_release_checks(release_facts, fx, files)
    failed = results.filter((pl.col("status") == "failed") & (pl.col("severity") == "blocking"))
    quarantined = failed["release_id"].unique().to_list()
    validated = release_facts.filter(pl.col("problem").is_null() & ~pl.col("release_id").is_in(quarantined))
    for row in failed.iter_rows(named=True):
        context.log.error(f"{row['release_id']}: {row['check_name']}: {row['detail']}")
    yield dg.Output(validated.select(list(FACT_SCHEMA)), output_name="validated_facts",
                    metadata={"facts": validated.height, "quarantined_releases": dg.MetadataValue.json(quarantined)})
    yield dg.Output(results, output_name="release_checks", metadata={"evaluations": results.height})
    for row in CHECKS.iter_rows(named=True):
        mine = results.filter(pl.col("check_name") == row["check_name"])
        bad = mine.filter(pl.col("status") == "failed")
        first = bad.row(0, named=True) if bad.height else {}
        yield dg.AssetCheckResult(
            asset_key="validated_facts", check_name=row["check_name"], passed=bad.height == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "evaluations": mine.height, "failed": bad.height, "severity_on_failure": row["severity"],
                "failing_releases": dg.MetadataValue.json(bad["release_id"].unique().sort().to_list()),
                "expected": first.get("expected"), "actual": first.get("actual"),
                "difference": None if not first else (first["actual"] or 0) - (first["expected"] or 0),
                "tolerance": first.get("tolerance"), "detail": first.get("detail", ""),
            },
        )


