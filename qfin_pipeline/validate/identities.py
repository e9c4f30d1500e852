"""Identities of identities.csv and figures printed more than once."""

from __future__ import annotations

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.validate._frames import (
    KEY,
    empty_results,
    finish,
    half_unit,
    num,
    period_text,
    pick,
    printing,
)


def identities(table: pl.DataFrame) -> pl.DataFrame:
    """identities.csv: each printing of a total vs Σ sign·component in the same column (period, currency).

    Components printed several times are taken from the total's own statement first, then the nearest
    line (the reconciliation's own 'Add: Share-based compensation' line, not another table's). A
    component the release does not print counts as 0 and is named in the detail (a line dropped because
    it is nil, or a line read under another metric); a total none of whose components is printed is
    not evaluated.
    """
    ids = catalog.load("identities").with_columns(pl.col("sign").cast(pl.Float64))
    sizes = ids.group_by("identity").agg(n=pl.len())
    totals = table.join(
        ids.select("identity", "total_metric_id").unique(), left_on="metric_id", right_on="total_metric_id"
    ).select(
        "identity",
        *KEY,
        *printing("t", "statement", "line", "value", "decimals"),
        t_fid="fid",
        t_metric="metric_id",
    )
    needed = totals.join(ids.select("identity", "component_metric_id", "sign"), on="identity")
    components = table.select(
        *KEY,
        *printing("c", "statement", "line", "column", "value", "decimals"),
        component_metric_id="metric_id",
    )
    per = ["t_fid", "identity", "component_metric_id"]
    best = pick(
        needed,
        components,
        on=[*KEY, "component_metric_id"],
        per=per,
        rank=[
            pl.col("c_statement") != pl.col("t_statement"),
            (pl.col("c_line") - pl.col("t_line")).abs(),
            pl.col("c_line"),
            pl.col("c_column"),
        ],
    )
    if best.is_empty():
        return empty_results()
    terms = needed.join(best.select(*per, "c_line", "c_value", "c_decimals"), on=per, how="left")
    sign = pl.when(pl.col("sign") < 0).then(pl.lit("−")).otherwise(pl.lit("+"))
    where = (
        pl.when(pl.col("c_line").is_null())
        .then(pl.lit("(not printed: 0)"))
        .otherwise(pl.format("(line {})", "c_line"))
    )
    evaluated = (
        terms.sort("c_line", nulls_last=True)
        .group_by("identity", "t_fid")
        .agg(
            pl.col(*KEY, "t_metric", "t_line", "t_value", "t_decimals").first(),
            printed=pl.col("c_value").count(),
            expected=(pl.col("sign") * pl.col("c_value").fill_null(0.0)).sum(),
            components_tolerance=half_unit("c_decimals").fill_null(0.0).sum(),
            terms=pl.concat_str([sign, pl.col("component_metric_id"), where], separator=" ").str.join(" "),
        )
        .join(sizes, on="identity")
        .filter(pl.col("printed") >= 1)
        .sort("release_id", "t_line", "identity", "t_fid")
    )
    return finish(
        evaluated.with_columns(
            actual=pl.col("t_value"),
            tolerance=pl.col("components_tolerance") + half_unit("t_decimals"),
        ).with_columns(
            detail=pl.format(
                "{}: {} (line {}) = Σ sign·component: {} = {}, printed {}; {}; "
                "tolerance {} = 0.5·10^-decimals "
                "for each printed term ({} of {} components, and the total)",
                "identity",
                "t_metric",
                "t_line",
                "terms",
                num("expected"),
                num("actual"),
                period_text(),
                num("tolerance"),
                "printed",
                "n",
            )
        ),
        "identities",
    )


def repeated_figures(table: pl.DataFrame) -> pl.DataFrame:
    """A metric, period and currency printed in several tables or columns: each vs its first printing."""
    group = ["metric_id", *KEY]
    later = (
        table.sort([*group, "source_line", "source_column"])
        .with_columns(
            first_value=pl.col("value").first().over(group),
            first_decimals=pl.col("decimals").first().over(group),
            first_line=pl.col("source_line").first().over(group),
            first_statement=pl.col("statement").first().over(group),
            printing=pl.int_range(pl.len()).over(group),
        )
        .filter(pl.col("printing") > 0)
    )
    coarse = pl.min_horizontal("decimals", "first_decimals")
    fine = pl.max_horizontal("decimals", "first_decimals")
    return finish(
        later.sort("release_id", "source_line", "source_column")
        .with_columns(
            expected=pl.col("first_value"),
            actual=pl.col("value"),
            tolerance=pl.when(coarse == fine).then(0.0).otherwise(half_unit(coarse) + half_unit(fine)),
        )
        .with_columns(
            detail=pl.format(
                "{} {}: line {} ({}, column {}) prints {}, first printed on line {} ({}) as {}",
                "metric_id",
                period_text(),
                "source_line",
                "statement",
                "source_column",
                num("actual"),
                "first_line",
                "first_statement",
                num("expected"),
            )
        ),
        "repeated_figures",
    )
