"""Shared frame helpers of the checks: result rows, rounding tolerances, picking the printing to compare."""

from __future__ import annotations

import polars as pl

from qfin_pipeline import catalog

PERIOD = ["release_id", "period_type", "period_start", "period_end"]
KEY = [*PERIOD, "currency"]  # one table column: period and currency

RESULT_SCHEMA: dict[str, pl.DataType] = {
    "release_id": pl.String,
    "check_name": pl.String,
    "status": pl.String,
    "severity": pl.String,
    "expected": pl.Float64,
    "actual": pl.Float64,
    "tolerance": pl.Float64,
    "detail": pl.String,
}

# Relative slack for float noise only (printed figures differ by whole units; 1e-9 is far below that).
_FLOAT_NOISE = 1e-9


def empty_results() -> pl.DataFrame:
    return pl.DataFrame(schema=RESULT_SCHEMA)


def half_unit(decimals: str | pl.Expr = "decimals") -> pl.Expr:
    """Half a unit of the printed precision: 0.5·10^-decimals (decimals -3 -> 500, 2 -> 0.005)."""
    d = pl.col(decimals) if isinstance(decimals, str) else decimals
    return pl.lit(0.5) * pl.lit(10.0).pow(-d.cast(pl.Float64))


def period_text(currency: str | None = "currency") -> pl.Expr:
    """'3M 2031-04-01..2031-06-30 RMB' / 'instant 2031-06-30 (no currency)' for the detail column."""
    period = (
        pl.when(pl.col("period_type") == "instant")
        .then(pl.format("instant {}", pl.col("period_end")))
        .otherwise(
            pl.format("{} {}..{}", pl.col("period_type"), pl.col("period_start"), pl.col("period_end"))
        )
    )
    if currency is None:
        return period
    return pl.concat_str([period, pl.lit(" "), pl.col(currency).fill_null("(no currency)")])


def num(col: str | pl.Expr) -> pl.Expr:
    """A value as text for the detail column, without float noise."""
    c = pl.col(col) if isinstance(col, str) else col
    return c.round(6).cast(pl.String)


def within(expected: str = "expected", actual: str = "actual", tolerance: str = "tolerance") -> pl.Expr:
    """|actual − expected| ≤ tolerance (plus float noise); null operands fail."""
    scale = pl.max_horizontal(pl.col(expected).abs(), pl.col(actual).abs(), pl.lit(1.0))
    ok = (pl.col(actual) - pl.col(expected)).abs() <= pl.col(tolerance) + _FLOAT_NOISE * scale
    return ok.fill_null(False)


def finish(frame: pl.DataFrame, check_name: str) -> pl.DataFrame:
    """Evaluations (release_id, expected, actual, tolerance, detail[, ok]) -> result rows of one check.

    A failed evaluation of a blocking check has status 'failed'; of a warning check, status 'warning'.
    """
    severity = catalog.check_severity()[check_name]
    if frame.is_empty():
        return empty_results()
    if "ok" not in frame.columns:
        frame = frame.with_columns(ok=within())
    failed = "failed" if severity == "blocking" else "warning"
    return frame.select(
        "release_id",
        pl.lit(check_name).alias("check_name"),
        pl.when(pl.col("ok")).then(pl.lit("passed")).otherwise(pl.lit(failed)).alias("status"),
        pl.lit(severity).alias("severity"),
        "expected",
        "actual",
        "tolerance",
        "detail",
    ).cast(RESULT_SCHEMA)


def pick(
    anchors: pl.DataFrame,
    candidates: pl.DataFrame,
    on: list[str],
    per: list[str],
    rank: list[pl.Expr],
) -> pl.DataFrame:
    """Join anchors to candidate printings on `on` (nulls equal) and keep the best-ranked one per `per`.

    Used wherever a figure is printed several times (net income in three tables, share-based
    compensation in three reconciliations): the printing compared is the best by `rank`, typically
    the same statement first, then the nearest line.
    """
    joined = anchors.join(candidates, on=on, how="inner", nulls_equal=True)
    if joined.is_empty():
        return joined
    return joined.sort([*per, *rank]).filter(pl.int_range(pl.len()).over(per) == 0)


PRINTING = {"fid": "fid", "statement": "statement", "line": "source_line", "column": "source_column",
            "value": "value", "decimals": "decimals"}


def printing(prefix: str, *fields: str) -> list[pl.Expr]:
    """One side of a comparison: a printing's fid, statement, line, column, value, decimals as prefix_field."""
    return [pl.col(PRINTING[f]).alias(f"{prefix}_{f}") for f in (fields or PRINTING)]


def table_facts(facts: pl.DataFrame) -> pl.DataFrame:
    """Table cells with a row id (`fid`) that names each printing."""
    return facts.with_row_index("fid").filter(pl.col("kind") == "table")
