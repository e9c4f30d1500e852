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


def _terms(table: pl.DataFrame) -> pl.DataFrame:
    """One row per (identity, printing of its total, component): the component's chosen printing, if any.

    Components printed several times are taken from the total's own statement first, then the nearest
    line (the reconciliation's own 'Add: Share-based compensation' line, not another table's)."""
    ids = catalog.load("identities").with_columns(pl.col("sign").cast(pl.Float64))
    totals = table.join(
        ids.select("identity", "total_metric_id").unique(), left_on="metric_id", right_on="total_metric_id"
    ).select(
        "identity",
        *KEY,
        *printing("t", "statement", "line", "value", "decimals"),
        t_fid="fid",
        t_metric="metric_id",
        t_label="label",
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
        return best
    return needed.join(best.select(*per, "c_line", "c_value", "c_decimals"), on=per, how="left")


def unknown_members(table: pl.DataFrame, terms: pl.DataFrame | None = None) -> pl.DataFrame:
    """Table lines no catalog knows that sit among the printed components of a total, one total each.

    A line is among them when it stands inside the group row of a total printed above its components
    (its section is the total's label), or strictly between the first and last printed term of the
    total (components and total) in the same column; of several such totals, the group row, then the
    innermost span. It counts with the sign of its nearest printed component.
    Returns u_fid, identity, t_fid, t_metric, sign, u_line, u_metric, u_value, u_decimals."""
    unknown = table.filter(~pl.col("metric_id").is_in(list(catalog.metric_units()))).select(
        *KEY, u_fid="fid", u_statement="statement", u_section="section", u_line="source_line",
        u_metric="metric_id", u_value="value", u_decimals="decimals",
    )
    if unknown.is_empty():
        return _NO_MEMBERS
    terms = _terms(table) if terms is None else terms
    if terms.is_empty():
        return _NO_MEMBERS
    printed = terms.filter(pl.col("c_line").is_not_null())
    spans = printed.group_by("identity", "t_fid").agg(
        pl.col(*KEY, "t_statement", "t_line", "t_label", "t_metric").first(),
        lo=pl.min_horizontal(pl.col("c_line").min(), pl.col("t_line").first()),
        hi=pl.max_horizontal(pl.col("c_line").max(), pl.col("t_line").first()),
    )
    in_group = (pl.col("u_section") == pl.col("t_label")) & (pl.col("u_line") > pl.col("t_line"))
    between = (pl.col("u_line") > pl.col("lo")) & (pl.col("u_line") < pl.col("hi"))
    chosen = (
        unknown.join(spans.rename({"t_statement": "u_statement"}), on=[*KEY, "u_statement"], nulls_equal=True)
        .filter(in_group.fill_null(False) | between)
        .sort("u_fid", ~in_group.fill_null(False), pl.col("hi") - pl.col("lo"), "t_line")
        .filter(pl.int_range(pl.len()).over("u_fid") == 0)
    )
    if chosen.is_empty():
        return _NO_MEMBERS
    nearest = pick(
        chosen.select("u_fid", "identity", "t_fid", "u_line"),
        printed.select("identity", "t_fid", "c_line", "sign"),
        on=["identity", "t_fid"],
        per=["u_fid"],
        rank=[(pl.col("c_line") - pl.col("u_line")).abs(), pl.col("c_line")],
    )
    return chosen.join(nearest.select("u_fid", "sign"), on="u_fid").select(_NO_MEMBERS.columns)


_NO_MEMBERS = pl.DataFrame(schema={
    "u_fid": pl.UInt32, "identity": pl.String, "t_fid": pl.UInt32, "t_metric": pl.String, "sign": pl.Float64,
    "u_line": pl.Int32, "u_metric": pl.String, "u_value": pl.Float64, "u_decimals": pl.Int32,
})


def identities(table: pl.DataFrame) -> pl.DataFrame:
    """identities.csv: each printing of a total vs Σ sign·component in the same column (period, currency).

    A component the release does not print counts as 0 and is named in the detail (a line dropped because
    it is nil, or a line read under another metric); a total none of whose components is printed is
    not evaluated. A line no catalog knows that sits among the printed components (unknown_members)
    counts too, so the total is still verified exactly; only a total that fails with it counted fails.
    """
    terms = _terms(table)
    if terms.is_empty():
        return empty_results()
    sizes = catalog.load("identities").group_by("identity").agg(n=pl.len())
    members = unknown_members(table, terms)
    extra = members.group_by("identity", "t_fid").agg(
        extra_sum=(pl.col("sign") * pl.col("u_value")).sum(),
        extra_tolerance=half_unit("u_decimals").sum(),
        extra_count=pl.len(),
        extra_terms=pl.format("{} {} (line {}, not in the catalog)",
                              pl.when(pl.col("sign") < 0).then(pl.lit("−")).otherwise(pl.lit("+")),
                              "u_metric", "u_line").sort_by("u_line").str.join(" "),
    )
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
        .join(extra, on=["identity", "t_fid"], how="left")
        .with_columns(
            expected=pl.col("expected") + pl.col("extra_sum").fill_null(0.0),
            components_tolerance=pl.col("components_tolerance") + pl.col("extra_tolerance").fill_null(0.0),
            terms=pl.concat_str(["terms", pl.col("extra_terms")], separator=" ", ignore_nulls=True),
            unknown=pl.col("extra_count").fill_null(0),
        )
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
                "for each printed term ({} of {} components{}, and the total)",
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
                pl.when(pl.col("unknown") > 0)
                .then(pl.format(", {} line(s) no catalog knows", "unknown"))
                .otherwise(pl.lit("")),
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
