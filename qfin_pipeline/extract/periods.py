"""Dates and periods as releases print them ('September 30, 2024', 'Nine months ended ...')."""

from __future__ import annotations

import calendar
import re
from datetime import date

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

# Duration words in column headers and sentences -> months covered.
DURATIONS = {"three": 3, "six": 6, "nine": 9, "twelve": 12, "year": 12, "quarter": 3, "3": 3, "6": 6, "9": 9, "12": 12}


def parse_date(text: str) -> date:
    """'September 30, 2024' / 'Sep. 30 2024' -> date."""
    m = re.match(r"\s*([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text)
    if not m or m.group(1).lower() not in _MONTHS:
        raise ValueError(f"not a date: {text!r}")
    return date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_end(year: int, quarter: int) -> date:
    return month_end(year, quarter * 3)


def add_months(d: date, months: int) -> date:
    """Month-end arithmetic: add_months(2031-03-31, -3) == 2030-12-31."""
    index = d.year * 12 + d.month - 1 + months
    return month_end(index // 12, index % 12 + 1)


def period_start(end: date, months: int) -> date:
    """First day of a period of `months` ending at month-end `end`: (2031-06-30, 3) -> 2031-04-01."""
    before = add_months(end, -months)
    return date.fromordinal(before.toordinal() + 1)


def period_type(months: int | None) -> str:
    return "instant" if not months else f"{months}M"
