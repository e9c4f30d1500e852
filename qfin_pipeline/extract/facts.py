"""The fact frame every extractor returns: one row per printed number (columns of CONTRACT.md `facts`)."""

from __future__ import annotations

import polars as pl

# Exact decimals (CONTRACT.md `facts.value` DECIMAL(38, 6)): printed digits times a power of ten, never a float.
VALUE_DTYPE = pl.Decimal(38, 6)

FACT_SCHEMA: dict[str, pl.DataType] = {
    "release_id": pl.String,
    "kind": pl.String,
    "statement": pl.String,
    "section": pl.String,
    "label": pl.String,
    "metric_id": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "currency": pl.String,
    "unit": pl.String,
    "value": VALUE_DTYPE,
    "decimals": pl.Int32,
    "source_line": pl.Int32,
    "source_column": pl.Int32,
    "source_text": pl.String,
}

# A number in a loaded release's prose that is not a fact (CONTRACT.md `unread_figures`): nothing is read silently.
UNREAD_SCHEMA: dict[str, pl.DataType] = {
    "release_id": pl.String,
    "source_line": pl.Int32,
    "printed": pl.String,  # the number as printed ('4,370.2', '2.72%', '+86')
    "sentence": pl.String,
    "reason": pl.String,  # 'date', 'footnote marker', 'phone number', 'time', ..., or 'no pattern'
}

KINDS = ("table", "highlight", "narrative", "outlook", "capital_return", "reference", "reported_change")
STATEMENTS = (
    "balance_sheet", "income_statement", "cash_flow", "comprehensive_income", "non_gaap",
    "operating", "outlook", "capital_return", "reference", "other",  # other: a table under a title no catalog knows
)
PERIOD_TYPES = ("instant", "3M", "6M", "9M", "12M")
UNITS = ("currency", "shares", "per_share", "pure", "count", "months")
CURRENCIES = ("RMB", "USD")


def empty_unread() -> pl.DataFrame:
    return pl.DataFrame(schema=UNREAD_SCHEMA)


def empty_facts() -> pl.DataFrame:
    return pl.DataFrame(schema=FACT_SCHEMA)


def facts_frame(records: list[dict]) -> pl.DataFrame:
    """Rows (dicts with any subset of the columns) -> a frame in FACT_SCHEMA order and types."""
    if not records:
        return empty_facts()
    return pl.DataFrame(records, schema_overrides=FACT_SCHEMA, infer_schema_length=None).select(
        [pl.col(c).cast(t) if c in records[0] else pl.lit(None, t).alias(c) for c, t in FACT_SCHEMA.items()]
    )
