"""USD convenience translation: each USD cell vs its RMB cell / the release's exchange rate."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.validate._frames import (
    PERIOD,
    empty_results,
    finish,
    half_unit,
    num,
    period_text,
    pick,
    printing,
)
from qfin_pipeline.validate.identities import unknown_members
from qfin_pipeline.validate.ratios import ads_factors


@cache
def translation_terms() -> pl.DataFrame:
    """metric_id -> k, the number of translated, rounded figures a USD cell of the metric may absorb.

    The release translates each line, then makes the USD column foot and balance: a USD subtotal is
    the sum of its rounded USD components (USD total current assets = Σ USD components, not the RMB
    total / rate), and a balancing line takes the rounding of all the others (USD equity = USD total
    liabilities and equity − USD liabilities − USD noncontrolling interests; the cash flow's exchange-rate
    effect). So for a metric of identities.csv, k = 1 + the number of leaf metrics (never a total) of the
    connected group of identities it belongs to (balance sheet, income statement family, cash flow);
    k = 1 for any other metric. Per-ADS cells use r instead (r × the rounded per-share cell).
    """
    edges = catalog.load("identities").select("total_metric_id", "component_metric_id").rows()
    group: dict[str, str] = {}

    def root(metric: str) -> str:
        while group.setdefault(metric, metric) != metric:
            metric = group[metric]
        return metric

    for total, component in edges:
        group[root(component)] = root(total)
    totals = {total for total, _ in edges}
    leaves: dict[str, int] = {}
    for metric in group:
        if metric not in totals:
            leaves[root(metric)] = leaves.get(root(metric), 0) + 1
    metrics = sorted(group)
    return pl.DataFrame(
        {"metric_id": metrics, "k": [1.0 + leaves.get(root(m), 0) for m in metrics]},
        schema={"metric_id": pl.String, "k": pl.Float64},
    )


def usd_translation(table: pl.DataFrame, fx: float | Mapping[str, float | None] | None) -> pl.DataFrame:
    """Each USD cell vs the RMB cell of the same metric and period (nearest printing) / the exchange rate."""
    usd = table.filter(pl.col("currency") == "USD").select(
        *PERIOD,
        "metric_id",
        *printing("u", "fid", "line", "column", "value", "decimals"),
        statement="statement",
    )
    rmb = table.filter(pl.col("currency") == "RMB").select(
        *PERIOD,
        "metric_id",
        *printing("r", "line", "column", "value", "decimals"),
    )
    pairs = pick(
        usd,
        rmb,
        on=[*PERIOD, "metric_id"],
        per=["u_fid"],
        rank=[(pl.col("r_line") - pl.col("u_line")).abs(), (pl.col("r_column") - pl.col("u_column")).abs()],
    )
    if pairs.is_empty():
        return empty_results()
    # The stated rate of each release; where none was read, the rate its own table implies.
    if isinstance(fx, Mapping):
        stated = pl.DataFrame(
            {"release_id": list(fx), "stated": list(fx.values())},
            schema={"release_id": pl.String, "stated": pl.Float64},
        )
        pairs = pairs.join(stated, on="release_id", how="left")
    else:
        pairs = pairs.with_columns(stated=pl.lit(fx, pl.Float64))
    implied = (
        pairs.filter(pl.col("u_value").abs() >= 1e6)
        .group_by("release_id")
        .agg(implied=(pl.col("r_value") / pl.col("u_value")).median())
    )
    pairs = pairs.join(implied, on="release_id", how="left").with_columns(
        rate=pl.coalesce("stated", "implied"),
        rate_source=pl.when(pl.col("stated").is_not_null())
        .then(pl.lit("stated rate"))
        .otherwise(pl.lit("rate implied by the table (no stated rate)")),
    )
    per_ads = catalog.ads_equivalents().filter(pl.col("unit") == "per_share")["ads_metric_id"].to_list()
    # A line no catalog knows, among a total's components, carries the rounding of that total's group too.
    members = unknown_members(table).select("u_fid", "t_metric")
    parent_k = members.join(translation_terms(), left_on="t_metric", right_on="metric_id").select(
        "u_fid", parent_k="k"
    )
    pairs = (
        pairs.join(translation_terms(), on="metric_id", how="left")
        .join(parent_k, on="u_fid", how="left")
        .with_columns(k=pl.coalesce("k", "parent_k"))
        .join(ads_factors(table), on="release_id", how="left")
        .with_columns(
            k=pl.when(pl.col("metric_id").is_in(per_ads) & pl.col("r").is_not_null())
            .then(pl.col("r"))
            .otherwise(pl.col("k").fill_null(1.0)),
            terms=pl.when(pl.col("metric_id").is_in(per_ads))
            .then(pl.lit("r, the ADS ratio: per-ADS = r × rounded per-share"))
            .when(pl.col("k") > 1)
            .then(pl.lit("1 + the leaves of its identity group: the USD column foots and balances"))
            .otherwise(pl.lit("a line translated alone")),
        )
    )
    return finish(
        pairs.sort("release_id", "u_line", "u_column")
        .with_columns(
            expected=pl.col("r_value") / pl.col("rate"),
            actual=pl.col("u_value"),
            tolerance=pl.col("k") * (half_unit("u_decimals") + half_unit("r_decimals") / pl.col("rate")),
        )
        .with_columns(
            detail=pl.format(
                "{} {}: USD line {} column {} prints {}; RMB {} (line {} column {}) / {} {} = {}; "
                "tolerance {} = "
                "k × (0.5·10^-decimals of the USD cell + 0.5·10^-decimals of the RMB cell / rate), "
                "k = {} ({})",
                "metric_id",
                period_text(None),
                "u_line",
                "u_column",
                num("actual"),
                num("r_value"),
                "r_line",
                "r_column",
                "rate_source",
                num("rate"),
                num("expected"),
                num("tolerance"),
                num("k"),
                "terms",
            )
        ),
        "usd_translation",
    )
