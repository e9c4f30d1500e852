"""Sentence grammar of release prose: printed numbers, period phrases, noise, sentence splits, metric phrases.

Everything here is compiled once at import (or once per catalog) and works on one sentence at a time;
`prose.py` binds the pieces together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from qfin_pipeline import catalog
from qfin_pipeline.extract.periods import DURATIONS, add_months, parse_date, period_start, quarter_end

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = _MONTH + r"\.?\s+\d{1,2},?\s+\d{4}"
_ORD = r"first|second|third|fourth|1st|2nd|3rd|4th"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_COUNT = r"\d{1,2}|three|six|nine|twelve"

# A printed figure: optional currency, optional minus, the digits, optional scale, percent or unit word.
MENTION = re.compile(
    r"(?<![\w.$/#:+\-−])(?:(?P<cur>RMB|US\$|USD|\$)\s?)?(?P<neg>[-−])?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\d|[.,:]\d)"
    r"(?P<scale>\s?(?:million|billion|thousand|mn|bn)\b)?(?P<pct>\s?%|\s?percent\b)?"
    r"(?P<unit>\s?(?:months?|days?|years?|hours?|minutes?|calendar\s+days|day\+)\b|\s?day\+|[-‐](?=[a-z])\w+)?",
    re.I,
)
_SCALES = {"thousand": 3, "million": 6, "mn": 6, "billion": 9, "bn": 9}
# Digits that are never figures: dates, times, links, phone numbers, stock codes, legal references.
NOISE = re.compile(
    r"\b" + _DATE + r"|\b" + _MONTH + r"\.?\s+\d{4}\b|\b\d{1,2}:\d{2}(?:\s*[ap]\.?m\.?)?"
    r"|<?https?://\S+|\bwww\.\S+|\S+@\S+|(?:\+\d{1,3}[\s-]?)?\(?\d{2,4}\)?(?:[\s-]\d{3,4}){2,}"
    r"|\b(?:NASDAQ|NYSE|HKEx|SEHK|stock\s+code)\s*:?\s*\w+|\b(?:Rule|Section|Form|Item)\s+\w+(?:-\w+)?",
    re.I,
)
FX = re.compile(r"\bRMB\s?(?P<rate>\d+\.\d+)\s+to\s+US\$\s?1(?:\.0+)?\b")

_P = {
    "asof": r"\bas\s+(?:of|at)\s+(?P<asof_d>" + _DATE + ")",
    "qend": r"\b(?:as\s+of|at)\s+the\s+end\s+of\s+(?:the\s+)?(?P<qend_o>" + _ORD + r")\s+quarter"
    r"(?:\s+of\s+(?P<qend_y>\d{4}))?",
    "yend": r"\b(?:as\s+of|at)\s+the\s+end\s+of\s+(?P<yend_y>\d{4})",
    "win": r"\b(?:during|over|for|within)\s+(?:the|a)\s+(?P<win_n>" + _COUNT + r")[-\s]months?\s+period\s+"
    r"(?:from|beginning|starting|commencing)(?:\s+(?:on|from))?\s+(?P<win_d>" + _DATE + ")",
    "nxt": r"\b(?:during|over|for|within)\s+the\s+(?:next|following)\s+(?P<nxt_n>" + _COUNT + r")\s+months\s+"
    r"(?:starting|beginning|commencing|from)(?:\s+(?:from|on))?\s+(?P<nxt_d>" + _DATE + ")",
    "span": r"\bfrom\s+(?P<span_a>" + _DATE + r")\s+(?:to|through|until)\s+(?P<span_b>" + _DATE + ")",
    "nm": r"\b(?:for|in|during)\s+the\s+(?P<nm_n>" + _COUNT + r")\s+months\s+ended\s+(?P<nm_d>" + _DATE + ")",
    "first": r"\b(?:for|in|during)\s+the\s+first\s+(?P<first_n>three|six|nine)\s+months\s+of\s+(?P<first_y>\d{4})",
    "half": r"\b(?:for|in|during)\s+the\s+(?P<half_o>first|second)\s+half\s+(?:of\s+)?(?P<half_y>\d{4})",
    "same": r"\bin\s+the\s+(?:same|corresponding)\s+(?:period|quarter)\s+(?:of|in)\s+(?P<same_y>\d{4})",
    "yago": r"\b(?:in\s+)?the\s+(?:same|corresponding)\s+period\s+(?:of\s+)?last\s+year|\ba\s+year\s+"
    r"(?:ago|earlier|before)|\bin\s+the\s+prior[-\s]year\s+period|\blast\s+year\b",
    "qago": r"\bin\s+the\s+(?:prior|previous|preceding|last)\s+quarter|\ba\s+quarter\s+(?:ago|earlier)",
    "qtr": r"\b(?:in|for|during)\s+the\s+(?P<qtr_o>" + _ORD + r")\s+quarter(?:\s+(?:of\s+)?(?P<qtr_y>\d{4}))?",
    "qx": r"\b(?:in|for|during)\s+Q(?P<qx_q>[1-4])\s*(?P<qx_y>\d{4})",
    "fy": r"\b(?:in|for|during)\s+(?:the\s+)?(?:(?:full|fiscal|whole)\s+)?year\s+(?:of\s+)?(?P<fy_y>\d{4})",
    "yr": r"\b(?:in|for)\s+(?P<yr_y>\d{4})\b",
}
PERIOD = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _P.items()), re.I)


@dataclass(frozen=True)
class Period:
    type: str  # 'instant' or '3M' / '6M' / '9M' / '12M'
    start: date | None
    end: date

    @property
    def months(self) -> int | None:
        return None if self.type == "instant" else int(self.type[:-1])


def duration(end: date, months: int) -> Period:
    return Period(f"{months}M", period_start(end, months), end)


def shifted(period: Period, months: int) -> Period:
    """The same kind of period `months` earlier (a year ago: 12, the prior quarter: 3)."""
    end = period.end
    if end == add_months(end, 0):
        end = add_months(end, -months)
    else:  # a mid-month instant ('as of November 19, 2024')
        index = end.year * 12 + end.month - 1 - months
        end = date(index // 12, index % 12 + 1, end.day)
    return Period(period.type, None if period.start is None else period_start(end, period.months), end)


def _window_end(first: date, months: int) -> date:
    """Last day of a window of `months` starting on `first` (April 1, 2024 + 12 -> March 31, 2025)."""
    if first.day == 1:
        return add_months(first, months - 1)
    index = first.year * 12 + first.month - 1 + months
    return date.fromordinal(date(index // 12, index % 12 + 1, first.day).toordinal() - 1)


@dataclass(frozen=True)
class PeriodPhrase:
    start: int
    end: int
    period: Period | None  # absolute periods and windows
    back: int | None = None  # relative: months back from the current figure ('a year ago' -> 12)
    year: int | None = None  # relative to a year ('in the same period of 2023')
    window: bool = False


def period_phrases(text: str, fiscal_year: int) -> list[PeriodPhrase]:
    out = []
    for m in PERIOD.finditer(text):
        g, kind = m.groupdict(), m.lastgroup
        period, back, year, window = None, None, None, False
        if kind == "asof":
            period = Period("instant", None, parse_date(g["asof_d"]))
        elif kind == "qend":
            period = Period("instant", None, quarter_end(int(g["qend_y"] or fiscal_year), _ORDINALS[g["qend_o"].lower()]))
        elif kind == "yend":
            period = Period("instant", None, date(int(g["yend_y"]), 12, 31))
        elif kind in ("win", "nxt"):
            months, first = DURATIONS[g[kind + "_n"].lower()], parse_date(g[kind + "_d"])
            period, window = Period(f"{months}M", first, _window_end(first, months)), True
        elif kind == "span":
            first, last = parse_date(g["span_a"]), parse_date(g["span_b"])
            months = (last.year - first.year) * 12 + last.month - first.month + 1
            period, window = Period(f"{months}M", first, last), True
        elif kind == "nm":
            period = duration(parse_date(g["nm_d"]), DURATIONS[g["nm_n"].lower()])
        elif kind == "first":
            months = DURATIONS[g["first_n"].lower()]
            period = duration(add_months(date(int(g["first_y"]), 1, 31), months - 1), months)
        elif kind == "half":
            period = duration(quarter_end(int(g["half_y"]), 2 if g["half_o"].lower() == "first" else 4), 6)
        elif kind == "same":
            year = int(g["same_y"])
        elif kind == "yago":
            back = 12
        elif kind == "qago":
            back = 3
        elif kind == "qtr":
            period = duration(quarter_end(int(g["qtr_y"] or fiscal_year), _ORDINALS[g["qtr_o"].lower()]), 3)
        elif kind == "qx":
            period = duration(quarter_end(int(g["qx_y"]), int(g["qx_q"])), 3)
        else:
            period = duration(date(int(g["fy_y"] or g["yr_y"]), 12, 31), 12)
        out.append(PeriodPhrase(m.start(), m.end(), period, back, year, window))
    return out


@dataclass
class Mention:
    start: int
    end: int
    printed: str  # the digits as printed ('4,370.2')
    currency: str | None
    value: float
    decimals: int
    pct: bool
    months: bool
    scaled: bool
    metric: str | None = None
    parent: int | None = None  # index of the figure this one translates ('(US$622.7 million)')


def mentions(text: str, blocked: list[tuple[int, int]]) -> list[Mention]:
    """Printed figures in a sentence, minus digits inside blocked spans and numbers that are not figures."""
    out = []
    for m in MENTION.finditer(text):
        start, end = m.start("num") if m.group("cur") is None else m.start(), m.end()
        unit = (m.group("unit") or "").strip().lower()
        if any(a < end and start < b for a, b in blocked) or (unit and not unit.startswith("month")):
            continue
        num, cur, scale, pct = m.group("num"), m.group("cur"), m.group("scale"), bool(m.group("pct"))
        plain = not (cur or scale or pct or unit)
        if plain and "," not in num and "." not in num and 1900 <= int(num) <= 2100:
            continue  # a year
        if plain and re.match(r"\s+[A-Z][a-z]", text[end:end + 3]):
            continue  # part of a name ('360 Jietiao')
        digits = Decimal(num.replace(",", ""))
        frac = len(num.split(".")[1]) if "." in num else 0
        power = 0 if pct else _SCALES[scale.strip().lower()] if scale else 0
        value = digits.scaleb(-2 if pct else power) * (-1 if m.group("neg") else 1)
        currency = None if not cur else "RMB" if cur == "RMB" else "USD"
        decimals = frac + 2 if pct else frac - power
        out.append(Mention(start, end, num, currency, float(value), decimals, pct, unit.startswith("month"), bool(scale)))
    return out


_ABBREV = re.compile(r"(?:\b(?:Mr|Ms|Mrs|Dr|Inc|Co|Ltd|Corp|No|vs|approx|St|Jr|Sr|etc)|\b[A-Z])\.[\"”’]?$")
_SPLIT = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[A-Z“\"(]|RMB|US\$)")


def sentences(text: str) -> list[tuple[int, str]]:
    """A paragraph -> (offset, sentence) pairs, not splitting after 'Mr.', 'Inc.', 'U.S.'."""
    cuts = [m.end() for m in _SPLIT.finditer(text) if not _ABBREV.search(text[: m.start() + 1].rstrip())]
    bounds = [0, *cuts, len(text)]
    return [(a, text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b].strip()]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+\+?", text.casefold())


@cache
def phrase_pattern() -> re.Pattern:
    """One alternation of every catalog phrase, longest first; quotes, dashes, commas may separate words."""
    phrases = sorted(catalog.prose_labels(), key=lambda p: (-len(p), p))
    parts = [r"[^\w+$]+".join(re.escape(t) for t in _tokens(p)) for p in phrases]
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")(?![a-z0-9])", re.I)


@cache
def _phrase_keys() -> dict[str, str]:
    return {" ".join(_tokens(p)): p for p in catalog.prose_labels()}


def phrase_key(matched: str) -> str:
    """Matched text -> its catalog phrase ('capital-light model, “ICE” and ...' -> the normalized phrase)."""
    return _phrase_keys()[" ".join(_tokens(matched))]
