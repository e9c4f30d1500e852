"""Accounting checks of one or more releases' facts, every rule derived from the catalog (no per-line code).

`run_checks(facts, fx)` returns one row per check evaluation (the `check_results` columns but
`checked_at`): identities of identities.csv, figures printed twice, USD translation, ratios of
ratios.csv, per-ADS vs per-share, prose vs tables, stated changes, completeness. The check names,
severities and one-line descriptions live in catalog/checks.csv (`check_catalog()`).

Tolerances come from printed precision: a figure printed to 10^-d stands for a true value within
0.5·10^-d, so a relation between printed figures holds within the sum of those half units.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.validate._frames import RESULT_SCHEMA, empty_results, table_facts
from qfin_pipeline.validate.disclosure import (
    metric_mapped,
    narrative_vs_table,
    reported_change,
    statements_present,
)
from qfin_pipeline.validate.identities import identities, repeated_figures
from qfin_pipeline.validate.ratios import ads_ratio, ratios
from qfin_pipeline.validate.translation import usd_translation


def check_catalog() -> pl.DataFrame:
    """check_name, severity, description of every check (for the README and Dagster asset checks)."""
    return catalog.checks()


def blocking_failures(results: pl.DataFrame) -> pl.DataFrame:
    """The evaluations that must keep a release out of the warehouse."""
    return results.filter((pl.col("severity") == "blocking") & (pl.col("status") == "failed"))


def summary(results: pl.DataFrame) -> pl.DataFrame:
    """Per release and check: evaluations, passed, failed, warnings (in catalog order)."""
    order = {name: i for i, name in enumerate(catalog.checks()["check_name"])}
    return (
        results.group_by("release_id", "check_name")
        .agg(
            evaluations=pl.len(),
            passed=(pl.col("status") == "passed").sum(),
            failed=(pl.col("status") == "failed").sum(),
            warnings=(pl.col("status") == "warning").sum(),
        )
        .sort("release_id", pl.col("check_name").replace_strict(order, default=len(order)))
    )


def run_checks(
    facts: pl.DataFrame,
    fx_rmb_per_usd: float | Mapping[str, float | None] | None,
    *,
    release_id: str | None = None,
) -> pl.DataFrame:
    """Every check on the facts of one release, or of several at once (one group per release_id).

    `fx_rmb_per_usd`: the release's stated rate, or {release_id: rate} for several releases; a release
    without a stated rate is checked against the rate its own table implies (the median RMB/USD).
    `release_id` names the release when `facts` may be empty (then `statements_present` fails for it).
    """
    # Checks compare within tolerances of half a printed unit: floats suffice here (the warehouse keeps the decimals).
    facts = facts.select(list(_FACT_COLUMNS)).with_columns(pl.col("value").cast(pl.Float64))
    table = table_facts(facts)
    releases = facts["release_id"].unique().to_list()
    if release_id is not None and release_id not in releases:
        releases.append(release_id)
    frames = [
        identities(table),
        repeated_figures(table),
        usd_translation(table, fx_rmb_per_usd),
        ratios(table),
        ads_ratio(table),
        narrative_vs_table(facts),
        reported_change(facts),
        metric_mapped(table),
        statements_present(table, releases),
    ]
    return pl.concat([f for f in frames if not f.is_empty()] or [empty_results()], how="vertical").cast(
        RESULT_SCHEMA
    )


_FACT_COLUMNS = (
    "release_id",
    "kind",
    "statement",
    "section",
    "label",
    "metric_id",
    "period_type",
    "period_start",
    "period_end",
    "currency",
    "unit",
    "value",
    "decimals",
    "source_line",
    "source_column",
)
