"""Tab-separated financial tables -> table facts, each cell on the period and currency of its own column."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

import polars as pl

from qfin_pipeline import catalog
from qfin_pipeline.extract.document import Document, Line, ReleaseError, title_statement
from qfin_pipeline.extract.facts import FACT_SCHEMA, empty_facts
from qfin_pipeline.extract.periods import DURATIONS, parse_date, period_start, period_type

_SCALE = re.compile(r"amounts in (thousands|millions) of", re.I)
_SCALES = {"thousands": 1_000, "millions": 1_000_000}
_CURRENCY = re.compile(r"\b(RMB|USD|US\$)(?=\W|$)")
_DURATION = re.compile(r"\b(three|six|nine|twelve|3|6|9|12)[\s-]+months?\s+ended|\b(year|quarter)\s+ended", re.I)
_MONTH_DAY = re.compile(r"\b([A-Z][a-z]{2,8}\.?\s+\d{1,2})\b")
_YEAR = re.compile(r"\b(1[89]|2\d)\d{2}\b")  # header years 1800-2999
_NUMBER = re.compile(r"^\(?[-−]?(?:US)?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?\)?%?$|^[-–—]$")
_HAS_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class Column:
    period_type: str
    period_start: date | None
    period_end: date
    currency: str | None


def parse_column_header(text: str) -> Column | None:
    """'Nine months ended September 30, 2031 RMB' -> Column(9M, 2031-01-01, 2031-09-30, RMB)."""
    month_day, year = _MONTH_DAY.search(text), _YEAR.search(text)
    if not (month_day and year):
        return None
    try:
        end = parse_date(f"{month_day.group(1)}, {year.group(0)}")
    except ValueError:
        return None
    duration = _DURATION.search(text)
    months = DURATIONS[(duration.group(1) or duration.group(2)).lower()] if duration else None
    currency = _CURRENCY.search(text)
    code = None if currency is None else ("RMB" if currency.group(1) == "RMB" else "USD")
    return Column(period_type(months), period_start(end, months) if months else None, end, code)


def _spanning(fragment: str) -> bool:
    """Header fragments that span the columns to their right ('Three months ended September 30,')."""
    return bool(_DURATION.search(fragment) or _MONTH_DAY.search(fragment)) and not _CURRENCY.fullmatch(fragment)


def header_columns(rows: list[list[str]]) -> dict[int, Column]:
    """Header rows (cells after the label) -> 1-based value column -> Column."""
    width = max(len(r) for r in rows)
    texts = [[] for _ in range(width)]
    for cells in rows:
        carried = ""
        for j in range(width):
            cell = cells[j] if j < len(cells) else ""
            if cell:
                carried = cell if _spanning(cell) else ""
                texts[j].append(cell)
            elif carried:
                texts[j].append(carried)
    columns = {}
    for j, parts in enumerate(texts):
        parsed = parse_column_header(" ".join(parts)) if parts else None
        if parsed:
            columns[j + 1] = parsed
    return columns


@dataclass
class _TableState:
    statement: str
    title: str
    scale: int = 1_000
    columns: dict[int, Column] = field(default_factory=dict)
    header_rows: list[list[str]] = field(default_factory=list)
    heading: str | None = None  # last value-less group row ('Current assets:')
    group: str | None = None  # last value-carrying group row ('Platform services')
    group_metric: str | None = None
    has_data: bool = False


_PER_SHARE = re.compile(r"per (ordinary )?share|per ads\b|\beps\b")
_SHARES = re.compile(r"weighted average|number of (shares|ads)")


@lru_cache(maxsize=8192)
def _unit_guess(section: str | None, label: str) -> str:
    text = f"{section or ''} {label}".lower()
    if _PER_SHARE.search(text):
        return "per_share"
    if _SHARES.search(text):
        return "shares"
    return "currency"


_metric_for = lru_cache(maxsize=8192)(catalog.metric_for)  # table labels repeat across releases
_CELL_SCHEMA = {
    "statement": pl.String, "section": pl.String, "label": pl.String, "metric_id": pl.String,
    "unit_hint": pl.String, "scale": pl.Int64, "raw": pl.String, "period_type": pl.String,
    "period_start": pl.Date, "period_end": pl.Date, "column_currency": pl.String, "source_line": pl.Int32,
    "source_column": pl.Int32, "source_text": pl.String,
}


def table_cells(doc: Document) -> pl.DataFrame:
    """Every numeric cell of every statement table as raw strings with their row and column context."""
    cells = _cells(doc)
    if not cells:
        return pl.DataFrame()
    return pl.DataFrame(dict(zip(_CELL_SCHEMA, map(list, zip(*cells, strict=True)), strict=True)), schema=_CELL_SCHEMA)


def _cells(doc: Document) -> list[tuple]:
    """table_cells as tuples in _CELL_SCHEMA order."""
    out: list[tuple] = []
    state: _TableState | None = None
    lines = doc.lines
    group_row = _before_labelled_row(lines)
    components = catalog.identity_components()
    units = catalog.metric_units()
    for index, line in enumerate(lines):
        text = line.text
        if "\t" not in text:
            if not text:
                continue
            if (
                state and (state.columns or state.header_rows) and group_row[index]
                and text != state.title and not title_statement(text) and not _SCALE.search(text)
            ):
                text += "\t"  # a group row printed without its trailing tabs, inside a table
            else:
                statement = title_statement(text)
                if statement and not (state and state.has_data and state.title == text):
                    state = _TableState(statement, text)
                elif state and (m := _SCALE.search(text)):
                    state.scale = _SCALES[m.group(1).lower()]
                elif state and state.has_data and state.title != text:
                    state = None  # prose after the table ends it
                continue
        cells = text.split("\t")
        label, values = cells[0], cells[1:]
        if state is None:
            if any(_HAS_DIGIT.search(v) for v in values) and label:
                raise ReleaseError(doc.source_file, "table row outside any statement the catalog knows", line.number)
            continue
        if not label:
            if any(values):
                state.header_rows.append(values)
            continue
        if state.header_rows:
            columns = header_columns(state.header_rows)
            if state.has_data and columns != state.columns:
                state.heading = state.group = None  # a new sub-table; the same headers again are a page break
            state.columns, state.header_rows = columns, []
        if not any(values):
            state.heading, state.group = label, None
            continue
        state.has_data = True
        section, metric, in_group = state.heading, None, False
        if state.group:  # still inside a subtotal-carrying group row's components?
            metric = _metric_for(state.statement, state.group, label)
            in_group = metric in components.get(state.group_metric, ())
            section = state.group if in_group else section
            state.group = state.group if in_group else None
        if not in_group:
            metric = _metric_for(state.statement, section, label)
            if metric in components:  # a total printed above its components
                state.group, state.group_metric = label, metric
        unit = units.get(metric) if metric else None
        metric_id = unit_hint = None
        for j, raw in enumerate(values, 1):
            if not raw:
                continue
            column = state.columns.get(j)
            if not _NUMBER.match(raw):
                problem = f"table cell {raw!r} in column {j} of {label!r} is not a number"
                raise ReleaseError(doc.source_file, problem, line.number)
            if column is None:
                problem = f"value {raw!r} in column {j} of {label!r} has no period header"
                raise ReleaseError(doc.source_file, problem, line.number)
            if metric_id is None:
                metric_id, unit_hint = metric or _unmapped_id(section, label), unit or _unit_guess(section, label)
            out.append((
                state.statement, section, label, metric_id, unit_hint, state.scale, raw, column.period_type,
                column.period_start, column.period_end, column.currency, line.number, j, line.source,
            ))
    return out


def _before_labelled_row(lines: list[Line]) -> list[bool]:
    """For each line: is the next table row a labelled one, with at most one other tab-less line between?
    ('LIABILITIES AND EQUITY' / 'Current liabilities:' printed without their tabs; computed backwards.)"""
    out, labelled, gap = [False] * len(lines), False, 0
    for i in range(len(lines) - 1, -1, -1):
        out[i] = labelled and gap <= 1
        text = lines[i].text
        if "\t" in text:
            labelled, gap = bool(text.split("\t", 1)[0]), 0
        elif text:
            gap += 1
    return out


@lru_cache(maxsize=8192)
def _unmapped_id(section: str | None, label: str) -> str:
    return "unmapped__" + catalog.slug(f"{section} {label}" if section else label)


_ZERO = Decimal(0)
_NOT_DIGIT = re.compile(r"[^0-9.]")
_DASHES = ("-", "–", "—")


def read_tables(doc: Document) -> pl.DataFrame:
    """Document -> table facts in base units (see CONTRACT.md `facts`): one pass over the cells, one frame."""
    cells = _cells(doc)
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
    columns["release_id"], columns["kind"] = [doc.info.release_id] * len(rows), ["table"] * len(rows)
    columns["value"] = values
    return pl.DataFrame({name: columns[name] for name in FACT_SCHEMA}, schema=FACT_SCHEMA)


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


_ROW_COLUMNS = ("statement", "section", "label", "metric_id", "period_type", "period_start", "period_end", "currency",
                "unit", "decimals", "source_line", "source_column", "source_text")


@lru_cache(maxsize=64)
def _scale_digits(scale: int) -> int:
    """log10 of a table's scale: 3 for thousands, 6 for millions."""
    return round(math.log10(scale))
