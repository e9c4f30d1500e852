"""Column headers of a table -> each value column's period and currency."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from qfin_pipeline.extract.periods import DURATIONS, parse_date, period_start, period_type

_CURRENCY = re.compile(r"\b(RMB|USD|US\$)(?=\W|$)")
_DURATION = re.compile(r"\b(three|six|nine|twelve|3|6|9|12)[\s-]+months?\s+ended|\b(year|quarter)\s+ended", re.I)
_MONTH_DAY = re.compile(r"\b([A-Z][a-z]{2,8}\.?\s+\d{1,2})\b")
_YEAR = re.compile(r"\b(1[89]|2\d)\d{2}\b")  # header years 1800-2999


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
