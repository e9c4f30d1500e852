"""Period phrases in release prose: 'as of June 30, 2024', 'in the third quarter of 2024', 'a year ago',
'in the same period of 2023', 'in the prior quarter', 'for 2025', 'during the 12-month period from April 1, 2024'.

RULES is the whole grammar: one row per wording (name, pattern, resolver). A new wording is one row; the
words a phrase can start with (the scan's anchor) are read off the patterns themselves (`first_words`).
Date arithmetic lives in extract/periods.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from qfin_pipeline.extract.periods import DURATIONS, add_months, parse_date, period_start, quarter_end
from qfin_pipeline.extract.prose.patterns import first_words

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE = MONTH + r"\.?\s+\d{1,2},?\s+\d{4}"
_ORD = r"first|second|third|fourth|1st|2nd|3rd|4th"
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_N = r"\d{1,2}|three|six|nine|twelve"
_IN = r"(?:in|for|during)\s+"


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


@dataclass(slots=True, eq=False)
class PeriodPhrase:
    start: int
    end: int
    period: Period | None  # absolute periods and plan windows
    back: int | None = None  # relative: months back from the current figure ('a year ago' -> 12)
    year: int | None = None  # relative to a year ('in the same period of 2023')
    window: bool = False


# --- the grammar: what each phrase says, given its groups and the release's fiscal year -----------------------

Groups = Callable[[str], str | None]
Meaning = dict  # PeriodPhrase fields other than start and end


def _window(g: Groups, _: int) -> Meaning:
    months, first = DURATIONS[g("n").lower()], parse_date(g("d"))
    return {"period": Period(f"{months}M", first, _window_end(first, months)), "window": True}


def _span(g: Groups, _: int) -> Meaning:
    first, last = parse_date(g("a")), parse_date(g("b"))
    months = months_between(last, first) + (1 if first.day == 1 else 0)
    return {"period": Period(f"{months}M", first, last), "window": True}


def _first_months(g: Groups, _: int) -> Meaning:
    months = DURATIONS[g("n").lower()]
    return {"period": duration(add_months(date(int(g("y")), 1, 31), months - 1), months)}


@dataclass(frozen=True)
class PeriodRule:
    name: str
    pattern: str
    resolve: Callable[[Groups, int], Meaning]


RULES = [  # tried in this order where a phrase may start: the first that matches there wins
    PeriodRule("as_of", r"as\s+(?:of|at)\s+(?P<d>" + DATE + ")",
               lambda g, fy: {"period": instant(parse_date(g("d")))}),
    PeriodRule("quarter_end", r"(?:as\s+of|at)\s+the\s+end\s+of\s+(?:the\s+)?(?P<o>" + _ORD + r")\s+quarter"
               r"(?:\s+of\s+(?P<y>\d{4}))?",
               lambda g, fy: {"period": instant(quarter_end(int(g("y") or fy), _ORDINALS[g("o").lower()]))}),
    PeriodRule("year_end", r"(?:as\s+of|at)\s+the\s+end\s+of\s+(?P<y>\d{4})",
               lambda g, fy: {"period": instant(date(int(g("y")), 12, 31))}),
    PeriodRule("window", r"(?:during|over|for|within)\s+(?:the|a)\s+(?P<n>" + _N + r")[-\s]months?\s+period\s+"
               r"(?:from|beginning|starting|commencing)(?:\s+(?:on|from))?\s+(?P<d>" + DATE + ")", _window),
    PeriodRule("next_months", r"(?:during|over|for|within)\s+the\s+(?:next|following)\s+(?P<n>" + _N + r")\s+months\s+"
               r"(?:starting|beginning|commencing|from)(?:\s+(?:from|on))?\s+(?P<d>" + DATE + ")", _window),
    PeriodRule("span", r"from\s+(?P<a>" + DATE + r")\s+(?:to|through|until)\s+(?P<b>" + DATE + ")", _span),
    PeriodRule("months_ended", _IN + r"the\s+(?P<n>" + _N + r")\s+months\s+ended\s+(?P<d>" + DATE + ")",
               lambda g, fy: {"period": duration(parse_date(g("d")), DURATIONS[g("n").lower()])}),
    PeriodRule("first_months", _IN + r"the\s+first\s+(?P<n>three|six|nine)\s+months\s+of\s+(?P<y>\d{4})",
               _first_months),
    PeriodRule("half", _IN + r"the\s+(?P<o>first|second)\s+half\s+(?:of\s+)?(?P<y>\d{4})",
               lambda g, fy: {"period": duration(quarter_end(int(g("y")), 2 if g("o").lower() == "first" else 4), 6)}),
    PeriodRule("same_period_of", r"in\s+the\s+(?:same|corresponding)\s+(?:period|quarter)\s+(?:of|in)\s+(?P<y>\d{4})",
               lambda g, fy: {"period": None, "year": int(g("y"))}),
    PeriodRule("year_ago", r"(?:in\s+)?the\s+(?:same|corresponding)\s+period\s+(?:of\s+)?last\s+year|a\s+year\s+"
               r"(?:ago|earlier|before)|in\s+the\s+prior[-\s]year\s+period|last\s+year\b",
               lambda g, fy: {"period": None, "back": 12}),
    PeriodRule("quarter_ago", r"in\s+the\s+(?:prior|previous|preceding|last)\s+quarter|a\s+quarter\s+(?:ago|earlier)",
               lambda g, fy: {"period": None, "back": 3}),
    PeriodRule("quarter", _IN + r"the\s+(?P<o>" + _ORD + r")\s+quarter(?:\s+(?:of\s+)?(?P<y>\d{4}))?",
               lambda g, fy: {"period": duration(quarter_end(int(g("y") or fy), _ORDINALS[g("o").lower()]), 3)}),
    PeriodRule("q_year", _IN + r"Q(?P<q>[1-4])\s*(?P<y>\d{4})",
               lambda g, fy: {"period": duration(quarter_end(int(g("y")), int(g("q"))), 3)}),
    PeriodRule("full_year", _IN + r"(?:the\s+)?(?:(?:full|fiscal|whole)\s+)?year\s+(?:of\s+)?(?P<y>\d{4})",
               lambda g, fy: {"period": duration(date(int(g("y")), 12, 31), 12)}),
    PeriodRule("year", r"(?:in|for)\s+(?P<y>\d{4})\b",
               lambda g, fy: {"period": duration(date(int(g("y")), 12, 31), 12)}),
]


def _index(rules: list[PeriodRule]) -> tuple[re.Pattern, dict[str, tuple[re.Pattern, list[PeriodRule]]]]:
    """An anchor that finds the words a phrase can start with, and per word one pattern: the alternation of
    the rules that can start with it, in table order (their groups renamed apart: 'y' of rule 3 is 'r3_y')."""
    by_word: dict[str, list[int]] = {}
    for n, rule in enumerate(rules):
        for word in first_words(rule.pattern, rule.name):
            by_word.setdefault(word, []).append(n)
    index = {}
    for word, numbers in by_word.items():
        alternatives = [f"(?P<r{n}>" + rules[n].pattern.replace("(?P<", f"(?P<r{n}_") + ")" for n in numbers]
        index[word] = re.compile("|".join(alternatives), re.I | re.A), rules
    # the anchor: a first letter (either case) at a word start, then the rest of some first word (one
    # character class in front lets the scan skip ahead; a word found that starts no rule is passed over)
    firsts = "".join(sorted({c for word in by_word for c in (word[0], word[0].upper())}))
    rests = "|".join(sorted({word[1:] for word in by_word}, key=lambda rest: (-len(rest), rest)))
    return re.compile(rf"[{firsts}](?<![A-Za-z0-9].)(?:{rests})(?![A-Za-z])", re.A), index


_ANCHOR, _BY_WORD = _index(RULES)


def period_phrases(text: str, fiscal_year: int) -> list[PeriodPhrase]:
    """Every period phrase of a sentence, left to right (a quarter without a year is in `fiscal_year`)."""
    out, pos = [], 0
    for anchor in _ANCHOR.finditer(text):
        start = anchor.start()
        if start < pos or (start and text[start - 1].isalnum()):
            continue
        pattern, rules = _BY_WORD.get(anchor.group().lower(), (None, None))
        m = pattern and pattern.match(text, start)
        if m:
            pos = m.end()
            out.append(PeriodPhrase(start, pos, *_meaning(m.lastgroup, m.group(), fiscal_year)))
    return out


@lru_cache(maxsize=4096)
def _meaning(rule: str, phrase: str, fiscal_year: int) -> tuple:
    """What a phrase says (PeriodPhrase's fields after start and end); releases repeat their phrases."""
    n = int(rule[1:])  # 'r3': RULES[3]
    m = _BY_WORD_PATTERN[n].fullmatch(phrase)
    said = RULES[n].resolve(m.group, fiscal_year)
    return said["period"], said.get("back"), said.get("year"), said.get("window", False)


_BY_WORD_PATTERN = [re.compile(rule.pattern, re.I | re.A) for rule in RULES]


def relative(phrase: PeriodPhrase, current: Period | None) -> Period | None:
    """A relative phrase ('a year ago', 'in the same period of 2023') resolved against the current figure."""
    if current is None:
        return None
    if phrase.back:
        return shifted(current, phrase.back)
    return shifted(current, 12 * (current.end.year - phrase.year)) if phrase.year else None
