"""Pandera (polars backend) models of the warehouse frames `facts`, `releases`, `check_results` (CONTRACT.md).

`validate_facts(facts, source_file)` validates lazily (every error at once) and raises
`SchemaViolation` naming the file, the raw line(s) and the rule, e.g.
    qfin-2024q3.txt:312: facts.period_type: isin(['instant', '3M', '6M', '9M', '12M']) failed for '7M'
"""

from __future__ import annotations

from typing import Annotated, Optional

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from qfin_pipeline import catalog
from qfin_pipeline.extract.facts import CURRENCIES, KINDS, PERIOD_TYPES, STATEMENTS, UNITS
from qfin_pipeline.validate.violations import SchemaViolation, describe

__all__ = [
    "CheckResultsModel",
    "FactsModel",
    "ReleasesModel",
    "SchemaViolation",
    "validate_facts",
    "validate_frame",
]

# The fact key: one row per printed number (CONTRACT.md `facts`).
FACT_KEY = [
    "release_id",
    "kind",
    "statement",
    "metric_id",
    "label",
    "period_type",
    "period_start",
    "period_end",
    "currency",
    "source_line",
    "source_column",
]
UNITLESS = ("pure", "shares", "count", "months")  # no currency: ratios, share counts, counts, durations
MONEY = ("currency", "per_share")  # amounts: always in a currency
DURATIONS = tuple(p for p in PERIOD_TYPES if p != "instant")
RELEASE_ID = r"^[A-Z0-9.]+-\d{4}Q[1-4]$"

# Row-level (dataframe) checks -> the columns a failure message shows.
ROW_CHECK_COLUMNS: dict[str, tuple[str, ...]] = {
    "instant_has_no_period_start": ("period_type", "period_start"),
    "duration_starts_before_end": ("period_type", "period_start", "period_end"),
    "duration_span_matches_period_type": ("period_type", "period_start", "period_end"),
    "unitless_has_no_currency": ("unit", "currency"),
    "amount_has_currency": ("unit", "currency"),
    "table_cell_has_source_column": ("kind", "source_column"),
    "multiple_fields_uniqueness": (
        "metric_id",
        "label",
        "period_type",
        "period_end",
        "currency",
        "source_column",
    ),
    "release_id_names_ticker_and_quarter": ("release_id", "ticker", "fiscal_year", "fiscal_quarter"),
    "period_end_is_quarter_end": ("fiscal_year", "fiscal_quarter", "period_end"),
    "published_after_period_end": ("period_end", "published_on"),
    "status_matches_severity": ("check_name", "status", "severity"),
    "severity_matches_catalog": ("check_name", "severity"),
}


def _rows(data: pa.PolarsData, condition: pl.Expr) -> pl.LazyFrame:
    return data.lazyframe.select(condition.fill_null(False))


class FactsModel(pa.DataFrameModel):
    """`facts`: one row per number the release prints, types as FACT_SCHEMA."""

    release_id: pl.String = pa.Field(str_matches=RELEASE_ID)
    kind: pl.String = pa.Field(isin=list(KINDS))
    statement: pl.String = pa.Field(isin=list(STATEMENTS))
    section: pl.String = pa.Field(nullable=True)
    label: pl.String = pa.Field(str_length={"min_value": 1})
    metric_id: pl.String = pa.Field(str_matches=r"^[a-z0-9_]+$")
    period_type: pl.String = pa.Field(isin=list(PERIOD_TYPES))
    period_start: pl.Date = pa.Field(nullable=True)
    period_end: pl.Date
    currency: pl.String = pa.Field(isin=list(CURRENCIES), nullable=True)
    unit: pl.String = pa.Field(isin=list(UNITS))
    value: Annotated[pl.Decimal, 38, 6]
    # at most 6 decimal places: DECIMAL(38, 6) holds every printed digit exactly
    decimals: pl.Int32 = pa.Field(in_range={"min_value": -9, "max_value": 6})
    source_line: pl.Int32 = pa.Field(ge=1)
    source_column: pl.Int32 = pa.Field(ge=1, nullable=True)
    source_text: pl.String

    class Config:
        name = "facts"
        strict = True
        unique = FACT_KEY

    @pa.dataframe_check(name="instant_has_no_period_start")
    def _instant(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _rows(data, (pl.col("period_type") != "instant") | pl.col("period_start").is_null())

    @pa.dataframe_check(name="duration_starts_before_end")
    def _ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _rows(
            data, ~pl.col("period_type").is_in(DURATIONS) | (pl.col("period_start") < pl.col("period_end"))
        )

    @pa.dataframe_check(name="duration_span_matches_period_type")
    def _span(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A 3M period ended 2031-06-30 starts 2031-04-01: the day after the month-end N months before."""
        duration = pl.col("period_type").is_in(DURATIONS)
        back = pl.when(duration).then(pl.format("-{}mo", pl.col("period_type").str.strip_suffix("M")))
        start = (
            pl.col("period_end").dt.offset_by(back.otherwise(pl.lit("0mo"))).dt.month_end().dt.offset_by("1d")
        )
        return _rows(data, ~duration | (pl.col("period_start") == start))

    @pa.dataframe_check(name="unitless_has_no_currency")
    def _unitless(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _rows(data, ~pl.col("unit").is_in(UNITLESS) | pl.col("currency").is_null())

    @pa.dataframe_check(name="amount_has_currency")
    def _money(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _rows(data, ~pl.col("unit").is_in(MONEY) | pl.col("currency").is_not_null())

    @pa.dataframe_check(name="table_cell_has_source_column")
    def _column(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _rows(data, (pl.col("kind") == "table") == pl.col("source_column").is_not_null())


class ReleasesModel(pa.DataFrameModel):
    """`releases`: one row per loaded release."""

    release_id: pl.String = pa.Field(str_matches=RELEASE_ID, unique=True)
    ticker: pl.String = pa.Field(str_matches=r"^[A-Z0-9.]+$")
    fiscal_year: pl.Int32 = pa.Field(in_range={"min_value": 2000, "max_value": 2100})
    fiscal_quarter: pl.Int32 = pa.Field(in_range={"min_value": 1, "max_value": 4})
    period_end: pl.Date
    published_on: pl.Date
    title: pl.String = pa.Field(str_length={"min_value": 1})
    source_file: pl.String = pa.Field(str_length={"min_value": 1})
    sha256: pl.String = pa.Field(str_matches=r"^[0-9a-f]{64}$", unique=True)
    fx_rmb_per_usd: pl.Float64 = pa.Field(gt=0, nullable=True)
    loaded_at: pl.Datetime

    class Config:
        name = "releases"
        strict = True
        coerce = True

    @pa.dataframe_check(name="release_id_names_ticker_and_quarter")
    def _release_id(cls, data: pa.PolarsData) -> pl.LazyFrame:
        expected = pl.format("{}-{}Q{}", "ticker", "fiscal_year", "fiscal_quarter")
        return _rows(data, pl.col("release_id") == expected)

    @pa.dataframe_check(name="period_end_is_quarter_end")
    def _quarter_end(cls, data: pa.PolarsData) -> pl.LazyFrame:
        end = pl.date(pl.col("fiscal_year"), pl.col("fiscal_quarter") * 3, 1).dt.month_end()
        return _rows(data, pl.col("period_end") == end)

    @pa.dataframe_check(name="published_after_period_end")
    def _published(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _rows(data, pl.col("published_on") > pl.col("period_end"))


class CheckResultsModel(pa.DataFrameModel):
    """`check_results`: every check evaluation; `checked_at` is added when results are stored."""

    release_id: pl.String = pa.Field(str_matches=RELEASE_ID)
    check_name: pl.String = pa.Field(isin=catalog.checks()["check_name"].to_list())
    status: pl.String = pa.Field(isin=["passed", "failed", "warning"])
    severity: pl.String = pa.Field(isin=["blocking", "warning"])
    expected: pl.Float64 = pa.Field(nullable=True)
    actual: pl.Float64 = pa.Field(nullable=True)
    tolerance: pl.Float64 = pa.Field(ge=0, nullable=True)
    detail: pl.String
    checked_at: Optional[pl.Datetime]  # noqa: UP045 (pandera reads Optional as "column may be absent")

    class Config:
        name = "check_results"
        strict = True
        coerce = True

    @pa.dataframe_check(name="status_matches_severity")
    def _status(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A failed blocking check is 'failed'; a failed warning check is 'warning'."""
        status, severity = pl.col("status"), pl.col("severity")
        return _rows(
            data,
            ((status != "failed") | (severity == "blocking"))
            & ((status != "warning") | (severity == "warning")),
        )

    @pa.dataframe_check(name="severity_matches_catalog")
    def _severity(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return _rows(
            data,
            pl.col("severity") == pl.col("check_name").replace_strict(catalog.check_severity(), default=None),
        )


def validate_facts(facts: pl.DataFrame, source_file: str) -> pl.DataFrame:
    """Facts of one release file -> the same frame, or SchemaViolation naming file, lines and rules."""
    return validate_frame(FactsModel, facts, source_file)


def validate_frame(model: type[pa.DataFrameModel], frame: pl.DataFrame, source_file: str) -> pl.DataFrame:
    """Validate `frame` against `model` with every error collected (lazy=True)."""
    try:
        return model.validate(frame, lazy=True)
    except SchemaErrors as exc:
        name = model.to_schema().name or model.__name__
        raise SchemaViolation(
            source_file,
            describe(exc.failure_cases, frame, source_file, name, ROW_CHECK_COLUMNS),
            exc.failure_cases,
        ) from None
