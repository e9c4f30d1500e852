"""Accounting checks of one or more releases' facts, every rule derived from the catalog (no per-line code).

`run_checks(facts, fx)` returns one row per check evaluation (the `check_results` columns but
`checked_at`): identities of identities.csv, figures printed twice, USD translation, ratios of
ratios.csv, per-ADS vs per-share, prose vs tables, stated changes, completeness. The check names,
severities and one-line descriptions live in catalog/checks.csv (`check_catalog()`).

Tolerances come from printed precision: a figure printed to 10^-d stands for a true value within
0.5·10^-d, so a relation between printed figures holds within the sum of those half units.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.validate._frames import (
    KEY, PERIOD, RESULT_SCHEMA, empty_results, finish, half_unit, num, period_text, pick, table_facts,
)
from qfin_pipeline.validate.disclosure import (
    metric_mapped, narrative_vs_table, reported_change, statements_present,
)
from qfin_pipeline.validate.ratios import ads_factors, ads_ratio, ratios


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
    facts: pl.DataFrame, fx_rmb_per_usd: float | None, *, release_id: str | None = None
) -> pl.DataFrame:
    """Every check on the facts of one release (or several releases sharing one exchange rate).

    `release_id` names the release when `facts` may be empty (then `statements_present` fails for it).
    """
    facts = facts.select(list(_FACT_COLUMNS))
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
    "release_id", "kind", "statement", "section", "label", "metric_id", "period_type", "period_start",
    "period_end", "currency", "unit", "value", "decimals", "source_line", "source_column",
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
        "identity", *KEY, t_fid="fid", t_metric="metric_id", t_statement="statement",
        t_line="source_line", t_value="value", t_decimals="decimals",
    )
    needed = totals.join(ids.select("identity", "component_metric_id", "sign"), on="identity")
    components = table.select(
        *KEY, component_metric_id="metric_id", c_statement="statement", c_line="source_line",
        c_column="source_column", c_value="value", c_decimals="decimals",
    )
    per = ["t_fid", "identity", "component_metric_id"]
    best = pick(
        needed, components, on=[*KEY, "component_metric_id"], per=per,
        rank=[
            pl.col("c_statement") != pl.col("t_statement"),
            (pl.col("c_line") - pl.col("t_line")).abs(), pl.col("c_line"), pl.col("c_column"),
        ],
    )
    if best.is_empty():
        return empty_results()
    terms = needed.join(best.select(*per, "c_line", "c_value", "c_decimals"), on=per, how="left")
    sign = pl.when(pl.col("sign") < 0).then(pl.lit("−")).otherwise(pl.lit("+"))
    where = pl.when(pl.col("c_line").is_null()).then(pl.lit("(not printed: 0)")).otherwise(
        pl.format("(line {})", "c_line")
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
                "{}: {} (line {}) = Σ sign·component: {} = {}, printed {}; {}; tolerance {} = 0.5·10^-decimals "
                "for each printed term ({} of {} components, and the total)",
                "identity", "t_metric", "t_line", "terms", num("expected"), num("actual"), period_text(),
                num("tolerance"), "printed", "n",
            )
        ),
        "identities",
    )


def repeated_figures(table: pl.DataFrame) -> pl.DataFrame:
    """The same metric, period and currency printed in several tables or columns: each vs its first printing."""
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
        later.sort("release_id", "source_line", "source_column").with_columns(
            expected=pl.col("first_value"),
            actual=pl.col("value"),
            tolerance=pl.when(coarse == fine).then(0.0).otherwise(half_unit(coarse) + half_unit(fine)),
        ).with_columns(
            detail=pl.format(
                "{} {}: line {} ({}, column {}) prints {}, first printed on line {} ({}) as {}",
                "metric_id", period_text(), "source_line", "statement", "source_column", num("actual"),
                "first_line", "first_statement", num("expected"),
            )
        ),
        "repeated_figures",
    )


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


def usd_translation(table: pl.DataFrame, fx: float | None) -> pl.DataFrame:
    """Each USD cell vs the RMB cell of the same metric and period (nearest printing) / the exchange rate."""
    usd = table.filter(pl.col("currency") == "USD").select(
        *PERIOD, "metric_id", u_fid="fid", u_line="source_line", u_column="source_column",
        u_value="value", u_decimals="decimals", statement="statement",
    )
    rmb = table.filter(pl.col("currency") == "RMB").select(
        *PERIOD, "metric_id", r_line="source_line", r_column="source_column", r_value="value", r_decimals="decimals",
    )
    pairs = pick(
        usd, rmb, on=[*PERIOD, "metric_id"], per=["u_fid"],
        rank=[(pl.col("r_line") - pl.col("u_line")).abs(), (pl.col("r_column") - pl.col("u_column")).abs()],
    )
    if pairs.is_empty():
        return empty_results()
    if fx is not None:
        pairs = pairs.with_columns(rate=pl.lit(fx, pl.Float64), rate_source=pl.lit("stated rate"))
    else:  # no stated rate (a wording the extractor missed): use the rate the table itself implies
        implied = (
            pairs.filter(pl.col("u_value").abs() >= 1e6)
            .group_by("release_id")
            .agg(rate=(pl.col("r_value") / pl.col("u_value")).median())
        )
        pairs = pairs.join(implied, on="release_id", how="left").with_columns(
            rate_source=pl.lit("rate implied by the table (no stated rate)")
        )
    per_ads = catalog.ads_equivalents().filter(pl.col("unit") == "per_share")["ads_metric_id"].to_list()
    pairs = (
        pairs.join(translation_terms(), on="metric_id", how="left")
        .join(ads_factors(table), on="release_id", how="left")
        .with_columns(
            k=pl.when(pl.col("metric_id").is_in(per_ads) & pl.col("r").is_not_null())
            .then(pl.col("r"))
            .otherwise(pl.col("k").fill_null(1.0)),
            terms=pl.when(pl.col("metric_id").is_in(per_ads)).then(pl.lit("r, the ADS ratio: per-ADS = r × rounded per-share"))
            .when(pl.col("k") > 1).then(pl.lit("1 + the leaves of its identity group: the USD column foots and balances"))
            .otherwise(pl.lit("a line translated alone")),
        )
    )
    return finish(
        pairs.sort("release_id", "u_line", "u_column").with_columns(
            expected=pl.col("r_value") / pl.col("rate"),
            actual=pl.col("u_value"),
            tolerance=pl.col("k") * (half_unit("u_decimals") + half_unit("r_decimals") / pl.col("rate")),
        ).with_columns(
            detail=pl.format(
                "{} {}: USD line {} column {} prints {}; RMB {} (line {} column {}) / {} {} = {}; tolerance {} = "
                "k × (0.5·10^-decimals of the USD cell + 0.5·10^-decimals of the RMB cell / rate), k = {} ({})",
                "metric_id", period_text(None), "u_line", "u_column", num("actual"), num("r_value"), "r_line",
                "r_column", "rate_source", num("rate"), num("expected"), num("tolerance"), num("k"), "terms",
            )
        ),
        "usd_translation",
    )
