"""Prose vs tables, stated changes, completeness."""

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

PROSE_KINDS = ("narrative", "highlight")
CHANGE_MONTHS = {"yoy": 12, "qoq": 3}  # reported_change labels this module checks -> months back


def narrative_vs_table(facts: pl.DataFrame) -> pl.DataFrame:
    """Each narrative/highlight figure vs the table figure of the same metric, period and currency.

    Severity warning: prose is rounded commentary and the table is the source of record, but a
    disagreement beyond rounding is a misprint or a mis-extraction worth naming (by its line).
    Tolerance: 0.5·10^-decimals of the prose figure + 0.5·10^-decimals of the table figure.
    """
    prose = (
        facts.with_row_index("fid")
        .filter(pl.col("kind").is_in(PROSE_KINDS))
        .select(
            *KEY,
            "metric_id",
            "kind",
            "label",
            *printing("p", "fid", "line", "value", "decimals"),
        )
    )
    table = facts.filter(pl.col("kind") == "table").select(
        *KEY,
        "metric_id",
        *printing("t", "statement", "line", "column", "value", "decimals"),
    )
    pairs = pick(
        prose,
        table,
        on=[*KEY, "metric_id"],
        per=["p_fid"],
        rank=[pl.col("t_line"), pl.col("t_column")],
    )
    if pairs.is_empty():
        return empty_results()
    return finish(
        pairs.sort("release_id", "p_line", "p_fid")
        .with_columns(
            expected=pl.col("t_value"),
            actual=pl.col("p_value"),
            tolerance=half_unit("p_decimals") + half_unit("t_decimals"),
        )
        .with_columns(
            detail=pl.format(
                "line {} ({} '{}'): {} {} stated as {}; table line {} column {} ({}) prints {}; "
                "tolerance {} = 0.5·10^-decimals of the prose figure + the table's rounding",
                "p_line",
                "kind",
                "label",
                "metric_id",
                period_text(),
                num("actual"),
                "t_line",
                "t_column",
                "t_statement",
                num("expected"),
                num("tolerance"),
            )
        ),
        "narrative_vs_table",
    )


def _best_value(prefix: str) -> list[pl.Expr]:
    """Which printing of a value to use: a table cell first, then RMB, then the most precise."""
    p = prefix
    return [
        pl.col(f"{p}kind") != "table",
        pl.col(f"{p}currency").ne_missing(pl.lit("RMB")),
        -pl.col(f"{p}decimals"),
        pl.col(f"{p}line"),
    ]


def reported_change(facts: pl.DataFrame) -> pl.DataFrame:
    """A stated yoy/qoq change (kind reported_change, label 'yoy'/'qoq') vs (current − prior) / |prior|.

    Current and prior values are the release's own facts of the same metric (the prior period shifted
    back 12 or 3 months, in the current value's currency). Tolerance: 0.5·10^-decimals of the stated
    change + (Δcurrent + |current/prior|·Δprior) / |prior|, Δ being half a unit of each value's precision.
    """
    indexed = facts.with_row_index("fid")
    months = pl.col("label").replace_strict(CHANGE_MONTHS, default=None)
    offset = pl.format("-{}mo", months)
    changes = indexed.filter(
        (pl.col("kind") == "reported_change") & pl.col("label").is_in(list(CHANGE_MONTHS))
    ).select(
        *PERIOD,
        "metric_id",
        "label",
        *printing("r", "fid", "line", "value", "decimals"),
        prior_start=pl.col("period_start").dt.offset_by(offset),
        prior_end=pl.col("period_end").dt.offset_by(offset).dt.month_end(),
    )
    values = indexed.filter(pl.col("kind").is_in(["table", *PROSE_KINDS]))

    def pool(prefix: str, start: str, end: str) -> pl.DataFrame:
        return values.select(
            "release_id",
            "period_type",
            "metric_id",
            pl.col("period_start").alias(start),
            pl.col("period_end").alias(end),
            *(pl.col(c).alias(f"{prefix}{c}") for c in ("kind", "currency", "decimals")),
            pl.col("source_line").alias(f"{prefix}line"),
            pl.col("value").alias(f"{prefix}value"),
        )

    current = pick(
        changes,
        pool("c_", "period_start", "period_end"),
        on=[*PERIOD, "metric_id"],
        per=["r_fid"],
        rank=_best_value("c_"),
    )
    both = pick(
        current,
        pool("q_", "prior_start", "prior_end").rename({"q_currency": "c_currency"}),
        on=["release_id", "period_type", "prior_start", "prior_end", "metric_id", "c_currency"],
        per=["r_fid"],
        rank=_best_value("q_")[:1] + _best_value("q_")[2:],
    ).filter(pl.col("q_value") != 0)
    if both.is_empty():
        return empty_results()
    prior_abs = pl.col("q_value").abs()
    return finish(
        both.sort("release_id", "r_line", "r_fid")
        .with_columns(
            expected=(pl.col("c_value") - pl.col("q_value")) / prior_abs,
            actual=pl.col("r_value"),
            tolerance=half_unit("r_decimals")
            + (
                half_unit("c_decimals")
                + (pl.col("c_value") / pl.col("q_value")).abs() * half_unit("q_decimals")
            )
            / prior_abs,
        )
        .with_columns(
            detail=pl.format(
                "line {}: {} {} change of {} {} stated as {}; "
                "computed ({} (line {}) − {} (line {})) / |prior| = {}; "
                "tolerance {}",
                "r_line",
                "label",
                "metric_id",
                period_text(None),
                pl.col("c_currency").fill_null(""),
                num("actual"),
                num("c_value"),
                "c_line",
                num("q_value"),
                "q_line",
                num("expected"),
                num("tolerance"),
            )
        ),
        "reported_change",
    )


def _csv_field(col: str) -> pl.Expr:
    """A value as one CSV field (quoted when it holds a comma or a quote)."""
    c = pl.col(col).fill_null("")
    return pl.when(c.str.contains('[",]')).then(pl.format('"{}"', c.str.replace_all('"', '""'))).otherwise(c)


def metric_mapped(table: pl.DataFrame) -> pl.DataFrame:
    """One evaluation per table line: its cells carry a catalog metric, not a generated id.

    A line no catalog knows is loaded under its generated id; the detail names the line and the exact
    table_labels.csv row that maps it (to its generated id, so its history goes on unchanged)."""
    known = list(catalog.metric_units())
    lines = (
        table.group_by("release_id", "source_line")
        .agg(
            pl.col("statement", "section", "label", "metric_id").first(),
            cells=pl.len(),
            unmapped=(~pl.col("metric_id").is_in(known)).sum().cast(pl.Float64),
        )
        .sort("release_id", "source_line")
    )
    row = pl.concat_str([_csv_field(c) for c in ("statement", "section", "label", "metric_id")], separator=",")
    return finish(
        lines.with_columns(
            expected=pl.lit(0.0),
            actual=pl.col("unmapped"),
            tolerance=pl.lit(0.0),
            detail=pl.when(pl.col("unmapped") > 0)
            .then(
                pl.format(
                    "line {} ({}, section '{}'): label '{}' is in no catalog; its {} cells are loaded as {}. "
                    "To map it, add to catalog/table_labels.csv the row: {} (and to metrics.csv a row for {}, "
                    "or use an existing metric_id in that row)",
                    "source_line",
                    "statement",
                    pl.col("section").fill_null(""),
                    "label",
                    "cells",
                    "metric_id",
                    row,
                    "metric_id",
                )
            )
            .otherwise(
                pl.format("line {} ({}): '{}' -> {}", "source_line", "statement", "label", "metric_id")
            ),
        ),
        "metric_mapped",
    )


def statements_present(table: pl.DataFrame, releases: list[str]) -> pl.DataFrame:
    """One evaluation per release and required statement: its table has at least one cell."""
    if not releases:
        return empty_results()
    required = pl.DataFrame({"statement": list(catalog.required_statements())})
    grid = pl.DataFrame({"release_id": releases}).join(required, how="cross")
    counts = table.group_by("release_id", "statement").agg(cells=pl.len())
    found = grid.join(counts, on=["release_id", "statement"], how="left").with_columns(
        pl.col("cells").fill_null(0)
    )
    return finish(
        found.with_columns(
            expected=pl.lit(1.0),
            actual=pl.col("cells").cast(pl.Float64),
            tolerance=pl.lit(0.0),
            ok=pl.col("cells") >= 1,
            detail=pl.when(pl.col("cells") >= 1)
            .then(pl.format("{} table present ({} cells)", "statement", "cells"))
            .otherwise(
                pl.format("{} table missing: no table with a title of that statement was read", "statement")
            ),
        ),
        "statements_present",
    )
