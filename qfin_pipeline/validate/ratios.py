"""Ratio checks: margins and per-share figures of ratios.csv, per-ADS vs per-share (ads_equivalents.csv)."""

from __future__ import annotations

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.validate._frames import (
    KEY,
    PERIOD,
    empty_results,
    finish,
    half_unit,
    num,
    period_text,
    pick,
    printing,
)


def _currency_rank(candidate: str, anchor: str) -> pl.Expr:
    """An operand in the ratio's own currency first, else RMB, else a count (no currency), else USD."""
    c = pl.col(candidate)
    return (
        pl.when(c.eq_missing(pl.col(anchor)))
        .then(0)
        .when(c == "RMB")
        .then(1)
        .when(c.is_null())
        .then(2)
        .otherwise(3)
    )


def ads_factors(table: pl.DataFrame) -> pl.DataFrame:
    """Per release: r = ordinary shares per ADS, derived from the facts, never assumed.

    r = median over periods of weighted shares / weighted ADS (the count pairs of ads_equivalents.csv),
    rounded to an integer; a release without ADS counts falls back to per-ADS / per-share figures.
    """
    pairs = catalog.ads_equivalents()
    estimates = []
    for unit, source in (("shares", "weighted shares / weighted ADS"), ("per_share", "per-ADS / per-share")):
        ads = table.join(pairs.filter(pl.col("unit") == unit), left_on="metric_id", right_on="ads_metric_id")
        other = table.select(*KEY, share_metric_id="metric_id", s_value="value")
        joined = ads.join(other, on=[*KEY, "share_metric_id"], nulls_equal=True).filter(
            (pl.col("value") != 0) & (pl.col("s_value") != 0)
        )
        ratio = (
            pl.col("s_value") / pl.col("value") if unit == "shares" else pl.col("value") / pl.col("s_value")
        )
        estimates.append(
            joined.group_by("release_id")
            .agg(r=ratio.median().round(0), r_source=pl.lit(source))
            .filter(pl.col("r") >= 1)
        )
    return pl.concat(estimates).unique("release_id", keep="first", maintain_order=True)


def ratios(table: pl.DataFrame) -> pl.DataFrame:
    """ratios.csv: each printed ratio vs multiplier·numerator/denominator of the same period.

    Tolerance: half a unit of the ratio's printed precision (r times that when the denominator is an
    ADS count: the release prints per-ADS as r × rounded per-share), plus the propagated rounding of
    numerator and denominator: |m|·(Δn + |n/d|·Δd)/|d|.
    """
    spec = catalog.load("ratios").with_columns(pl.col("multiplier").cast(pl.Float64))
    anchors = table.join(spec, on="metric_id").select(
        *PERIOD,
        "metric_id",
        "numerator_metric_id",
        "denominator_metric_id",
        "multiplier",
        *printing("a", "statement", "line", "value", "decimals"),
        a_fid="fid",
        a_currency="currency",
    )
    for role in ("numerator", "denominator"):
        p = role[0]
        candidates = table.select(
            *PERIOD,
            pl.col("metric_id").alias(f"{role}_metric_id"),
            pl.col("currency").alias(f"{p}_currency"),
            pl.col("statement").alias(f"{p}_statement"),
            pl.col("source_line").alias(f"{p}_line"),
            pl.col("value").alias(f"{p}_value"),
            pl.col("decimals").alias(f"{p}_decimals"),
        )
        anchors = pick(
            anchors,
            candidates,
            on=[*PERIOD, f"{role}_metric_id"],
            per=["a_fid"],
            rank=[
                _currency_rank(f"{p}_currency", "a_currency"),
                pl.col(f"{p}_statement") != pl.col("a_statement"),
                (pl.col(f"{p}_line") - pl.col("a_line")).abs(),
            ],
        )
    if anchors.is_empty():
        return empty_results()
    ads_counts = catalog.ads_equivalents().filter(pl.col("unit") == "shares")["ads_metric_id"].to_list()
    quotient = pl.col("n_value") / pl.col("d_value")
    evaluated = (
        anchors.filter(pl.col("d_value") != 0)
        .join(ads_factors(table), on="release_id", how="left")
        .with_columns(
            factor=pl.when(pl.col("denominator_metric_id").is_in(ads_counts))
            .then(pl.col("r"))
            .otherwise(1.0)
            .fill_null(1.0),
            expected=pl.col("multiplier") * quotient,
            actual=pl.col("a_value"),
        )
        .with_columns(
            tolerance=pl.col("factor") * half_unit("a_decimals")
            + pl.col("multiplier").abs()
            * (half_unit("n_decimals") + quotient.abs() * half_unit("d_decimals"))
            / pl.col("d_value").abs(),
        )
        .sort("release_id", "a_line", "a_fid")
    )
    return finish(
        evaluated.with_columns(
            detail=pl.format(
                "{} {}: printed {} (line {}); {} × {} {} (line {}) / {} {} (line {}) = {}; tolerance {} = "
                "{} × 0.5·10^-decimals of the ratio + rounding of numerator and denominator",
                "metric_id",
                period_text("a_currency"),
                num("actual"),
                "a_line",
                num("multiplier"),
                "numerator_metric_id",
                num("n_value"),
                "n_line",
                "denominator_metric_id",
                num("d_value"),
                "d_line",
                num("expected"),
                num("tolerance"),
                num("factor"),
            )
        ),
        "ratios",
    )


def ads_ratio(table: pl.DataFrame) -> pl.DataFrame:
    """Per-ADS figure = r × per-share figure; ADS count = share count / r (pairs of ads_equivalents.csv).

    Per-share pairs: tolerance r × 0.5·10^-decimals of the per-share figure (the release prints
    per-ADS as r × the rounded per-share figure). Count pairs: 0.5 ADS + 0.5 share / r (both rounded).
    """
    pairs = catalog.ads_equivalents()
    anchors = table.join(pairs, left_on="metric_id", right_on="ads_metric_id").select(
        *KEY,
        "metric_id",
        "share_metric_id",
        "unit",
        *printing("a"),
    )
    candidates = table.select(
        *KEY,
        *printing("s", "statement", "line", "column", "value", "decimals"),
        share_metric_id="metric_id",
    )
    best = pick(
        anchors,
        candidates,
        on=[*KEY, "share_metric_id"],
        per=["a_fid"],
        rank=[
            pl.col("s_statement") != pl.col("a_statement"),
            (pl.col("s_line") - pl.col("a_line")).abs(),
            (pl.col("s_column") - pl.col("a_column")).abs(),
        ],
    )
    if best.is_empty():
        return empty_results()
    per_share = pl.col("unit") == "per_share"
    evaluated = (
        best.join(ads_factors(table), on="release_id", how="inner")
        .with_columns(
            expected=pl.when(per_share)
            .then(pl.col("r") * pl.col("s_value"))
            .otherwise(pl.col("s_value") / pl.col("r")),
            actual=pl.col("a_value"),
            tolerance=pl.when(per_share)
            .then(pl.col("r") * half_unit("s_decimals"))
            .otherwise(half_unit("a_decimals") + half_unit("s_decimals") / pl.col("r")),
            relation=pl.when(per_share).then(pl.lit("r × per-share")).otherwise(pl.lit("shares / r")),
        )
        .sort("release_id", "a_line", "a_column")
    )
    return finish(
        evaluated.with_columns(
            detail=pl.format(
                "{} {}: printed {} (line {} column {}); {} with r = {} ({}), "
                "{} = {} (line {}) → {}; tolerance {}",
                "metric_id",
                period_text(),
                num("actual"),
                "a_line",
                "a_column",
                "relation",
                num("r"),
                "r_source",
                "share_metric_id",
                num("s_value"),
                "s_line",
                num("expected"),
                num("tolerance"),
            )
        ),
        "ads_ratio",
    )
