"""Printed table cells -> exact values in base units, and the facts frame."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

import polars as pl

from qfin_pipeline.extract.facts import FACT_SCHEMA, empty_facts

_ZERO = Decimal(0)
_NOT_DIGIT = re.compile(r"[^0-9.]")
_DASHES = ("-", "–", "—")
NUMBER = re.compile(r"^\(?[-−]?(?:US)?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)?%?$|^[-–—]$")


def cell_value(raw: str, unit_hint: str, scale: int) -> tuple[Decimal, str, int]:
    """'(1,410)' in a table in thousands -> (Decimal(-1410000), 'currency', -3); '26.6%' -> (Decimal('0.266'), 'pure', 3).

    The value is exact: the printed digits as an integer times a power of ten (no float on the way)."""
    if raw in _DASHES:
        return _ZERO, unit_hint, -_scale_digits(scale) if unit_hint == "currency" else 0
    digits = _NOT_DIGIT.sub("", raw)
    frac = len(digits) - digits.index(".") - 1 if "." in digits else 0
    if raw.endswith("%"):
        unit, exponent = "pure", -2 - frac
    elif unit_hint == "currency":
        unit, exponent = unit_hint, _scale_digits(scale) - frac
    else:
        unit, exponent = unit_hint, -frac
    value = Decimal(int(digits.replace(".", ""))).scaleb(exponent)
    negative = raw[0] == "(" or (raw[0] == "-" and raw[1:2].isdigit())
    return (-value if negative else value), unit, -exponent


@lru_cache(maxsize=64)
def _scale_digits(scale: int) -> int:
    """log10 of a table's scale: 3 for thousands, 6 for millions."""
    return round(math.log10(scale))


_ROW_COLUMNS = ("statement", "section", "label", "metric_id", "period_type", "period_start", "period_end", "currency",
                "unit", "decimals", "source_line", "source_column", "source_text")


def facts_of_cells(release_id: str, cells: list[tuple]) -> pl.DataFrame:
    """Cells (reader.CELL_FIELDS tuples) -> table facts in base units (see CONTRACT.md `facts`)."""
    if not cells:
        return empty_facts()
    values, rows = [], []
    for (statement, section, label, metric_id, unit_hint, scale, raw, ptype, start, end, currency, number, j,
         source) in cells:
        if not raw.isascii():  # full-width digits, a Unicode minus: the same number in ASCII
            raw = unicodedata.normalize("NFKC", raw).replace("−", "-").replace("–", "-").replace("—", "-")
        value, unit, decimals = cell_value(raw, unit_hint, scale)
        values.append(value)
        rows.append((statement, section, label, metric_id, ptype, start, end,
                     currency if unit in ("currency", "per_share") else None, unit, decimals, number, j, source))
    columns = dict(zip(_ROW_COLUMNS, map(list, zip(*rows, strict=True)), strict=True))
    columns["release_id"], columns["kind"] = [release_id] * len(rows), ["table"] * len(rows)
    columns["value"] = values
    return pl.DataFrame({name: columns[name] for name in FACT_SCHEMA}, schema=FACT_SCHEMA)
