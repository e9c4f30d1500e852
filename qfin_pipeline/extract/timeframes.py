"""Period phrases in release prose: 'as of June 30, 2024', 'in the third quarter of 2024', 'a year ago',
'in the same period of 2023', 'in the prior quarter', 'for 2025', 'during the 12-month period from April 1, 2024'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from qfin_pipeline.extract.periods import DURATIONS, add_months, parse_date, period_start, quarter_end

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE = MONTH + r"\.?\s+\d{1,2},?\s+\d{4}"
_ORD = r"first|second|third|fourth|1st|2nd|3rd|4th"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_N = r"\d{1,2}|three|six|nine|twelve"
_IN = r"(?:in|for|during)\s+"

_P = {
    "asof": r"as\s+(?:of|at)\s+(?P<asof_d>" + DATE + ")",
    "qend": r"(?:as\s+of|at)\s+the\s+end\s+of\s+(?:the\s+)?(?P<qend_o>" + _ORD + r")\s+quarter"
    r"(?:\s+of\s+(?P<qend_y>\d{4}))?",
    "yend": r"(?:as\s+of|at)\s+the\s+end\s+of\s+(?P<yend_y>\d{4})",
    "win": r"(?:during|over|for|within)\s+(?:the|a)\s+(?P<win_n>" + _N + r")[-\s]months?\s+period\s+"
    r"(?:from|beginning|starting|commencing)(?:\s+(?:on|from))?\s+(?P<win_d>" + DATE + ")",
    "nxt": r"(?:during|over|for|within)\s+the\s+(?:next|following)\s+(?P<nxt_n>" + _N + r")\s+months\s+"
    r"(?:starting|beginning|commencing|from)(?:\s+(?:from|on))?\s+(?P<nxt_d>" + DATE + ")",
    "span": r"from\s+(?P<span_a>" + DATE + r")\s+(?:to|through|until)\s+(?P<span_b>" + DATE + ")",
    "nm": _IN + r"the\s+(?P<nm_n>" + _N + r")\s+months\s+ended\s+(?P<nm_d>" + DATE + ")",
    "first": _IN + r"the\s+first\s+(?P<first_n>three|six|nine)\s+months\s+of\s+(?P<first_y>\d{4})",
    "half": _IN + r"the\s+(?P<half_o>first|second)\s+half\s+(?:of\s+)?(?P<half_y>\d{4})",
    "same": r"in\s+the\s+(?:same|corresponding)\s+(?:period|quarter)\s+(?:of|in)\s+(?P<same_y>\d{4})",
    "yago": r"(?:in\s+)?the\s+(?:same|corresponding)\s+period\s+(?:of\s+)?last\s+year|a\s+year\s+"
    r"(?:ago|earlier|before)|in\s+the\s+prior[-\s]year\s+period|last\s+year\b",
    "qago": r"in\s+the\s+(?:prior|previous|preceding|last)\s+quarter|a\s+quarter\s+(?:ago|earlier)",
    "qtr": _IN + r"the\s+(?P<qtr_o>" + _ORD + r")\s+quarter(?:\s+(?:of\s+)?(?P<qtr_y>\d{4}))?",
    "qx": _IN + r"Q(?P<qx_q>[1-4])\s*(?P<qx_y>\d{4})",
    "fy": _IN + r"(?:the\s+)?(?:(?:full|fiscal|whole)\s+)?year\s+(?:of\s+)?(?P<fy_y>\d{4})",
    "yr": r"(?:in|for)\s+(?P<yr_y>\d{4})\b",
}
_PERIOD = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _P.items()), re.I | re.A)
# Every period phrase starts with one of these words: try the big pattern only there.
_ANCHOR = re.compile(
    r"[ADFILOTWadfilotw](?:s\s+(?:of|at)|t\s+the\s+end|uring|ver|ithin|rom|n|or|he|\s+year|\s+quarter|ast)\s", re.A
)


@dataclass(frozen=True)
class Period:
    type: str  # 'instant' or '3M' / '6M' / '9M' / '12M' (a plan window may be any 'nM')
    start: date | None
    end: date

    @property
    def months(self) -> int | None:
        return None if self.type == "instant" else int(self.type[:-1])


def instant(end: date) -> Period:
    return Period("instant", None, end)


@lru_cache(maxsize=4096)
def duration(end: date, months: int) -> Period:
    return Period(f"{months}M", period_start(end, months), end)


@lru_cache(maxsize=4096)
def is_month_end(d: date) -> bool:
    return d == add_months(d, 0)


@lru_cache(maxsize=4096)
def shifted(period: Period, months: int) -> Period:
    """The same kind of period `months` earlier (a year ago: 12, the prior quarter: 3)."""
    end = period.end
    if is_month_end(end):
        end = add_months(end, -months)
    else:  # a mid-month instant ('as of November 19, 2024')
        index = end.year * 12 + end.month - 1 - months
        end = date(index // 12, index % 12 + 1, end.day)
    return Period(period.type, None if period.start is None else period_start(end, period.months), end)


def months_between(later: date, earlier: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def _window_end(first: date, months: int) -> date:
    """Last day of a window of `months` starting on `first` (April 1, 2024 + 12 -> March 31, 2025)."""
    if first.day == 1:
        return add_months(first, months - 1)
    index = first.year * 12 + first.month - 1 + months
    return date.fromordinal(date(index // 12, index % 12 + 1, first.day).toordinal() - 1)


@dataclass(frozen=True, slots=True)
class PeriodPhrase:
    start: int
    end: int
    period: Period | None  # absolute periods and plan windows
    back: int | None = None  # relative: months back from the current figure ('a year ago' -> 12)
    year: int | None = None  # relative to a year ('in the same period of 2023')
    window: bool = False


def period_phrases(text: str, fiscal_year: int) -> list[PeriodPhrase]:
    """Every period phrase of a sentence, left to right (a quarter without a year is in `fiscal_year`)."""
    out, pos = [], 0
    for anchor in _ANCHOR.finditer(text):
        start = anchor.start()
        if start < pos or (start and text[start - 1].isalnum()):
            continue
        m = _PERIOD.match(text, start)
        if m:
            out.append(_phrase(m, fiscal_year))
            pos = m.end()
    return out


def _phrase(m: re.Match, fiscal_year: int) -> PeriodPhrase:
    g, kind = m.group, m.lastgroup
    at = (m.start(), m.end())
    if kind == "asof":
        return PeriodPhrase(*at, instant(parse_date(g("asof_d"))))
    if kind == "qend":
        return PeriodPhrase(*at, instant(quarter_end(int(g("qend_y") or fiscal_year), _ORDINALS[g("qend_o").lower()])))
    if kind == "yend":
        return PeriodPhrase(*at, instant(date(int(g("yend_y")), 12, 31)))
    if kind in ("win", "nxt"):
        months, first = DURATIONS[g(kind + "_n").lower()], parse_date(g(kind + "_d"))
        return PeriodPhrase(*at, Period(f"{months}M", first, _window_end(first, months)), window=True)
    if kind == "span":
        first, last = parse_date(g("span_a")), parse_date(g("span_b"))
        months = months_between(last, first) + (1 if first.day == 1 else 0)
        return PeriodPhrase(*at, Period(f"{months}M", first, last), window=True)
    if kind == "nm":
        return PeriodPhrase(*at, duration(parse_date(g("nm_d")), DURATIONS[g("nm_n").lower()]))
    if kind == "first":
        months = DURATIONS[g("first_n").lower()]
        return PeriodPhrase(*at, duration(add_months(date(int(g("first_y")), 1, 31), months - 1), months))
    if kind == "half":
        return PeriodPhrase(*at, duration(quarter_end(int(g("half_y")), 2 if g("half_o").lower() == "first" else 4), 6))
    if kind == "same":
        return PeriodPhrase(*at, None, year=int(g("same_y")))
    if kind in ("yago", "qago"):
        return PeriodPhrase(*at, None, back=12 if kind == "yago" else 3)
    if kind == "qtr":
        end = quarter_end(int(g("qtr_y") or fiscal_year), _ORDINALS[g("qtr_o").lower()])
        return PeriodPhrase(*at, duration(end, 3))
    if kind == "qx":
        return PeriodPhrase(*at, duration(quarter_end(int(g("qx_y")), int(g("qx_q"))), 3))
    return PeriodPhrase(*at, duration(date(int(g("fy_y") or g("yr_y")), 12, 31), 12))


def relative(phrase: PeriodPhrase, current: Period | None) -> Period | None:
    """A relative phrase ('a year ago', 'in the same period of 2023') resolved against the current figure."""
    if current is None:
        return None
    if phrase.back:
        return shifted(current, phrase.back)
    return shifted(current, 12 * (current.end.year - phrase.year)) if phrase.year else None
